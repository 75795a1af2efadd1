"""Validated changes to a site: ``KEY=VALUE`` pairs (the CLI's ``site set``) or a form's
fields (the dashboard's settings page) → a new ``Site``. One place decides what a valid
setting is, so both front ends reject the same mistakes with the same words."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from collector.model import CONSENT_MODES, Site, SiteSettings
from collector.privacy.exclusions import RuleError, parse_rules

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


class SiteChangeError(ValueError):
    """A setting's value is not acceptable; the message says why, for the user."""


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SiteChangeError(f"unknown time zone: {name!r}") from exc
    return name


def _domains(value: str) -> tuple[str, ...]:
    domains = tuple(d.strip().lower().rstrip(".") for d in value.replace("\n", ",").split(",") if d.strip())
    bad = [d for d in domains if not _HOST.fullmatch(d)]
    if bad:
        raise SiteChangeError(f"not a host name: {bad[0]!r}")
    return domains


def _keys(value: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in value.replace("\n", ",").split(",") if k.strip())
    bad = [k for k in keys if not k.replace("_", "").replace("-", "").isalnum() or len(k) > 64]
    if bad:
        raise SiteChangeError(f"not a query key: {bad[0]!r}")
    return keys


def _bool(key: str, value: str) -> bool:
    low = value.strip().lower()
    if low not in _TRUE | _FALSE:
        raise SiteChangeError(f"{key} must be true or false")
    return low in _TRUE


def known_keys() -> list[str]:
    return ["name", "domains", "timezone", *SiteSettings.__dataclass_fields__]


def apply_changes(site: Site, items: Iterable[tuple[str, str]]) -> Site:
    """(key, value) pairs → the changed site. Unknown keys and bad values raise."""
    changes: dict[str, Any] = {}
    setting_changes: dict[str, Any] = {}
    fields = SiteSettings.__dataclass_fields__
    for raw_key, value in items:
        key = raw_key.strip()
        if key == "name":
            if not value.strip() or len(value) > 200:
                raise SiteChangeError("name must be 1 to 200 characters")
            changes["name"] = value.strip()
        elif key == "domains":
            changes["domains"] = _domains(value)
        elif key == "timezone":
            changes["timezone"] = check_timezone(value.strip())
        elif key == "allowed_query_keys":
            setting_changes[key] = _keys(value)
        elif key == "campaign_keys":
            setting_changes[key] = tuple(k.lower() for k in _keys(value))
        elif key == "raw_retention_days":
            days = int(value) if value.strip().isdigit() else 0
            if not 1 <= days <= 3650:
                raise SiteChangeError("raw_retention_days must be a positive integer (at most 3650)")
            setting_changes[key] = days
        elif key == "aggregate_retention_months":
            if not value.strip().isdigit() or int(value) > 1200:
                raise SiteChangeError("aggregate_retention_months must be 0 (forever) or a number of months")
            setting_changes[key] = int(value)
        elif key == "consent_mode":
            if value.strip() not in CONSENT_MODES:
                raise SiteChangeError(f"consent_mode must be one of: {', '.join(CONSENT_MODES)}")
            setting_changes[key] = value.strip()
        elif key == "exclusions":
            try:
                setting_changes[key] = parse_rules(value)
            except RuleError as exc:
                raise SiteChangeError(str(exc)) from exc
        elif key in fields:
            setting_changes[key] = _bool(key, value)
        else:
            raise SiteChangeError(f"unknown key {key!r}; known: {', '.join(known_keys())}")
    settings = dataclasses.replace(site.settings, **setting_changes)
    return dataclasses.replace(site, settings=settings, **changes)


def split_pairs(pairs: Sequence[str]) -> list[tuple[str, str]]:
    """The CLI's ``KEY=VALUE`` words → (key, value) pairs."""
    out = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SiteChangeError(f"expected KEY=VALUE, got {pair!r}")
        out.append((key, value))
    return out
