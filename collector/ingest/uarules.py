"""User-Agent rule lists compiled for the Rust matcher that ua-parser ships (``ua_parser_rs``).

Two sources, read once per process:

- **Matomo's lists**, as the ``device-detector`` package ships them
  (``regexes/upstream/bots.yml``, ``regexes/upstream/client/libraries.yml`` and the port's
  ``regexes/local/client/libraries.yml``): upgrading that package refreshes them. Each
  pattern is wrapped in Matomo's word-boundary prefix and matched case-insensitively, as
  Matomo does.
- ``collector/data/user_agents.txt``: the few classes those lists miss (headless and
  automation browsers, AI crawlers, uptime checkers, scanners, strings that are no client),
  and libraries that Matomo calls bots.

The Rust engine has no look-around. Patterns with one are split into their top-level
alternatives; an alternative with a negative look-around is matched without it (the
*relaxed* form) and then refused when any of its excluded contexts occurs in the string
(``(?<!cu)bot`` → ``bot``, refused where ``cubot`` occurs). That is Matomo's answer except
for a string holding an excluded occurrence next to an accepted one of the same
alternative, which is then not matched by that alternative (a lenient answer: such a
string counts). Every match costs one linear scan per list, whatever the input: no
backtracking engine runs on a User-Agent. A pattern that cannot be compiled this way is
left out and listed in :attr:`RuleSet.skipped` (a test keeps that list empty, so a data
upgrade that needs more shows up there).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import ua_parser_rs
import yaml

from collector.ingest.uapatterns import has_lookaround, openers, relax, split_alternatives

# Matomo's prefix: the pattern starts the string or follows a character that cannot be
# part of a name (device-detector's ``BOUNDED_REGEX``).
BOUNDED = r"(?:^|[^A-Z0-9_-]|[^A-Z0-9-]_|sprd-|MZ-)(?:{})"
DATA_FILE = "data/user_agents.txt"  # in the collector package (as the referrer-spam list)
# One entry of ua_parser_rs.DeviceExtractor: (pattern, flag, family, brand, model); we use
# the family for the name, the brand for the label and the model for the tag.
Entry = tuple[str, Literal["i"] | None, str | None, str | None, str | None]


@dataclass(frozen=True, slots=True)
class Rule:
    """One pattern of a list, as its source writes it."""

    pattern: str
    name: str  # the bot's or library's name; ``$1`` takes the first group
    label: str  # bots: the class (collector/data) or Matomo's category; libraries: the version ("$1")
    bounded: bool  # wrap in Matomo's prefix
    tag: str = "-"  # which list it comes from, told back with a match (lists are merged)


@dataclass(frozen=True, slots=True)
class Hit:
    name: str
    label: str
    tag: str


class _Guarded:
    """An alternative with a negative look-around: its relaxed form, and the contexts that
    it excludes (any of them in the string refuses the match)."""

    def __init__(self, relaxed: ua_parser_rs.DeviceExtractor, excluded: ua_parser_rs.DeviceExtractor | None):
        self.relaxed = relaxed
        self.excluded = excluded


class RuleSet:
    """One list compiled: :meth:`match` gives the first rule that matches, or ``None``."""

    def __init__(self, rules: list[Rule]) -> None:
        self.skipped: list[str] = []
        plain: list[Entry] = []
        self._guarded: list[_Guarded] = []
        gates: list[Entry] = []
        sources: list[str] = []  # the rule each entry of ``plain`` comes from
        for rule in rules:
            name = _replacement(rule.name)
            label = _replacement(rule.label) if rule.label else None
            for alternative in (
                split_alternatives(rule.pattern) if has_lookaround(rule.pattern) else [rule.pattern]
            ):
                if not has_lookaround(alternative):
                    plain.append((_wrap(alternative, rule.bounded), "i", name, label, rule.tag or "-"))
                    sources.append(rule.pattern)
                    continue
                guarded = _guard(alternative, rule.bounded, name, label, rule.tag or "-")
                if guarded is None:
                    self.skipped.append(rule.pattern)
                    continue
                self._guarded.append(guarded[0])
                gates.append(guarded[1])
        try:
            self._plain = ua_parser_rs.DeviceExtractor(plain)
        except Exception:  # one bad pattern fails the lot: find it, leave it out
            kept = [_compiles(entry) for entry in plain]
            self.skipped += [source for source, ok in zip(sources, kept, strict=True) if not ok]
            plain = [entry for entry, ok in zip(plain, kept, strict=True) if ok]
            self._plain = ua_parser_rs.DeviceExtractor(plain)
        self._gate = ua_parser_rs.DeviceExtractor(gates)
        self.size = len(plain) + len(gates)

    def match(self, text: str) -> Hit | None:
        found = self._plain.extract(text)
        if found is not None:
            return Hit(found.family, found.brand or "", found.model or "")
        if self._gate.extract(text) is None:
            return None
        for guarded in self._guarded:
            found = guarded.relaxed.extract(text)
            if found is not None and (guarded.excluded is None or guarded.excluded.extract(text) is None):
                return Hit(found.family, found.brand or "", found.model or "")
        return None


def _wrap(pattern: str, bounded: bool) -> str:
    return BOUNDED.format(pattern) if bounded else pattern


def _replacement(text: str) -> str:
    """Python's ``\\g<1>`` (the port's spelling of Matomo's ``$1``) → the Rust ``$1``."""
    out = text
    for n in range(1, 10):
        out = out.replace(f"\\g<{n}>", f"${n}")
    return out


