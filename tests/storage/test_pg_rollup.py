"""The rollup on every backend against SQLite's, on random days full of the cases the
visit rules name (docs/counting.md): heartbeats before the first event and orphaned by a
gap, the 30-minute boundary, ``new_visit``, equal times, campaign keys in paths, every
channel, DST days in the site's zone. Every report (each dimension, each interval, the
hour grid, filtered readers, and month-long ranges that read the month sums) must be the
one a SQLite store gives for the same events.

Then what many nodes need: two rollups racing on one database do each day once and give
the same numbers; a batch committed while its day is being rolled up keeps the day dirty.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from collector.model import Event, Kind, Site, SiteClock
from collector.settings import Settings
from collector.stats.filters import Filters
from collector.stats.period import Period
from collector.stats.reports import DIMENSIONS, StatsReader
from collector.storage import open_store
from collector.storage.base import Store
from tests.storage.contract import StoreFactory, add_site, tracked

OSLO = ZoneInfo("Europe/Oslo")
UTC = ZoneInfo("UTC")
# 2026-10-25: Oslo falls back (25 hours); 2026-03-29: it springs forward (23 hours)
DAYS = ("2026-03-29", "2026-10-24", "2026-10-25", "2026-10-27")
NOW = datetime(2026, 10, 28, 12, tzinfo=UTC).timestamp()
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
MONTHS = (Period(date(2026, 3, 1), date(2026, 3, 31)), OCTOBER)  # read from the month sums
MINUTE = 60_000
GAPS = [0, 1000, 20_000, 5 * MINUTE, 29 * MINUTE, 30 * MINUTE, 30 * MINUTE + 1, 31 * MINUTE, 3 * 3600_000]
PATHS = [
    "/",
    "/a",
    "/b",
    "/é",
    "/Z",
    "/p?plan=pro",
    "/a?utm_source=news",
    "/b?utm_medium=x&plan=pro",
    "/c?mtm_campaign=spring&pk_kwd=k",
    None,
]
HOSTS = ["www.google.com", "google.co.uk", "l.facebook.com", "t.co", "blog.example", "x.example"]
REFERRERS = [None, None, *HOSTS]
CAMPAIGNS: list[dict[str, str]] = [
    {},
    {},
    {},
    {"utm_source": "news", "utm_medium": "Email"},
    {"utm_medium": "newsletter"},
    {"utm_source": "tw", "utm_medium": "social", "utm_campaign": "fall"},
    {"utm_campaign": "fall"},
]
KINDS = (
    [Kind.PAGEVIEW] * 6
    + [Kind.PING] * 4
    + [Kind.EVENT, Kind.OUTLINK, Kind.DOWNLOAD, Kind.SEARCH, Kind.CONTENT, Kind.GOAL]
)


def _local_ms(day: str, tz: ZoneInfo) -> tuple[int, int]:
    first = date.fromisoformat(day)
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(first + timedelta(days=1), time(), tz)
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def random_day(rng: random.Random, site_id: int, day: str, tz: ZoneInfo, visitors: int) -> list[Event]:
    """A day of ``visitors`` visitors, each a few runs of events with every kind of gap."""
    start, end = _local_ms(day, tz)
    found: list[Event] = []
    for _ in range(visitors):
        visitor = rng.getrandbits(62)
        device = {
            "browser": rng.choice(["Firefox", "Chrome"]),
            "os": rng.choice(["Linux", "iOS"]),
            "device": rng.choice(["desktop", "smartphone", None]),
            "screen": rng.choice(["m", "l"]),
            "language": rng.choice(["en", "nb"]),
            "country": rng.choice(["no", "de", None]),
        }
        at = rng.randrange(start, end)
        for _ in range(rng.randrange(1, 12)):
            at += rng.choice(GAPS)
            if at >= end:
                break
            kind = rng.choice(KINDS)
            fields: dict[str, Any] = {
                **device,
                "referrer_host": rng.choice(REFERRERS),
                **rng.choice(CAMPAIGNS),
            }
            if kind is Kind.EVENT:
                fields.update(
                    event_category=rng.choice(["video", "form"]), event_action=rng.choice(["play", None])
                )
            elif kind in (Kind.OUTLINK, Kind.DOWNLOAD):
                fields["target"] = rng.choice(["https://a.example/x", "https://b.example/y.pdf"])
            elif kind is Kind.SEARCH:
                fields["search_query"] = rng.choice(["Shoes", "shoes", "ÄPFEL", "äpfel"])
            found.append(
                Event(
                    site_id=site_id,
                    ts_ms=at,
                    day=day,
                    visitor=visitor,
                    kind=kind,
                    path=rng.choice(PATHS),
                    new_visit=rng.random() < 0.15,
                    **fields,
                )
            )
    restless = rng.getrandbits(62)  # a new visit at every page view: more than 64 visits
    for n in range(90):
        found.append(
            Event(
                site_id=site_id,
                ts_ms=start + 1000 * n,
                day=day,
                visitor=restless,
                kind=rng.choice([Kind.PAGEVIEW, Kind.PAGEVIEW, Kind.PING]),
                path=rng.choice(PATHS[:3]),
                new_visit=True,
            )
        )
    rng.shuffle(found)  # arrival order is not time order
    return found


async def write(store: Store, events: list[Event]) -> None:
    for first in range(0, len(events), 500):
        items = [tracked(e) for e in events[first : first + 500]]
        assert await store.write_batch(items) == [None] * len(items)


async def report(reader: StatsReader, site_id: int, period: Period) -> dict[str, Any]:
    """Everything a reader answers for a period."""
    found: dict[str, Any] = {
        "totals": await reader.totals(site_id, period),
        "grid": await reader.hour_grid(site_id, period),
    }
    for interval in ("day", "hour", "month"):
        found[interval] = await reader.series(site_id, period, interval)
    for name, dimension in DIMENSIONS.items():
        found[name] = await reader.breakdown(site_id, dimension, period, 500, 0)
        found[name + "@3"] = await reader.breakdown(site_id, dimension, period, 3, 2)
    return found


FILTERS = [
    Filters(page="/a"),
    Filters(page="/b?plan=pro"),
    Filters(referrer="t.co"),
    Filters(device="smartphone"),
    Filters(country="no", utm_campaign="fall"),
]


async def reports(store: Store, sites: dict[int, SiteClock]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for site_id in sites:
        for day in DAYS:
            one = Period(date.fromisoformat(day), date.fromisoformat(day))
            found[f"{site_id} {day}"] = await report(store.stats(), site_id, one)
        for month in MONTHS:
            found[f"{site_id} {month.start:%Y-%m}"] = await report(store.stats(), site_id, month)
        for filters in FILTERS:
            reader = store.filtered_stats(filters, sites)
            try:
                found[f"{site_id} {filters}"] = await report(reader, site_id, OCTOBER)
            finally:
                reader.close()
    return found


@pytest.fixture
async def sqlite_reference(tmp_path: Path) -> AsyncIterator[Store]:
    """A SQLite store of its own: what every backend must answer."""
    reference = open_store(Settings(database=f"sqlite:///{tmp_path}/reference.sqlite3", writer="thread"))
    await reference.open()
    await reference.migrate()
    yield reference
    await reference.close()


async def _two_sites(*stores: Store) -> list[Site]:
    found: list[list[Site]] = []
    for each in stores:
        found.append([await add_site(each, "Utc", "UTC"), await add_site(each, "Oslo", "Europe/Oslo")])
    assert all([s.id for s in f] == [s.id for s in found[0]] for f in found)
    return found[0]


def _clocks(sites: list[Site]) -> dict[int, SiteClock]:
    return {s.id: SiteClock(s.tz, 365) for s in sites}


def _events(sites: list[Site], seed: int, visitors: int) -> list[Event]:
    rng = random.Random(seed)
    return [e for s in sites for day in DAYS for e in random_day(rng, s.id, day, s.tz, visitors)]


async def test_every_backend_rolls_up_random_days_as_sqlite_does(
    store: Store, sqlite_reference: Store
) -> None:
    await _same_as_sqlite(store, sqlite_reference)


async def test_a_big_day_rolled_up_in_parts_is_the_day_rolled_up_whole(
    store: Store, sqlite_reference: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    if getattr(store, "dialect", None) != "postgresql":
        pytest.skip("PostgreSQL computes a big day in parts (a share of the visitors each)")
    from collector.storage import pg_rollup

    monkeypatch.setattr(pg_rollup, "PART_EVENTS", 200)  # every day here is big
    await _same_as_sqlite(store, sqlite_reference)


async def _same_as_sqlite(store: Store, sqlite_reference: Store) -> None:
    sites = await _two_sites(store, sqlite_reference)
    clocks = _clocks(sites)
    first, late = _events(sites, seed=11, visitors=120), _events(sites, seed=12, visitors=25)
    for each in (store, sqlite_reference):
        await write(each, first)
        assert len(await each.rollup(clocks, NOW, None)) == len(DAYS) * len(sites)
        await write(each, late)  # days re-rolled: their month sums lose the old rows, gain the new
        assert len(await each.rollup(clocks, NOW, None)) == len(DAYS) * len(sites)
    assert await reports(store, clocks) == await reports(sqlite_reference, clocks)


async def test_a_day_whose_events_are_gone_leaves_no_rows_or_month_sums(
    store: Store, sqlite_reference: Store
) -> None:
    sites = await _two_sites(store, sqlite_reference)
    clocks = _clocks(sites)
    for each in (store, sqlite_reference):
        await write(each, _events(sites, seed=5, visitors=30))
        await each.rollup(clocks, NOW, None)
        for site in sites:
            await each.purge_events(site.id, DAYS[1])  # the first day's raw events go
        await each.rollup(clocks, NOW, [(s.id, DAYS[0]) for s in sites])
    assert await reports(store, clocks) == await reports(sqlite_reference, clocks)
    gone = Period(date.fromisoformat(DAYS[0]), date.fromisoformat(DAYS[0]))
    assert (await store.stats().totals(sites[0].id, gone)).visits == 0


async def test_two_rollups_racing_do_each_day_once_with_the_same_numbers(
    make_store: StoreFactory, sqlite_reference: Store
) -> None:
    one, other = make_store(), make_store()  # two nodes on one database
    await one.open()
    await one.migrate()
    await other.open()
    try:
        sites = await _two_sites(one, sqlite_reference)
        clocks = _clocks(sites)
        events = _events(sites, seed=21, visitors=150)
        await write(one, events)
        await write(sqlite_reference, events)
        await sqlite_reference.rollup(clocks, NOW, None)
        done = await asyncio.gather(one.rollup(clocks, NOW, None), other.rollup(clocks, NOW, None))
        assert sorted(done[0] + done[1]) == sorted((s.id, d) for s in sites for d in DAYS)
        assert await one.rollup(clocks, NOW, None) == []
        expected = await reports(sqlite_reference, clocks)
        assert await reports(other, clocks) == expected
        chosen = [(s.id, d) for s in sites for d in DAYS]
        await asyncio.gather(one.rollup(clocks, NOW, chosen), other.rollup(clocks, NOW, chosen))
        assert await reports(one, clocks) == expected
    finally:
        await other.close()
        await one.close()


def _during_rollup(store: Store, monkeypatch: pytest.MonkeyPatch, action: Callable[[], Any]) -> None:
    """Run ``action`` (a coroutine function) once, while the first day is being computed and
    before it is published, whichever backend computes it."""
    loop = asyncio.get_running_loop()
    ran: list[bool] = []
    if getattr(store, "dialect", None) == "postgresql":
        from collector.storage import pg_rollup

        compute = pg_rollup.compute_day

        async def computing(conn: Any, params: Any, filtered: bool = False) -> None:
            await compute(conn, params, filtered)
            if not ran:
                ran.append(True)
                await action()

        monkeypatch.setattr(pg_rollup, "compute_day", computing)
        return
    from collector.storage import sqlite_rollup

    steps = sqlite_rollup.run_steps

    def running(conn: Any, names: Any, params: Any) -> None:
        steps(conn, names, params)
        if not ran and "rollup/22_dim_actions" in names:  # computed, not yet published
            ran.append(True)
            asyncio.run_coroutine_threadsafe(action(), loop).result()

    monkeypatch.setattr(sqlite_rollup, "run_steps", running)


async def test_a_batch_committed_during_a_rollup_keeps_its_day_dirty(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = await add_site(store, "Oslo", "Europe/Oslo")
    clocks = {site.id: SiteClock(OSLO, 30)}
    day = DAYS[1]
    events = random_day(random.Random(3), site.id, day, OSLO, 40)
    await write(store, events)
    start, _ = _local_ms(day, OSLO)
    late = Event(
        site_id=site.id, ts_ms=start + 3_600_000, day=day, visitor=42, kind=Kind.PAGEVIEW, path="/late"
    )

    async def commit_late() -> None:
        await write(store, [late])

    _during_rollup(store, monkeypatch, commit_late)
    one = Period(date.fromisoformat(day), date.fromisoformat(day))
    assert await store.rollup(clocks, NOW, None) == [(site.id, day)]
    before = await store.stats().totals(site.id, one)
    assert await store.rollup(clocks, NOW, None) == [(site.id, day)]  # still dirty: done again
    after = await store.stats().totals(site.id, one)
    assert (after.visitors, after.pageviews) == (before.visitors + 1, before.pageviews + 1)
    assert await store.rollup(clocks, NOW, None) == []


async def test_pg_visit_numbering_is_the_python_pass(store: Store) -> None:
    """PostgreSQL's window functions number each event as ``sqlite_visits.number`` does, on
    random days like tests/rollups/test_visit_numbering.py's (pings first, orphans, 30
    minutes exactly, new_visit, equal times)."""
    if getattr(store, "dialect", None) != "postgresql":
        pytest.skip("SQLite numbers visits with the Python pass itself")
    from collector.rollups.channels import page
    from collector.storage import pg_rollup
    from collector.storage.sql import query
    from collector.storage.sqlite_rollup import day_params
    from collector.storage.sqlite_visits import number

    site = await add_site(store)
    rng = random.Random(7)
    pool: Any = getattr(store, "pool")  # noqa: B009 - PgStore's, not the Store interface's
    for case in range(120):
        day = (date(2026, 1, 1) + timedelta(days=case)).isoformat()
        start, _ = _local_ms(day, UTC)
        events = [
            Event(
                site_id=site.id,
                ts_ms=start + rng.randrange(0, 4 * 3600) * 1000,
                day=day,
                visitor=rng.randrange(4),
                kind=rng.choice([Kind.PAGEVIEW, Kind.PING, Kind.PING, Kind.EVENT]),
                path=rng.choice(["/", "/a", "/b?utm_source=x", None]),
                new_visit=rng.random() < 0.25,
            )
            for _ in range(rng.randrange(0, 60))
        ]
        await write(store, events)
        params = {**day_params(site.id, date.fromisoformat(day), SiteClock(UTC, 30)), "parts": 1, "part": 0}
        async with pool.acquire() as conn, conn.transaction():
            raw = await conn.fetch(
                "SELECT id, visitor, ts_ms, kind, path, new_visit FROM events WHERE day = $1", day
            )
            await pg_rollup.run_steps(
                conn,
                ("rollup/01_visit_events",),
                params,
                day_events=query("rollup/01_day_events", "postgresql"),
            )
            await pg_rollup._strip_campaign_keys(conn)
            numbered = await conn.fetch(
                "SELECT id, visitor, ts_ms, kind, path, is_start, visit_no FROM _visit_events ORDER BY id"
            )
            found = [tuple(r) for r in numbered]
        ordered = sorted(
            ((r[0], r[1], r[2], r[3], page(r[4]), r[5]) for r in raw), key=lambda r: (r[1], r[2], r[0])
        )
        assert found == sorted(number(ordered)), f"case {case}"
