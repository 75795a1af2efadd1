"""Breakdown panels: which dimensions are shown together, which column each ranks by,
which filter a click on a row applies, and the rows as the template draws them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from collector.geo import countries

ROWS = 10


@dataclass(frozen=True, slots=True)
class Tab:
    dimension: str  # a stats API breakdown dimension
    label: str  # the tab's name
    column: str  # what the rows are
    metric: str  # the number shown and ranked by
    metric_label: str
    filter: str | None = None  # the report filter a click on a row applies
    share_of: str | None = None  # the summary total the share is a part of


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    title: str
    tabs: tuple[Tab, ...]


GROUPS: tuple[Group, ...] = (
    Group(
        "pages",
        "Pages",
        (
            Tab("pages", "Top pages", "Page", "pageviews", "Views", "page", "pageviews"),
            Tab("entry_pages", "Entry pages", "Page", "entries", "Entries", "page", "visits"),
            Tab("exit_pages", "Exit pages", "Page", "exits", "Exits", "page", "visits"),
        ),
    ),
    Group(
        "sources",
        "Sources",
        (
            Tab("channels", "Channels", "Channel", "visitors", "Visitors", None, "visitors"),
            Tab("referrers", "Referrers", "Referrer", "visitors", "Visitors", "referrer", "visitors"),
            Tab("utm_sources", "UTM sources", "Source", "visitors", "Visitors", None, "visitors"),
            Tab("utm_mediums", "UTM mediums", "Medium", "visitors", "Visitors", None, "visitors"),
            Tab(
                "utm_campaigns",
                "UTM campaigns",
                "Campaign",
                "visitors",
                "Visitors",
                "utm_campaign",
                "visitors",
            ),
        ),
    ),
    Group(
        "devices",
        "Devices",
        (
            Tab("browsers", "Browsers", "Browser", "visitors", "Visitors", None, "visitors"),
            Tab("os", "Operating systems", "Operating system", "visitors", "Visitors", None, "visitors"),
            Tab("devices", "Devices", "Device", "visitors", "Visitors", "device", "visitors"),
            Tab("screens", "Screens", "Screen", "visitors", "Visitors", None, "visitors"),
        ),
    ),
    Group(
        "locations",
        "Locations",
        (
            Tab("languages", "Languages", "Language", "visitors", "Visitors", None, "visitors"),
            Tab("countries", "Countries", "Country", "visitors", "Visitors", "country", "visitors"),
        ),
    ),
    Group(
        "interactions",
        "Interactions",
        (
            Tab("events", "Events", "Category / action", "events", "Events"),
            Tab("outlinks", "Outbound links", "Link", "events", "Clicks"),
            Tab("downloads", "Downloads", "File", "events", "Downloads"),
            Tab("searches", "Site searches", "Search", "events", "Searches"),
        ),
    ),
)
TABS: dict[str, Tab] = {tab.dimension: tab for group in GROUPS for tab in group.tabs}
FILTER_LABELS = {
    "page": "Page",
    "referrer": "Referrer",
    "country": "Country",
    "device": "Device",
    "utm_campaign": "Campaign",
}


@dataclass(frozen=True, slots=True)
class Row:
    value: str  # as stored (visitor-supplied: escaped by the template)
    shown: str
    count: int
    share: float | None  # percent of the period's total, when that means something
    bar: float  # 0-100, the drawn width
    href: str | None  # filters the dashboard by this row
    active: bool


@dataclass(frozen=True, slots=True)
class TabView:
    tab: Tab
    rows: list[Row]
    csv_href: str


def query(params: Mapping[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v is not None})


def shown(tab: Tab, value: str) -> str:
    if value == "":
        return "(none)"
    return countries.name(value) if tab.dimension == "countries" else value  # "Germany", no flag


def filter_shown(name: str, value: str) -> str:
    """A filter's value as its chip shows it (a country by its name)."""
    return countries.name(value) if name == "country" else value


def tab_view(
    tab: Tab,
    data: Mapping[str, Any],
    totals: Mapping[str, Any],
    params: Mapping[str, str],
    filters: Mapping[str, str],
    csv_href: str,
) -> TabView:
    rows = data["rows"]
    denominator = int(totals[tab.share_of]) if tab.share_of else 0
    top = max([int(r[tab.metric]) for r in rows] + [1])
    out = []
    for raw in rows:
        count, value = int(raw[tab.metric]), str(raw["value"])
        share = round(100 * count / denominator, 1) if denominator else None
        bar = min(share, 100.0) if share is not None else round(100 * count / top, 1)
        href = query(params, **{tab.filter: value}) if tab.filter else None
        active = tab.filter is not None and filters.get(tab.filter) == value
        out.append(Row(value, shown(tab, value), count, share, bar, href, active))
    return TabView(tab, out, csv_href)


DROP_REASONS = {
    "dnt": ("Do Not Track", "The browser sent DNT: 1."),
    "gpc": ("Global Privacy Control", "The browser sent Sec-GPC: 1."),
    "opted_out": ("Opted out", "The visitor or their account opted out."),
    "bot": ("Bots and crawlers", "Known crawlers, headless browsers and scripts."),
    "library": (
        "HTTP libraries",
        "Programs such as curl or python-requests; dropped as this site's settings ask.",
    ),
    "spam": ("Referrer spam", "Requests from known referrer-spam domains."),
    "foreign_host": ("Other hosts", "Pages not on one of the site's domains."),
    "prefetch": ("Prefetch", "Prefetched or prerendered pages nobody saw yet."),
    "no_rec": ("Not to be recorded", "Requests without rec=1."),
    "no_consent": ("No consent", "Consent is required on this site and the visitor did not give it."),
    "excluded": ("Excluded by your rules", "Matched one of this site's exclusion rules."),
}


def reason_label(reason: str) -> tuple[str, str]:
    return DROP_REASONS.get(reason, (reason, ""))
