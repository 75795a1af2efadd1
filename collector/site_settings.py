"""Validated changes to a site: ``KEY=VALUE`` pairs (the CLI's ``site set``) or a form's
fields (the dashboard's settings page) → a new ``Site``. One place decides what a valid
setting is, so both front ends reject the same mistakes with the same words.

Every key is a row of one declarative table, :data:`SITE_KEYS`: its name, parser, default,
help text (the README's site keys table and ``site set --help``) and how the settings form
shows it. ``SiteSettings`` stays the typed result; a test checks its defaults against the
table, and another the README's table."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from collector.model import CONSENT_MODES, Site, SiteSettings
from collector.privacy.exclusions import RuleError, parse_rules

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}
MAX_NAME = 200
RAW_DAYS = (1, 3650)
AGGREGATE_MONTHS = (0, 1200)
CONSENT_LABELS = {
    "cookieless": "Cookie-less: count every visit (nothing is stored on the device)",
    "consent_required": "Consent required: count only requests sent with consent=1",
}


class SiteChangeError(ValueError):
    """A setting's value is not acceptable; the message says why, for the user."""


# -- parsers: the text a user typed → the stored value, or SiteChangeError -----------------
def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SiteChangeError(f"unknown time zone: {name!r}") from exc
    return name


def _name(value: str) -> str:
    if not value.strip() or len(value) > MAX_NAME:
        raise SiteChangeError(f"name must be 1 to {MAX_NAME} characters")
    return value.strip()


def _domains(value: str) -> tuple[str, ...]:
    domains = tuple(d.strip().lower().rstrip(".") for d in value.replace("\n", ",").split(",") if d.strip())
    bad = [d for d in domains if not _HOST.fullmatch(d)]
    if bad:
        raise SiteChangeError(f"not a host name: {bad[0]!r}")
    return domains


def _timezone(value: str) -> str:
    return check_timezone(value.strip())


def _keys(value: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in value.replace("\n", ",").split(",") if k.strip())
    bad = [k for k in keys if not k.replace("_", "").replace("-", "").isalnum() or len(k) > 64]
    if bad:
        raise SiteChangeError(f"not a query key: {bad[0]!r}")
    return keys


def _campaign_keys(value: str) -> tuple[str, ...]:
    return tuple(k.lower() for k in _keys(value))


def _raw_retention_days(value: str) -> int:
    days = int(value) if value.strip().isdecimal() else 0
    if not RAW_DAYS[0] <= days <= RAW_DAYS[1]:
        raise SiteChangeError(f"raw_retention_days must be a positive integer (at most {RAW_DAYS[1]})")
    return days


def _aggregate_retention_months(value: str) -> int:
    if not value.strip().isdecimal() or int(value) > AGGREGATE_MONTHS[1]:
        raise SiteChangeError("aggregate_retention_months must be 0 (forever) or a number of months")
    return int(value)


def _flag(key: str) -> Callable[[str], bool]:
    def parse(value: str) -> bool:
        low = value.strip().lower()
        if low not in _TRUE | _FALSE:
            raise SiteChangeError(f"{key} must be true or false")
        return low in _TRUE

    return parse


def _consent_mode(value: str) -> str:
    if value.strip() not in CONSENT_MODES:
        raise SiteChangeError(f"consent_mode must be one of: {', '.join(CONSENT_MODES)}")
    return value.strip()


def _exclusions(value: str) -> tuple[str, ...]:
    try:
        return parse_rules(value)
    except RuleError as exc:
        raise SiteChangeError(str(exc)) from exc


# -- the table ------------------------------------------------------------------------------
Input = Literal["text", "textarea", "number", "select", "checkbox"]
SECTIONS = ("The site", "Retention", "What is counted")  # the settings form's fieldsets


@dataclass(frozen=True)
class FormField:
    """How the dashboard's settings form shows a key (in the order of the table)."""

    section: str  # the legend of its fieldset, one of SECTIONS
    label: str
    input: Input
    ref: str = ""  # the hint's id is <ref>-hint; a checkbox's warning's <ref>-warning
    hint: str = ""  # `code` in backticks; {server_default}: the server's raw retention
    warning: str = ""  # a checkbox's: shown while it is off
    placeholder: str = ""  # {server_default} as in ``hint``
    rows: int = 0  # a textarea's
    bounds: tuple[int, int] | None = None  # a number's, the same its parser checks
    max_length: int = 0
    required: bool = False
    blank_is_default: bool = False  # an empty field sets the key (a SiteSettings field) to its default
    choices: tuple[tuple[str, str], ...] = ()  # a select's (value, label); the zones come from the page


