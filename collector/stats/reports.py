"""One function per report. Ranges read only the daily tables, so a year costs a few
hundred rows per site, whatever the traffic; realtime reads the last minutes of raw
events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from collector.geo import countries
from collector.stats.period import Period

REALTIME_MINUTES = 30


@dataclass(frozen=True, slots=True)
class Totals:
    visitors: int = 0
    visits: int = 0
    pageviews: int = 0
    bounces: int = 0
    duration_s: int = 0
    events: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.visitors + other.visitors,
            self.visits + other.visits,
            self.pageviews + other.pageviews,
            self.bounces + other.bounces,
            self.duration_s + other.duration_s,
            self.events + other.events,
        )

    def metrics(self) -> dict[str, Any]:
        visits = self.visits
        return {
            "visitors": self.visitors,
            "visits": visits,
            "pageviews": self.pageviews,
            "views_per_visit": round(self.pageviews / visits, 2) if visits else 0.0,
            "bounce_rate": round(100 * self.bounces / visits, 1) if visits else 0.0,
            "visit_duration_s": round(self.duration_s / visits) if visits else 0,
            "events": self.events,
        }


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    value: str
    totals: Totals
    entries: int = 0
    exits: int = 0


@dataclass(frozen=True, slots=True)
class Dimension:
    stored: str  # the `dimension` column
    order: str  # visitors | pageviews | entries | exits | events
    entry_only: bool = False
    exit_only: bool = False


_VISIT = (
    "referrers",
    "channels",
    "utm_sources",
    "utm_mediums",
    "utm_campaigns",
    "browsers",
    "os",
    "devices",
    "screens",
    "languages",
    "countries",
)
DIMENSIONS: dict[str, Dimension] = {
    "pages": Dimension("pages", "pageviews"),
    "entry_pages": Dimension("pages", "entries", entry_only=True),
    "exit_pages": Dimension("pages", "exits", exit_only=True),
    **{name: Dimension(name, "visitors") for name in _VISIT},
    **{name: Dimension(name, "events") for name in ("events", "outlinks", "downloads", "searches")},
}


class StatsReader(Protocol):
    async def totals(self, site_id: int, period: Period) -> Totals: ...
    async def series(self, site_id: int, period: Period, interval: str) -> list[tuple[str, Totals]]: ...
    async def breakdown(
        self, site_id: int, dimension: Dimension, period: Period, limit: int, offset: int
    ) -> list[BreakdownRow]: ...
    async def hour_grid(self, site_id: int, period: Period) -> list[tuple[int, int, Totals]]:
        """(ISO weekday, hour, totals) in the site's time zone, for the cells with traffic;
        bounces and durations are 0 (visit-level, not split by hour)."""
        ...

    async def realtime(self, site_id: int, since_ms: int) -> tuple[int, int]: ...
    async def dropped(self, site_id: int, period: Period) -> list[tuple[str, int]]: ...


class FilteredReader(StatsReader, Protocol):
    def close(self) -> None: ...


def _range(period: Period) -> dict[str, str]:
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}


async def summary(reader: StatsReader, site_id: int, period: Period) -> dict[str, Any]:
    previous = period.previous()
    current = await reader.totals(site_id, period)
    before = await reader.totals(site_id, previous)
    return {
        **_range(period),
        "visitors_window": "day",
        **current.metrics(),
        "previous": {**_range(previous), **before.metrics()},
    }


def _slots(period: Period, interval: str) -> list[str]:
    if interval == "month":
        months, day = [], period.start.replace(day=1)
        while day <= period.end:
            months.append(day.isoformat()[:7])
            day = (day + timedelta(days=32)).replace(day=1)
        return months
    days = [period.start + timedelta(days=n) for n in range(period.days)]
    if interval == "day":
        return [d.isoformat() for d in days]
    return [f"{d.isoformat()}T{h:02d}" for d in days for h in range(24)]


async def timeseries(reader: StatsReader, site_id: int, period: Period, interval: str) -> dict[str, Any]:
    found = dict(await reader.series(site_id, period, interval))
    points = []
    for slot in _slots(period, interval):
        metrics = found.get(slot, Totals()).metrics()
        if interval == "hour":  # visit-level numbers are not split by hour
            for key in ("bounce_rate", "visit_duration_s"):
                metrics.pop(key)
        points.append({"date": slot, **metrics})
    return {
        **_range(period),
        "interval": interval,
        "visitors_window": interval if interval == "hour" else "day",
        "points": points,
    }


async def breakdown(
    reader: StatsReader, site_id: int, name: str, period: Period, limit: int, offset: int
) -> dict[str, Any]:
    dimension = DIMENSIONS[name]
    rows = await reader.breakdown(site_id, dimension, period, limit, offset)
    out = []
    for row in rows:
        item: dict[str, Any] = {"value": row.value, **row.totals.metrics()}
        if dimension.stored == "pages":
            item.update(entries=row.entries, exits=row.exits)
            item["bounce_rate"] = round(100 * row.totals.bounces / row.entries, 1) if row.entries else 0.0
            del item["visit_duration_s"], item["views_per_visit"], item["events"]
        elif dimension.order == "events":
            item = {
                "value": row.value,
                "events": row.totals.events,
                "visitors": row.totals.visitors,
                "visits": row.totals.visits,
            }
        elif name == "countries":  # the stored (lower-case) code; ISO's form and the English name
            item = {"value": row.value, "code": row.value.upper(), "name": countries.name(row.value), **item}
        out.append(item)
    return {
        **_range(period),
        "dimension": name,
        "visitors_window": "day",
        "limit": limit,
        "offset": offset,
        "rows": out,
    }


def breakdown_columns(name: str) -> list[str]:
    """The columns of a breakdown's rows (for a CSV header when there are no rows)."""
    dimension = DIMENSIONS[name]
    if dimension.stored == "pages":
        return ["value", "visitors", "visits", "pageviews", "bounce_rate", "entries", "exits"]
    if dimension.order == "events":
        return ["value", "events", "visitors", "visits"]
    if name == "countries":
        return ["value", "code", "name", *Totals().metrics()]
    return ["value", *Totals().metrics()]


async def realtime(reader: StatsReader, site_id: int, now: float) -> dict[str, Any]:
    since_ms = int((now - REALTIME_MINUTES * 60) * 1000)
    visitors, pageviews = await reader.realtime(site_id, since_ms)
    return {"minutes": REALTIME_MINUTES, "visitors": visitors, "pageviews": pageviews}


async def dropped(reader: StatsReader, site_id: int, period: Period) -> dict[str, Any]:
    reasons = await reader.dropped(site_id, period)
    return {
        **_range(period),
        "total": sum(n for _, n in reasons),
        "reasons": [{"reason": r, "requests": n} for r, n in reasons],
    }
