"""One function per Matomo report, each for one period: our readers' rows under
Matomo's names (see :mod:`collector.reporting.rows`). No SQL here: everything goes
through :class:`collector.stats.reports.StatsReader`, as the JSON API does.

Row order is ours (the JSON API's): page URLs by page views, other reports by visitors
(each day's unique visitors, summed), then label."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from collector.geo import countries
from collector.model import Site
from collector.reporting import rows
from collector.rollups.channels import is_search_engine, is_social
from collector.stats import times
from collector.stats.period import Period
from collector.stats.reports import DIMENSIONS, BreakdownRow, StatsReader, Totals

PAGE_SIZE = 1000
MAX_SCANNED = 100_000  # rows read to filter or merge a report before paging it
REFERRER_TYPES = {
    "direct": "Direct Entry",
    "search": "Search Engines",
    "social": "Social Networks",
    "referral": "Websites",
    "campaign": "Campaigns",
    "email": "Campaigns",
}
DEVICE_TYPES = {"desktop": "Desktop", "mobile": "Smartphone", "tablet": "Tablet", "other": "Unknown"}

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Paging:
    """``filter_limit`` (-1: all, up to ``MAX_SCANNED``) and ``filter_offset``."""

    limit: int = 100
    offset: int = 0

    @property
    def sql_limit(self) -> int:
        return MAX_SCANNED if self.limit < 0 else self.limit

    def apply(self, items: Sequence[T]) -> list[T]:
        return list(items[self.offset : self.offset + self.sql_limit])


@dataclass(frozen=True, slots=True)
class Ask:
    """What a report needs: where to read, which site, which period, which rows."""

    reader: StatsReader
    site: Site
    period: Period
    paging: Paging


async def _rows(ask: Ask, name: str) -> list[BreakdownRow]:
    paging = ask.paging
    return await ask.reader.breakdown(
        ask.site.id, DIMENSIONS[name], ask.period, paging.sql_limit, paging.offset
    )


async def _every_row(ask: Ask, name: str) -> list[BreakdownRow]:
    found: list[BreakdownRow] = []
    while len(found) < MAX_SCANNED:
        page = await ask.reader.breakdown(ask.site.id, DIMENSIONS[name], ask.period, PAGE_SIZE, len(found))
        found.extend(page)
        if len(page) < PAGE_SIZE:
            break
    return found


async def visits_summary(ask: Ask) -> dict[str, Any]:
    return rows.summary(await ask.reader.totals(ask.site.id, ask.period))


async def page_urls(ask: Ask) -> list[dict[str, Any]]:
    base = f"https://{ask.site.domains[0]}" if ask.site.domains else ""
    return [rows.page_row(row, base) for row in await _rows(ask, "pages")]


async def websites(ask: Ask) -> list[dict[str, Any]]:
    """Referring hosts that are neither search engines nor social networks."""
    kept = [
        row
        for row in await _every_row(ask, "referrers")
        if not is_search_engine(row.value) and not is_social(row.value)
    ]
    return [rows.visit_row(row.value, row.totals) for row in ask.paging.apply(kept)]


async def referrer_types(ask: Ask) -> list[dict[str, Any]]:
    """Our channels under Matomo's referrer types (``email`` counts as a campaign)."""
    merged: dict[str, Totals] = {}
    for row in await _every_row(ask, "channels"):
        name = REFERRER_TYPES.get(row.value, "Others")
        merged[name] = rows.add(merged.get(name, Totals()), row.totals)
    ordered = sorted(merged.items(), key=lambda item: (-item[1].visitors, item[0]))
    return [rows.visit_row(name, totals) for name, totals in ask.paging.apply(ordered)]


async def browsers(ask: Ask) -> list[dict[str, Any]]:
    return [rows.visit_row(row.value, row.totals) for row in await _rows(ask, "browsers")]


async def os_versions(ask: Ask) -> list[dict[str, Any]]:
    """Operating systems by family: we keep no OS version."""
    return [rows.visit_row(row.value, row.totals) for row in await _rows(ask, "os")]


async def device_types(ask: Ask) -> list[dict[str, Any]]:
    return [
        rows.visit_row(DEVICE_TYPES.get(row.value, row.value.capitalize()), row.totals)
        for row in await _rows(ask, "devices")
    ]