@dataclass(frozen=True)
class SiteKey:
    """One row of the site keys table."""

    name: str
    parse: Callable[[str], object]  # a user's text → the value; raises SiteChangeError
    default: str | None  # as ``site set`` takes it; None: no value of its own
    help: str  # for the README's table and ``site set --help``
    form: FormField | None = None  # None: not on the settings form
    on_site: bool = False  # an attribute of ``Site``; else a field of ``SiteSettings``


SITE_KEYS: tuple[SiteKey, ...] = (
    SiteKey(
        "name",
        _name,
        None,
        f"The site's name (1 to {MAX_NAME} characters; `site add` sets it).",
        FormField("The site", "Name", "text", max_length=MAX_NAME, required=True),
        on_site=True,
    ),
    SiteKey(
        "domains",
        _domains,
        "",
        "Host names the site is served on (comma list; subdomains included). With `check_host`, "
        "requests from other hosts are dropped as `foreign_host`.",
        FormField(
            "The site",
            "Domains",
            "textarea",
            ref="domains",
            rows=3,
            hint="Host names, one a line (e.g. `example.com`). Page views from other hosts are not "
            "counted when the host check is on; shared links may be embedded on these hosts only.",
        ),
        on_site=True,
    ),
    SiteKey(
        "timezone",
        _timezone,
        "UTC",
        "IANA time zone the site's days start in (a change applies to days rolled up from then on).",
        FormField(
            "The site",
            "Time zone",
            "select",
            ref="timezone",
            hint="Days start at midnight in this time zone. A change applies to days rolled up from now on.",
        ),
        on_site=True,
    ),
    SiteKey(
        "allowed_query_keys",
        _keys,
        "",
        "Query keys kept in stored URLs besides campaign keys (comma list); all others are "
        "removed before anything is stored.",
        FormField(
            "What is counted",
            "Query keys to keep",
            "textarea",
            ref="keys",
            rows=2,
            hint="Query-string keys kept in page addresses, one a line (e.g. `page`). All others "
            "are removed before anything is stored.",
        ),
    ),
    SiteKey(
        "campaign_keys",
        _campaign_keys,
        "",
        "Your own query keys that name a campaign, e.g. `ref` (comma list), besides "
        "`utm_campaign`/`mtm_campaign`/`pk_campaign`.",
        FormField(
            "What is counted",
            "Campaign keys",
            "textarea",
            ref="campaign",
            rows=2,
            hint="Your own query keys that name a campaign, one a line (e.g. `ref`), besides "
            "`utm_campaign`, `mtm_campaign` and `pk_campaign`, which are always read.",
        ),
    ),
    SiteKey(
        "raw_retention_days",
        _raw_retention_days,
        None,
        f"Days raw events are kept ({RAW_DAYS[0]} to {RAW_DAYS[1]}); unset, "
        "`COLLECTOR_RAW_RETENTION_DAYS` applies.",
        FormField(
            "Retention",
            "Raw events, days",
            "number",
            ref="raw",
            bounds=RAW_DAYS,
            placeholder="{server_default} (server default)",
            hint="Single page views are deleted after this many days (empty: the server default, "
            "{server_default}). Filtered reports reach back this far.",
            blank_is_default=True,
        ),
    ),
    SiteKey(
        "aggregate_retention_months",
        _aggregate_retention_months,
        "0",
        "Months the daily tables are kept; 0 keeps them forever.",
        FormField(
            "Retention",
            "Daily totals, months",
            "number",
            ref="agg",
            bounds=AGGREGATE_MONTHS,
            hint="0 keeps the daily totals (no per-visitor data) forever.",
        ),
    ),
    SiteKey(
        "honour_dnt",
        _flag("honour_dnt"),
        "true",
        "Drop requests sent with Do Not Track (as `dnt`): `true` or `false`.",
        FormField(
            "What is counted",
            "Honour Do Not Track",
            "checkbox",
            ref="dnt",
            warning="Off: visitors who sent Do Not Track are counted.",
        ),
    ),
    SiteKey(
        "honour_gpc",
        _flag("honour_gpc"),
        "true",
        "Drop requests sent with Global Privacy Control (as `gpc`): `true` or `false`.",
        FormField(
            "What is counted",
            "Honour Global Privacy Control",
            "checkbox",
            ref="gpc",
            warning="Off: visitors who sent Global Privacy Control are counted, which some laws forbid.",
        ),
    ),
    SiteKey(
        "check_host",
        _flag("check_host"),
        "true",
        "Drop pages on none of the site's `domains` (as `foreign_host`): `true` or `false`.",
        FormField("What is counted", "Count only pages on the site's domains", "checkbox"),
    ),
    SiteKey(
        "drop_libraries",
        _flag("drop_libraries"),
        "false",
        "Drop requests from HTTP libraries (curl, python-requests, okhttp…; as `library`) unless "
        "sent with `bots=1`; Matomo counts them: `true` or `false`.",
        FormField(
            "What is counted",
            "Drop requests from HTTP libraries",
            "checkbox",
            ref="libraries",
            hint="Requests sent by programs such as `curl` or `python-requests` rather than a "
            "browser or an app. Matomo counts them; a server-side tracker may send them.",
        ),
    ),
    SiteKey(
        "collect_country",
        _flag("collect_country"),
        "true",
        "Derive the visitor's country from the shortened (masked) address, only where one country "
        "holds at least 90 % of the block it stands for; never a city: `true` or `false`.",
        FormField(
            "What is counted",
            "Derive the country from the shortened address",
            "checkbox",
            ref="country",
            hint="The country only (never a town), from the masked address, and only where nearly "
            "all of the addresses it stands for lie in one country; otherwise the country is unknown.",
        ),
    ),
    SiteKey(
        "consent_mode",
        _consent_mode,
        "cookieless",
        "`cookieless`: count without asking, nothing is stored on the device; or "
        "`consent_required`: requests without `consent=1` are dropped as `no_consent`.",
        FormField(
            "What is counted",
            "Consent",
            "select",
            choices=tuple((mode, CONSENT_LABELS.get(mode, mode)) for mode in CONSENT_MODES),
        ),
    ),
    SiteKey(
        "exclusions",
        _exclusions,
        "",
        "Exclusion rules, `kind:pattern` (comma list), as `collector exclude` manages them.",
    ),
)
KEYS: dict[str, SiteKey] = {key.name: key for key in SITE_KEYS}


