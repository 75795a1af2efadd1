"""What one dashboard page shows, read through the collector's reports: the daily tables,
or, with filters, one filtered reader (raw events) shared by every report on the page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from starlette.requests import Request

from collector.dashboard.heatmap import Heatmap, heatmap
from collector.dashboard.panels import GROUPS, ROWS
from collector.dashboard.periods import Choice
from collector.dashboard.worldmap import WorldMap, world_map
from collector.model import Site
from collector.rollups.runner import site_clocks
from collector.stats import reports, times
from collector.stats.filters import Filters
from collector.stats.period import MAX_DAYS, Period
from collector.stats.reports import StatsReader
from collector.web.services import services

MAP_COUNTRIES = 300  # more than ISO 3166 assigns: the map shows every country


def site_today(request: Request, site: Site) -> date:
    return datetime.fromtimestamp(services(request).clock(), site.tz).date()


@dataclass(frozen=True, slots=True)
class Report:
    summary: dict[str, Any]
    points: list[dict[str, Any]]
    breakdowns: dict[str, dict[str, Any]]
    dropped: dict[str, Any]
    realtime: dict[str, Any]
    ever: bool  # the site has recorded anything at all
    raw_days: int | None  # with filters: how many days of raw events exist
    complete: bool  # with filters: the period lies inside the raw window
    heatmap: Heatmap  # visits by weekday and hour
    world: WorldMap | None = None  # the Countries tab's map (every country of the period)


@asynccontextmanager
async def reader_for(request: Request, filters: Filters) -> AsyncIterator[StatsReader]:
    """The plain stats reader, or a filtered one (closed afterwards)."""
    if not filters.active:
        yield services(request).stats
        return
    sites = await site_clocks(services(request).store, services(request).settings)
    reader = services(request).store.filtered_stats(filters, sites)
    try:
        yield reader
    finally:
        reader.close()


async def load(request: Request, site: Site, choice: Choice, filters: Filters) -> Report:
    stats: StatsReader = services(request).stats
    period = choice.period
    async with reader_for(request, filters) as reader:
        # The filtered reader rebuilds its tables per range: read the period's reports
        # first and the previous period (inside `summary`) last.
        series = await reports.timeseries(reader, site.id, period, choice.interval)
        breakdowns = {
            tab.dimension: await reports.breakdown(reader, site.id, tab.dimension, period, ROWS, 0)
            for group in GROUPS
            for tab in group.tabs
        }
        every_country = await reports.breakdown(reader, site.id, "countries", period, MAP_COUNTRIES, 0)
        heat = heatmap(await times.times_of_day(reader, site.id, period))
        summary = await reports.summary(reader, site.id, period)
    today = site_today(request, site)
    ever_totals = await stats.totals(site.id, Period(today - timedelta(days=MAX_DAYS - 1), today))
    raw_days = None
    complete = True
    if filters.active:
        clocks = await site_clocks(services(request).store, services(request).settings)
        raw_days = clocks[site.id].retention_days
        complete = period.start >= today - timedelta(days=raw_days)
    return Report(
        summary=summary,
        points=series["points"],
        breakdowns=breakdowns,
        dropped=await reports.dropped(stats, site.id, period),
        realtime=await reports.realtime(stats, site.id, services(request).clock()),
        ever=ever_totals.pageviews > 0 or ever_totals.visits > 0 or ever_totals.events > 0,
        raw_days=raw_days,
        complete=complete,
        heatmap=heat,
        world=world_map(every_country["rows"]),
    )


@dataclass(frozen=True, slots=True)
class SiteCard:
    site: Site
    today: int
    month: int
    points: list[int]


async def site_card(request: Request, site: Site) -> SiteCard:
    today = site_today(request, site)
    series = await reports.timeseries(
        services(request).stats, site.id, Period(today - timedelta(days=29), today), "day"
    )
    values = [int(p["visitors"]) for p in series["points"]]
    return SiteCard(site, values[-1], sum(values), values)
