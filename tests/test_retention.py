"""Retention: raw events by days, daily aggregates by months (0 keeps them forever)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from collector.clock import FrozenClock
from collector.model import Event, Kind, Site, SiteSettings
from collector.rollups.maintenance import months_before, purge_aggregates
from collector.rollups.runner import rollup
from collector.settings import Settings
from collector.stats.period import Period
from collector.storage.base import WriteItem
from collector.storage.sqlite import SqliteStore

pytestmark = pytest.mark.both_backends  # the same numbers on SQLite and PostgreSQL


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2026, 11, 22), 1, date(2026, 10, 22)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 13, date(2024, 12, 15)),
    ],
)
def test_months_before(day: date, months: int, expected: date) -> None:
    assert months_before(day, months) == expected


async def test_aggregates_are_kept_forever_by_default_and_cut_by_months(
    store: SqliteStore, site: Site, clock: FrozenClock, settings: Settings
) -> None:
    settings = Settings(database=settings.database, raw_retention_days=400)
    today = date(2026, 11, 22)
    items = []
    for days_ago in (0, 20, 40, 100):
        day = (today - timedelta(days=days_ago)).isoformat()
        ts = int((clock() - days_ago * 86400) * 1000)
        event = Event(site.id, ts, day, days_ago, Kind.PAGEVIEW, path="/")
        items.append(WriteItem(site.id, day, event, None))
    await store.write_batch(items)
    assert len(await rollup(store, settings, clock)) == 4
    assert await purge_aggregates(store, clock) == 0
    await store.update_site(
        site.id, site.name, site.domains, site.timezone, SiteSettings(aggregate_retention_months=1)
    )
    removed = await purge_aggregates(store, clock)
    series = await store.stats().series(site.id, Period(today - timedelta(days=100), today), "day")
    days = [day for day, totals in series if totals.pageviews]
    assert days == ["2026-11-02", "2026-11-22"]
    assert removed > 2  # daily_site, hourly_site and daily_dimension rows of two days
