"""Times of day: visits by hour of the day and by weekday, both in the site's time zone
(a visit counts in the hour and on the local day it started, as the rollup keys
``hourly_site``), and the weekday × hour grid the dashboard draws as a heatmap.

Hours read ``hourly_site`` (visitors are distinct within each day's hour, summed; bounces
and durations are visit-level and not split by hour, so an hour has neither); weekdays
read ``daily_site`` through the day series, so they carry every metric, and say how many
of that weekday the period holds (for averages)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from collector.stats.period import Period
from collector.stats.reports import StatsReader, Totals

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOURS = range(24)


def _hour_metrics(totals: Totals) -> dict[str, int]:
    return {
        "visitors": totals.visitors,
        "visits": totals.visits,
        "pageviews": totals.pageviews,
        "events": totals.events,
    }


def weekday_counts(period: Period) -> list[int]:
    """How many Mondays … Sundays the period holds."""
    counts = [0] * 7
    for offset in range(min(period.days, 7)):
        first = period.start + timedelta(days=offset)
        counts[first.isoweekday() - 1] = len(range(offset, period.days, 7))
    return counts


async def hour_cells(reader: StatsReader, site_id: int, period: Period) -> list[list[Totals]]:
    """``cells[weekday - 1][hour]``."""
    cells = [[Totals() for _ in HOURS] for _ in WEEKDAYS]
    for weekday, hour, totals in await reader.hour_grid(site_id, period):
        cells[weekday - 1][hour] = totals
    return cells


def by_hour(cells: list[list[Totals]]) -> list[Totals]:
    hours = [Totals() for _ in HOURS]
    for row in cells:
        for hour, totals in enumerate(row):
            hours[hour] = hours[hour] + totals
    return hours


async def by_weekday(reader: StatsReader, site_id: int, period: Period) -> list[Totals]:
    days = [Totals() for _ in WEEKDAYS]
    for day, totals in await reader.series(site_id, period, "day"):
        index = date.fromisoformat(day).isoweekday() - 1
        days[index] = days[index] + totals
    return days


async def times_of_day(reader: StatsReader, site_id: int, period: Period) -> dict[str, Any]:
    cells = await hour_cells(reader, site_id, period)
    weekdays = await by_weekday(reader, site_id, period)
    counts = weekday_counts(period)
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "hours": [{"hour": hour, **_hour_metrics(t)} for hour, t in enumerate(by_hour(cells))],
        "weekdays": [
            {"weekday": n + 1, "name": WEEKDAYS[n], "days": counts[n], **weekdays[n].metrics()}
            for n in range(7)
        ],
        "grid": [
            {"weekday": n + 1, "name": WEEKDAYS[n], "visits": [t.visits for t in cells[n]]} for n in range(7)
        ],
    }