def current(site: Site, key: SiteKey) -> object:
    """The site's value of ``key``."""
    return getattr(site if key.on_site else site.settings, key.name)


def apply_changes(site: Site, items: Iterable[tuple[str, str]]) -> Site:
    """(key, value) pairs → the changed site. Unknown keys and bad values raise."""
    # by name, as ``collector.settings`` does: the test of the table checks that each parser
    # gives its field's type
    changes: dict[str, Any] = {}
    setting_changes: dict[str, Any] = {}
    for raw_key, value in items:
        key = KEYS.get(raw_key.strip())
        if key is None:
            raise SiteChangeError(f"unknown key {raw_key.strip()!r}; known: {', '.join(KEYS)}")
        (changes if key.on_site else setting_changes)[key.name] = key.parse(value)
    settings = dataclasses.replace(site.settings, **setting_changes)
    return dataclasses.replace(site, settings=settings, **changes)


def reset(site: Site, names: Iterable[str]) -> Site:
    """The site with these settings (``SiteSettings`` fields) back to their defaults."""
    defaults = SiteSettings()
    changes = {name: getattr(defaults, name) for name in names}
    return dataclasses.replace(site, settings=dataclasses.replace(site.settings, **changes))


def split_pairs(pairs: Sequence[str]) -> list[tuple[str, str]]:
    """The CLI's ``KEY=VALUE`` words → (key, value) pairs."""
    out = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SiteChangeError(f"expected KEY=VALUE, got {pair!r}")
        out.append((key, value))
    return out
