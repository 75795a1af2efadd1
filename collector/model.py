"""Data that crosses module boundaries: sites, minimised events, drop reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo


class Kind(StrEnum):
    """What one tracking request records."""

    PAGEVIEW = "pageview"
    EVENT = "event"
    PING = "ping"
    OUTLINK = "outlink"
    DOWNLOAD = "download"
    SEARCH = "search"
    GOAL = "goal"
    CONTENT = "content"


class DropReason(StrEnum):
    """Why a valid request was not stored. Counted per site and day in ``dropped``."""

    NO_REC = "no_rec"
    DNT = "dnt"
    GPC = "gpc"
    OPTED_OUT = "opted_out"
    PREFETCH = "prefetch"
    BOT = "bot"
    LIBRARY = "library"  # an HTTP library's request, where the site drops them (drop_libraries)
    FOREIGN_HOST = "foreign_host"
    SPAM = "spam"
    NO_CONSENT = "no_consent"
    EXCLUDED = "excluded"


# ``cookieless``: count without asking (nothing is stored on the device);
# ``consent_required``: a request counts only when it carries ``consent=1``.
CONSENT_MODES: tuple[str, ...] = ("cookieless", "consent_required")


@dataclass(frozen=True, slots=True)
class SiteSettings:
    """Per-site settings kept as JSON in ``sites.settings``."""

    allowed_query_keys: tuple[str, ...] = ()
    campaign_keys: tuple[str, ...] = ()  # the site's own campaign-name keys, e.g. ("ref",)
    raw_retention_days: int | None = None  # None: the server default
    aggregate_retention_months: int = 0  # 0: daily tables are kept forever
    honour_dnt: bool = True
    honour_gpc: bool = True
    check_host: bool = True
    drop_libraries: bool = False  # drop HTTP libraries' requests (curl, python-requests…) as "library"
    collect_country: bool = True  # derive the country from the masked address (collector/geo/)
    consent_mode: str = "cookieless"  # one of CONSENT_MODES
    exclusions: tuple[str, ...] = ()  # "kind:pattern" rules, see collector.privacy.exclusions


@dataclass(frozen=True, slots=True)
class Site:
    id: int
    name: str
    domains: tuple[str, ...]
    timezone: str
    secret: bytes = field(repr=False)
    settings: SiteSettings = SiteSettings()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class SiteClock:
    """What the rollup needs to know of a site: its time zone and raw retention."""

    tz: ZoneInfo
    retention_days: int


@dataclass(slots=True)
class Event:
    """One minimised event: no IP, no raw User-Agent, no query string, no user id.

    Not frozen: built once per beacon on the hot path, where a frozen dataclass's
    ``__init__`` (one ``object.__setattr__`` call per field) is slow (bench/README.md)."""

    site_id: int
    ts_ms: int
    day: str
    visitor: int
    kind: Kind
    path: str | None = None
    title: str | None = None
    referrer_host: str | None = None
    referrer_path: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    browser: str | None = None
    browser_major: str | None = None
    os: str | None = None
    device: str | None = None
    screen: str | None = None
    language: str | None = None
    country: str | None = None
    event_category: str | None = None
    event_action: str | None = None
    event_name: str | None = None
    event_value: float | None = None
    target: str | None = None
    search_query: str | None = None
    search_category: str | None = None
    search_count: int | None = None
    goal_id: int | None = None
    revenue: float | None = None
    pv_id: str | None = None
    new_visit: bool = False


EVENT_COLUMNS: tuple[str, ...] = tuple(Event.__dataclass_fields__)