async def per_hour(ask: Ask) -> list[dict[str, Any]]:
    """``VisitTime.getVisitInformationPerServerTime``: the 24 hours of the site's time zone
    (Matomo's "server time" is the website's time zone). Hours carry no bounces or visit
    lengths (0): those are visit-level and not kept per hour."""
    cells = await times.hour_cells(ask.reader, ask.site.id, ask.period)
    hours = [rows.visit_row(f"{hour}h", totals) for hour, totals in enumerate(times.by_hour(cells))]
    return ask.paging.apply(hours)


async def per_local_hour(ask: Ask) -> list[dict[str, Any]]:
    """``VisitTime.getVisitInformationPerLocalTime``: the collector keeps no visitor's clock
    (the tracker's h/m/s parameters are not stored), so this is the site's time zone too."""
    return await per_hour(ask)


async def by_day_of_week(ask: Ask) -> list[dict[str, Any]]:
    """``VisitTime.getByDayOfWeek``: Monday … Sunday, each with ``day_of_week`` (1-7)."""
    days = await times.by_weekday(ask.reader, ask.site.id, ask.period)
    found = [
        {**rows.visit_row(times.WEEKDAYS[n], totals), "day_of_week": n + 1} for n, totals in enumerate(days)
    ]
    for row in found:
        del row["max_actions"]
    return ask.paging.apply(found)


async def countries_report(ask: Ask) -> list[dict[str, Any]]:
    """``UserCountry.getCountry``: the English name as ``label``, the lower-case code as
    ``code`` and Matomo's ``segment``; no flag (``logo``). Visits of no known country are
    not a row."""
    return [
        {
            **rows.visit_row(countries.name(row.value), row.totals),
            "code": row.value.lower(),
            "segment": f"countryCode=={row.value.lower()}",
        }
        for row in await _rows(ask, "countries")
    ]


async def continents(ask: Ask) -> list[dict[str, Any]]:
    """``UserCountry.getContinent``: the countries summed by continent. As Matomo's own
    replies, ``code`` repeats the (English) name."""
    merged: dict[str, Totals] = {}
    for row in await _every_row(ask, "countries"):
        name = countries.continent_name(countries.continent(row.value))
        merged[name] = rows.add(merged.get(name, Totals()), row.totals)
    ordered = sorted(merged.items(), key=lambda item: (-item[1].visitors, item[0]))
    return [{**rows.visit_row(name, totals), "code": name} for name, totals in ask.paging.apply(ordered)]


@dataclass(frozen=True, slots=True)
class Report:
    run: Callable[[Ask], Awaitable[Any]]
    columns: tuple[str, ...]  # for a CSV header, even with no rows
    single_period: bool = False  # Matomo refuses several dates for it


REPORTS: dict[str, Report] = {
    "VisitsSummary.get": Report(visits_summary, rows.SUMMARY_COLUMNS),
    "Actions.getPageUrls": Report(page_urls, rows.PAGE_COLUMNS),
    "Referrers.getWebsites": Report(websites, rows.ROW_COLUMNS),
    "Referrers.getReferrerType": Report(referrer_types, rows.ROW_COLUMNS),
    "DevicesDetection.getBrowsers": Report(browsers, rows.ROW_COLUMNS),
    "DevicesDetection.getOsVersions": Report(os_versions, rows.ROW_COLUMNS),
    "DevicesDetection.getType": Report(device_types, rows.ROW_COLUMNS),
    "UserCountry.getCountry": Report(countries_report, (*rows.ROW_COLUMNS, "code", "segment")),
    "UserCountry.getContinent": Report(continents, (*rows.ROW_COLUMNS, "code")),
    "VisitTime.getVisitInformationPerServerTime": Report(per_hour, rows.ROW_COLUMNS),
    "VisitTime.getVisitInformationPerLocalTime": Report(per_local_hour, rows.ROW_COLUMNS),
    "VisitTime.getByDayOfWeek": Report(
        by_day_of_week,
        ("label", *(c for c in rows.VISIT_COLUMNS if c != "max_actions"), "day_of_week"),
        single_period=True,
    ),
}
