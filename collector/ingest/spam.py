"""Referrer spam: a maintained built-in list of domains, extendable by a file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _domains(text: str) -> set[str]:
    out: set[str] = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            out.add(line)
    return out


class SpamList:
    """Answers whether a referrer host is (a subdomain of) a listed spam domain."""

    def __init__(self, extra_file: str = "") -> None:
        builtin = resources.files("collector").joinpath("data/referrer_spam.txt")
        domains = _domains(builtin.read_text(encoding="utf-8"))
        if extra_file:
            domains |= _domains(Path(extra_file).read_text(encoding="utf-8"))
        self._domains = frozenset(domains)

    def __len__(self) -> int:
        return len(self._domains)

    def is_spam(self, host: str) -> bool:
        domains = self._domains
        name = host.lower()
        while "." in name:  # the host and each parent with two labels or more
            if name in domains:
                return True
            name = name[name.index(".") + 1 :]
        return False
