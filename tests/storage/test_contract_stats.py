"""The storage contract, daily tables and stats: the rollup (dirty days, chosen days,
idempotence), the days with events, the stats reader and the filtered reader (through the
public :class:`Store` interface only). The rollup's rules themselves are checked against a
ground truth in tests/rollups/; here, a small day whose reports are worked out by hand."""

from __future__ import annotations

from datetime import date

from collector.stats.filters import Filters
from collector.stats.period import Period
from collector.stats.reports import DIMENSIONS, Totals
from collector.storage.base import Store
from tests.storage.contract import (
    DAY,
    NOW,
    PERIOD,
    SAMPLE_DROPPED,
    SAMPLE_TOTALS,
    add_site,
    clocks,
    event,
    ms,
    tracked,
    write_sample,
)

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


async def test_rollup_rolls_up_the_dirty_days_once(store: Store) -> None:
    site = await add_site(store)
    other = await add_site(store, "Other")
    await write_sample(store, site, "2026-11-21")
    await write_sample(store, site)
    await write_sample(store, other)
    sites = clocks(site, other)
    assert await store.rollup(sites, NOW, None) == [(site.id, "2026-11-21"), (site.id, DAY), (other.id, DAY)]
    assert await store.rollup(sites, NOW, None) == []  # nothing new
    await store.write_batch([tracked(event(site.id, "/late", visitor=9, at="11:30"))])
    assert await store.rollup(sites, NOW, None) == [(site.id, DAY)]  # only the day that got one
    late = await store.stats().totals(site.id, PERIOD)
    assert (late.visitors, late.visits, late.pageviews) == (4, 4, 5)


async def test_rollup_of_chosen_days_is_idempotent_and_skips_unknown_sites(store: Store) -> None:
    site = await add_site(store)
    other = await add_site(store, "Other")
    await write_sample(store, site)
    await write_sample(store, other)
    only = [(site.id, DAY), (other.id, DAY)]
    assert await store.rollup(clocks(site), NOW, only) == [(site.id, DAY)]  # other is not in sites
    assert await store.stats().totals(other.id, PERIOD) == Totals()
    assert await store.rollup(clocks(site), NOW, only) == [(site.id, DAY)]
    assert await store.stats().totals(site.id, PERIOD) == SAMPLE_TOTALS  # not counted twice
    november = await store.stats().breakdown(site.id, DIMENSIONS["pages"], NOVEMBER, 10, 0)
    assert [(r.value, r.totals.pageviews) for r in november] == [("/a", 2), ("/b", 1), ("/c", 1)]


async def test_a_day_outside_the_retention_window_is_left_as_it_is(store: Store) -> None:
    site = await add_site(store)
    await write_sample(store, site, "2026-09-01")  # 82 days before NOW; the window is 30
    assert await store.rollup(clocks(site), NOW, None) == []
    assert await store.rollup(clocks(site), NOW, [(site.id, "2026-09-01")]) == [(site.id, "2026-09-01")]


async def test_days_with_events_are_narrowed_by_site_and_day(store: Store) -> None:
    site = await add_site(store)
    other = await add_site(store, "Other")
    assert await store.days_with_events(None, None) == []
    await write_sample(store, site, "2026-11-21")
    await write_sample(store, site)
    await write_sample(store, other)
    assert await store.days_with_events(None, None) == [
        (site.id, "2026-11-21"),
        (site.id, DAY),
        (other.id, DAY),
    ]
    assert await store.days_with_events(site.id, None) == [(site.id, "2026-11-21"), (site.id, DAY)]
    assert await store.days_with_events(None, DAY) == [(site.id, DAY), (other.id, DAY)]
    assert await store.days_with_events(other.id, "2026-11-21") == []


