"""Exclusion rules: traffic a site owner does not want counted (the office network, an
uptime checker, an admin area, a referrer that is really an internal tool).

A rule is ``kind:pattern`` and lives in the site's settings, so every worker applies it
with the site it already caches:

- ``path:/admin/*`` — a glob (``*``, ``?``, ``[…]``) on the page path, query excluded;
- ``referrer:intranet.example`` — the referrer's host or any subdomain of it;
- ``ua:*UptimeRobot*`` — a glob on the User-Agent, case-insensitive;
- ``ip:10.20.0.0/16`` — a network containing the *masked* client address.

New requests that match are dropped with reason ``excluded``. Path and referrer rules
also apply retroactively: stored raw events keep the path and the referrer host, so the
matching ones within the raw retention window can be counted, removed and their days
rolled up again. User-Agent and IP rules cannot: raw events keep neither the
User-Agent nor any part of the address — that is the privacy promise — so those two
apply from the moment they are saved.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Literal, cast

RuleKind = Literal["path", "referrer", "ua", "ip"]
KINDS: tuple[RuleKind, ...] = ("path", "referrer", "ua", "ip")
RETROACTIVE: frozenset[str] = frozenset({"path", "referrer"})
MAX_RULES = 50
MAX_PATTERN = 200
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?")
_GLOB_CHARS = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces or control characters


class RuleError(ValueError):
    """A rule that cannot be understood; the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class Rule:
    kind: RuleKind
    pattern: str
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.pattern}"

    @property
    def retroactive(self) -> bool:
        return self.kind in RETROACTIVE

    def matches(self, path: str | None, referrer_host: str | None, user_agent: str, masked_ip: str) -> bool:
        if self.kind == "path":
            return path is not None and fnmatchcase(path, self.pattern)
        if self.kind == "referrer":
            return referrer_host is not None and host_within(referrer_host, self.pattern)
        if self.kind == "ua":
            return fnmatchcase(user_agent.lower(), self.pattern.lower())
        return _ip_in(masked_ip, self.network)


def host_within(host: str, domain: str) -> bool:
    host = host.lower()
    return host == domain or host.endswith("." + domain)


def _ip_in(text: str, network: ipaddress.IPv4Network | ipaddress.IPv6Network | None) -> bool:
    try:
        return network is not None and ipaddress.ip_address(text) in network
    except ValueError:
        return False


def parse_rule(text: str) -> Rule:
    kind, sep, pattern = text.strip().partition(":")
    kind, pattern = kind.strip().lower(), pattern.strip()
    if not sep or kind not in KINDS:
        raise RuleError(f"a rule is kind:pattern with kind one of {', '.join(KINDS)}; got {text.strip()!r}")
    if not pattern or len(pattern) > MAX_PATTERN:
        raise RuleError(f"the pattern of {text.strip()!r} must be 1 to {MAX_PATTERN} characters")
    if kind == "path":
        if not pattern.startswith(("/", "*")) or not _GLOB_CHARS.fullmatch(pattern):
            raise RuleError(f"a path pattern starts with / (or *) and has no spaces: {pattern!r}")
    elif kind == "referrer":
        pattern = pattern.lower().rstrip(".")
        if not _HOST.fullmatch(pattern):
            raise RuleError(f"a referrer rule names a host, such as intranet.example: {pattern!r}")
    elif kind == "ua":
        if not pattern.isprintable():
            raise RuleError("a User-Agent pattern must be printable text")
    else:
        try:
            network = ipaddress.ip_network(pattern, strict=False)
        except ValueError as exc:
            raise RuleError(f"an IP rule is an address or a network, e.g. 10.20.0.0/16: {pattern!r}") from exc
        return Rule("ip", str(network), network)
    return Rule(cast(RuleKind, kind), pattern)


@lru_cache(maxsize=256)
def compile_rules(texts: tuple[str, ...]) -> tuple[Rule, ...]:
    """The site's stored rules, parsed once per distinct set (sites are cached objects)."""
    rules = []
    for text in texts:
        try:
            rules.append(parse_rule(text))
        except RuleError:
            continue  # stored before validation tightened: skip rather than fail ingest
    return tuple(rules)


def parse_rules(text: str) -> tuple[str, ...]:
    """One rule a line (or comma-separated) → the normalised texts to store; raises."""
    parts = [p for p in re.split(r"[\n,]", text) if p.strip()]
    if len(parts) > MAX_RULES:
        raise RuleError(f"at most {MAX_RULES} rules a site")
    rules = [str(parse_rule(p)) for p in parts]
    return tuple(dict.fromkeys(rules))  # keep the order, drop repeats