def _compiles(entry: Entry) -> bool:
    try:
        ua_parser_rs.DeviceExtractor([entry])
    except Exception:  # the extension raises its own error type for a bad pattern
        return False
    return True


def _guard(
    alternative: str, bounded: bool, name: str, label: str | None, tag: str
) -> tuple[_Guarded, Entry] | None:
    relaxed = relax(alternative)
    if relaxed is None:
        return None
    pattern, contexts = relaxed
    gate: Entry = (_wrap(pattern, bounded), "i", name, label, tag)
    exclusions: list[Entry] = [(context, "i", "x", None, None) for context in contexts]
    if not _compiles(gate) or not all(_compiles(e) for e in exclusions):
        return None
    return (
        _Guarded(
            ua_parser_rs.DeviceExtractor([gate]),
            ua_parser_rs.DeviceExtractor(exclusions) if exclusions else None,
        ),
        gate,
    )


def tagged(rules: list[Rule], tag: str) -> list[Rule]:
    """``rules`` with ``tag``, so that one :class:`RuleSet` of several lists tells which
    list matched."""
    return [Rule(r.pattern, r.name, r.label, r.bounded, tag) for r in rules]


# -- the sources -----------------------------------------------------------------------------
def _load_yaml(path: Path) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def matomo_dir() -> Path:
    """device-detector's ``regexes/`` directory (found without importing the package)."""
    spec = importlib.util.find_spec("device_detector")
    locations = spec.submodule_search_locations if spec is not None else None
    if not locations:
        raise RuntimeError("the device-detector package is not installed")
    return Path(next(iter(locations))) / "regexes"


def matomo_bots() -> list[Rule]:
    entries = _load_yaml(matomo_dir() / "upstream" / "bots.yml") or []
    return [
        Rule(str(e["regex"]), str(e.get("name") or "bot"), str(e.get("category") or ""), True)
        for e in entries
        if e.get("regex")
    ]


def matomo_libraries() -> list[Rule]:
    return matomo_clients("libraries.yml")


def matomo_browsers() -> list[Rule]:
    return matomo_clients("browsers.yml")


def matomo_clients(file: str) -> list[Rule]:
    """One of Matomo's client lists (``regexes/upstream/client/<file>``, then the Python
    port's additions in ``regexes/local/client/<file>``); a rule's label is its version."""
    rules: list[Rule] = []
    for part in ("upstream", "local"):
        path = matomo_dir() / part / "client" / file
        if not path.exists():
            continue
        for e in _load_yaml(path) or []:
            if e.get("regex"):
                version = str(e.get("version") or "")
                rules.append(Rule(str(e["regex"]), str(e.get("name") or "library"), version, True))
    return rules


def collector_rules(path: Path | None = None) -> dict[str, list[Rule]]:
    """``collector/data/user_agents.txt`` (or ``path``) by section: ``[bot:<class>]``,
    ``[library]``, ``[platform]``, ``[engine]``; a rule is ``Name: pattern`` (Rust syntax,
    case-insensitive, matched anywhere)."""
    source = path if path is not None else resources.files("collector").joinpath(DATA_FILE)
    file_name = source.name
    sections: dict[str, list[Rule]] = {}
    current: list[Rule] | None = None
    section = ""
    for number, raw in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            current = sections.setdefault(section, [])
            continue
        name, sep, pattern = line.partition(": ")
        if current is None or not sep or not pattern.strip():
            raise ValueError(f"{file_name}:{number}: expected `Name: pattern` inside a [section]")
        pattern = pattern.strip()
        if section.startswith("bot:"):
            label = section.partition(":")[2]
        else:  # a library's version: its first group, when it has one
            label = "$1" if any(opener == "(" for opener in openers(pattern)) else ""
        current.append(Rule(pattern, name.strip(), label, False))
    return sections