async def test_the_stats_reader_reports_the_sample_day(store: Store) -> None:
    site = await add_site(store)
    other = await add_site(store, "Other")
    await write_sample(store, site)
    await store.rollup(clocks(site, other), NOW, None)
    stats = store.stats()
    assert await stats.totals(site.id, PERIOD) == SAMPLE_TOTALS
    assert await stats.totals(other.id, PERIOD) == Totals()
    assert await stats.totals(site.id, PERIOD.previous()) == Totals()
    assert await stats.series(site.id, PERIOD, "day") == [(DAY, SAMPLE_TOTALS)]
    assert await stats.series(site.id, NOVEMBER, "month") == [("2026-11", SAMPLE_TOTALS)]
    assert await stats.series(site.id, PERIOD, "hour") == [  # visit-level metrics are 0 by hour
        (f"{DAY}T10", Totals(visitors=1, visits=1, pageviews=2)),
        (f"{DAY}T11", Totals(visitors=1, visits=1, pageviews=1)),
        (f"{DAY}T12", Totals(visitors=1, visits=1, pageviews=1, events=1)),
    ]
    # 2026-11-22 is a Sunday (ISO weekday 7); visits count in the hour they start
    assert await stats.hour_grid(site.id, PERIOD) == [
        (7, 10, Totals(visitors=1, visits=1, pageviews=2)),
        (7, 11, Totals(visitors=1, visits=1, pageviews=1)),
        (7, 12, Totals(visitors=1, visits=1, pageviews=1, events=1)),
    ]
    assert await stats.hour_grid(site.id, PERIOD.previous()) == []
    assert await stats.dropped(site.id, PERIOD) == SAMPLE_DROPPED
    assert await stats.dropped(site.id, PERIOD.previous()) == []
    assert await stats.realtime(site.id, ms("11:00")) == (2, 2)  # raw events, no rollup needed
    assert await stats.realtime(site.id, ms("12:30")) == (0, 0)


async def test_breakdowns_rank_order_and_page(store: Store) -> None:
    site = await add_site(store)
    await write_sample(store, site)
    await store.rollup(clocks(site), NOW, None)
    stats = store.stats()
    pages = await stats.breakdown(site.id, DIMENSIONS["pages"], PERIOD, 10, 0)
    assert [(r.value, r.totals.pageviews, r.totals.visitors, r.entries, r.exits) for r in pages] == [
        ("/a", 2, 2, 2, 1),
        ("/b", 1, 1, 0, 1),
        ("/c", 1, 1, 1, 1),
    ]
    paged = await stats.breakdown(site.id, DIMENSIONS["pages"], PERIOD, 1, 1)
    assert [r.value for r in paged] == ["/b"]
    entries = await stats.breakdown(site.id, DIMENSIONS["entry_pages"], PERIOD, 10, 0)
    assert [(r.value, r.entries) for r in entries] == [("/a", 2), ("/c", 1)]
    exits = await stats.breakdown(site.id, DIMENSIONS["exit_pages"], PERIOD, 10, 0)
    assert [(r.value, r.exits) for r in exits] == [("/a", 1), ("/b", 1), ("/c", 1)]
    referrers = await stats.breakdown(site.id, DIMENSIONS["referrers"], PERIOD, 10, 0)
    assert [(r.value, r.totals.visits, r.totals.pageviews, r.totals.bounces) for r in referrers] == [
        ("news.example", 1, 2, 0)
    ]
    devices = await stats.breakdown(site.id, DIMENSIONS["devices"], PERIOD, 10, 0)
    assert [(r.value, r.totals.visitors) for r in devices] == [("desktop", 1), ("smartphone", 1)]
    countries = await stats.breakdown(site.id, DIMENSIONS["countries"], PERIOD, 10, 0)
    assert [(r.value, r.totals.visitors) for r in countries] == [("de", 1)]


async def test_a_filtered_reader_counts_only_the_matching_visits(store: Store) -> None:
    site = await add_site(store)
    await write_sample(store, site)
    await store.rollup(clocks(site), NOW, None)
    reader = store.filtered_stats(Filters(page="/b"), clocks(site))
    try:
        assert await reader.totals(site.id, PERIOD) == Totals(
            visitors=1, visits=1, pageviews=2, bounces=0, duration_s=300, events=0
        )
        pages = await reader.breakdown(site.id, DIMENSIONS["pages"], PERIOD, 10, 0)
        assert [(r.value, r.totals.pageviews) for r in pages] == [("/a", 1), ("/b", 1)]
        assert await reader.series(site.id, PERIOD, "hour") == [
            (f"{DAY}T10", Totals(visitors=1, visits=1, pageviews=2))
        ]
        assert await reader.hour_grid(site.id, PERIOD) == [(7, 10, Totals(visitors=1, visits=1, pageviews=2))]
    finally:
        reader.close()
    phones = store.filtered_stats(Filters(device="smartphone"), clocks(site))
    try:
        assert await phones.totals(site.id, PERIOD) == Totals(visitors=1, visits=1, pageviews=1, bounces=1)
        assert await phones.series(site.id, PERIOD, "day") == [
            (DAY, Totals(visitors=1, visits=1, pageviews=1, bounces=1))
        ]
    finally:
        phones.close()
    assert await store.stats().totals(site.id, PERIOD) == SAMPLE_TOTALS  # the daily tables are untouched
