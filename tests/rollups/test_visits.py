"""The visit rules, one case each: hits go through ``/matomo.php`` (``cdt``), are rolled up,
and the daily tables must hold the numbers worked out by hand here.

Rules (docs/counting.md, "Visits"; issue 3): a new visit after 30 minutes without an event from the same
visitor and at midnight in the site's time zone; a heartbeat extends a visit and never
starts one; bounce = one page view and no event; duration = last − first event, heartbeats
included; entry/exit = first/last page view; a visit's attributes are its first event's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from collector.clock import FrozenClock
from collector.model import Site, SiteSettings
from collector.rollups.runner import rollup
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from tests.conftest import rows
from tests.rollups.traffic import CHROME, FIREFOX, Agent, Hit, Visitor, ev, outlink, ping, pv, send

DAY, NEXT = "2026-11-20", "2026-11-21"
Run = Callable[..., Awaitable[None]]


def who(n: int, *hits: Hit, agent: Agent = CHROME, ip: str | None = None) -> Visitor:
    return Visitor(f"v{n}", ip or f"10.{n}.0.1", agent, hits)


@pytest.fixture
def run(
    client: httpx.AsyncClient,
    site: Site,
    admin_token: str,
    store: SqliteStore,
    settings: Settings,
    clock: FrozenClock,
) -> Run:
    """Send the visitors' hits (in script order, or ``pairs`` as given), then roll up."""

    async def go(*visitors: Visitor, pairs: list[tuple[Visitor, Hit]] | None = None) -> None:
        await send(client, site.id, admin_token, pairs or [(v, h) for v in visitors for h in v.hits])
        await rollup(store, settings, clock)

    return go


def days(db: sqlite3.Connection) -> dict[str, tuple[int, ...]]:
    """day → (visitors, visits, pageviews, bounces, duration_s, events)."""
    return {
        r["day"]: (r["visitors"], r["visits"], r["pageviews"], r["bounces"], r["duration_s"], r["events"])
        for r in rows(db, "SELECT * FROM daily_site ORDER BY day")
    }


def dimension(db: sqlite3.Connection, name: str) -> dict[str, dict[str, Any]]:
    found = rows(db, "SELECT * FROM daily_dimension WHERE dimension = ? ORDER BY day, value", name)
    keys = ("visits", "pageviews", "entries", "exits", "bounces")
    return {r["value"]: {k: r[k] for k in keys} for r in found}


def hours(db: sqlite3.Connection) -> dict[tuple[str, int], tuple[int, int, int]]:
    """(day, hour) → (visitors, visits, pageviews)."""
    return {
        (r["day"], r["hour"]): (r["visitors"], r["visits"], r["pageviews"])
        for r in rows(db, "SELECT * FROM hourly_site ORDER BY day, hour")
    }


async def test_more_than_30_minutes_without_an_event_starts_a_new_visit(
    run: Run, db: sqlite3.Connection
) -> None:
    await run(who(1, pv(DAY, "10:00", "/"), pv(DAY, "10:31", "/b")))
    assert days(db) == {DAY: (1, 2, 2, 2, 0, 0)}


@pytest.mark.parametrize(
    "gap, visits, bounces, duration",
    [
        (timedelta(minutes=30), 1, 0, 1800),
        (timedelta(minutes=30, milliseconds=1), 2, 2, 0),
    ],
)
async def test_the_30_minute_boundary(
    run: Run, db: sqlite3.Connection, gap: timedelta, visits: int, bounces: int, duration: int
) -> None:
    first = pv(DAY, "10:00", "/")
    await run(who(1, first, Hit(first.at + gap, "pageview", "/b")))
    assert days(db) == {DAY: (1, visits, 2, bounces, duration, 0)}


async def test_an_orphan_ping_starts_no_visit_and_counts_nowhere(run: Run, db: sqlite3.Connection) -> None:
    await run(who(1, pv(DAY, "10:00", "/"), ping(DAY, "11:15"), ping(DAY, "11:20")))
    assert days(db) == {DAY: (1, 1, 1, 1, 0, 0)}
    assert hours(db) == {(DAY, 10): (1, 1, 1)}  # nothing in hour 11


async def test_a_page_view_after_an_orphan_ping_starts_a_new_visit(run: Run, db: sqlite3.Connection) -> None:
    await run(who(1, pv(DAY, "10:00", "/"), ping(DAY, "10:40"), pv(DAY, "10:50", "/b")))
    assert days(db) == {DAY: (1, 2, 2, 2, 0, 0)}


async def test_a_chain_of_pings_keeps_a_visit_alive(run: Run, db: sqlite3.Connection) -> None:
    await run(
        who(
            1,
            pv(DAY, "10:00", "/"),
            ping(DAY, "10:20"),
            ping(DAY, "10:40"),
            ping(DAY, "11:00"),
            pv(DAY, "11:20", "/b"),
        )
    )
    assert days(db) == {DAY: (1, 1, 2, 0, 4800, 0)}
    assert dimension(db, "pages") == {
        "/": {"visits": 1, "pageviews": 1, "entries": 1, "exits": 0, "bounces": 0},
        "/b": {"visits": 1, "pageviews": 1, "entries": 0, "exits": 1, "bounces": 0},
    }


async def test_a_ping_before_the_first_page_view_of_a_day_is_dropped(
    run: Run, db: sqlite3.Connection
) -> None:
    await run(
        who(1, ping(DAY, "09:55"), pv(DAY, "10:00", "/")), who(2, ping(DAY, "12:00"), ping(DAY, "12:05"))
    )
    assert days(db) == {DAY: (1, 1, 1, 1, 0, 0)}  # v2's pings alone make no visit and no visitor
    assert hours(db) == {(DAY, 10): (1, 1, 1)}


async def test_midnight_in_the_site_time_zone_splits_a_visit(run: Run, db: sqlite3.Connection) -> None:
    await run(
        who(1, pv(DAY, "23:50", "/"), ping(DAY, "23:58"), pv(NEXT, "00:10", "/b"), pv(NEXT, "00:15", "/c"))
    )
    assert days(db) == {DAY: (1, 1, 1, 1, 480, 0), NEXT: (1, 1, 2, 0, 300, 0)}
    assert hours(db) == {(DAY, 23): (1, 1, 1), (NEXT, 0): (1, 1, 2)}


async def test_utc_midnight_does_not_split_a_visit(run: Run, db: sqlite3.Connection) -> None:
    # 00:50 and 01:05 in Oslo are 23:50 and 00:05 UTC: one local day, one visit
    await run(who(1, pv(NEXT, "00:50", "/"), pv(NEXT, "01:05", "/b")))
    assert days(db) == {NEXT: (1, 1, 2, 0, 900, 0)}
    assert hours(db) == {(NEXT, 0): (1, 1, 1), (NEXT, 1): (1, 0, 1)}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "now, moments, expected",
    [
        # spring forward: 02:00 CET → 03:00 CEST at 01:00 UTC; 2026-03-29 has 23 hours
        (
            "2026-03-30T12:00",
            [
                "2026-03-28T22:30",
                "2026-03-28T23:30",
                "2026-03-29T00:30",
                "2026-03-29T01:30",
                "2026-03-29T21:30",
                "2026-03-29T22:30",
            ],
            {
                ("2026-03-28", 23): 1,
                ("2026-03-29", 0): 1,
                ("2026-03-29", 1): 1,
                ("2026-03-29", 3): 1,
                ("2026-03-29", 23): 1,
                ("2026-03-30", 0): 1,
            },
        ),
        # fall back: 03:00 CEST → 02:00 CET at 01:00 UTC; hour 2 happens twice on 2026-10-25
        (
            "2026-10-26T12:00",
            [
                "2026-10-24T21:30",
                "2026-10-24T22:30",
                "2026-10-24T23:30",
                "2026-10-25T00:30",
                "2026-10-25T01:30",
                "2026-10-25T02:30",
                "2026-10-25T22:30",
                "2026-10-25T23:30",
            ],
            {
                ("2026-10-24", 23): 1,
                ("2026-10-25", 0): 1,
                ("2026-10-25", 1): 1,
                ("2026-10-25", 2): 2,
                ("2026-10-25", 3): 1,
                ("2026-10-25", 23): 1,
                ("2026-10-26", 0): 1,
            },
        ),
    ],
)
async def test_dst_days_put_events_in_the_right_local_hour(
    run: Run,
    db: sqlite3.Connection,
    clock: FrozenClock,
    now: str,
    moments: list[str],
    expected: dict[tuple[str, int], int],
) -> None:
    clock.now = utc(now).timestamp()
    await run(*(who(n + 1, Hit(utc(m), "pageview", f"/{n}")) for n, m in enumerate(moments)))
    assert {key: visits for key, (_, visits, _) in hours(db).items()} == expected
    by_day: dict[str, int] = {}
    for (day, _), n in expected.items():
        by_day[day] = by_day.get(day, 0) + n
    assert {day: row[1] for day, row in days(db).items()} == by_day


async def test_new_visit_starts_a_visit_but_not_on_a_ping(run: Run, db: sqlite3.Connection) -> None:
    await run(
        who(
            1,
            pv(DAY, "10:00", "/"),
            pv(DAY, "10:05", "/b", new_visit=True),
            Hit(pv(DAY, "10:07").at, "ping", "/b", new_visit=True),
        )
    )
    assert days(db) == {DAY: (1, 2, 2, 2, 120, 0)}


@pytest.mark.parametrize(
    "hits, bounces",
    [
        ([pv(DAY, "10:00")], 1),
        ([pv(DAY, "10:00"), ping(DAY, "10:10")], 1),  # a heartbeat is no interaction
        ([pv(DAY, "10:00"), ev(DAY, "10:01", "video", "play")], 0),
        ([pv(DAY, "10:00"), outlink(DAY, "10:01", "https://github.com/x")], 0),
        ([pv(DAY, "10:00"), pv(DAY, "10:01", "/b")], 0),
        ([ev(DAY, "10:00", "video", "play")], 0),  # no page view at all
    ],
)
async def test_a_bounce_is_one_page_view_and_no_event(
    run: Run, db: sqlite3.Connection, hits: list[Hit], bounces: int
) -> None:
    await run(who(1, *hits))
    assert days(db)[DAY][1:4:2] == (1, bounces)


async def test_duration_is_last_minus_first_event_heartbeats_included(
    run: Run, db: sqlite3.Connection
) -> None:
    await run(
        who(1, pv(DAY, "10:00", "/"), ev(DAY, "10:02", "video", "play"), ping(DAY, "10:09:30")),
        who(2, pv(DAY, "11:00", "/"), pv(DAY, "11:01:15", "/b")),
    )
    assert days(db) == {DAY: (2, 2, 3, 0, 570 + 75, 1)}


async def test_campaign_keys_are_stripped_from_pages(
    run: Run,
    db: sqlite3.Connection,
    store: SqliteStore,
    site: Site,
    client: httpx.AsyncClient,
    admin_token: str,
) -> None:
    await store.update_site(
        site.id, site.name, site.domains, site.timezone, SiteSettings(allowed_query_keys=("plan",))
    )
    await run(
        who(1, pv(DAY, "10:00", "/pricing?utm_source=news&utm_medium=email")),
        who(2, pv(DAY, "10:01", "/pricing?mtm_campaign=x&pk_kwd=y")),
        who(3, pv(DAY, "10:02", "/pricing")),
        who(4, pv(DAY, "10:03", "/pricing?plan=pro&utm_campaign=z")),
    )
    assert dimension(db, "pages") == {
        "/pricing": {"visits": 3, "pageviews": 3, "entries": 3, "exits": 3, "bounces": 3},
        "/pricing?plan=pro": {"visits": 1, "pageviews": 1, "entries": 1, "exits": 1, "bounces": 1},
    }
    assert set(dimension(db, "utm_campaigns")) == {"x", "z"}


async def test_visit_attributes_come_from_its_first_event_in_time_not_in_arrival(
    run: Run, db: sqlite3.Connection
) -> None:
    v = who(
        1, pv(DAY, "10:00", "/", "https://www.google.com/"), pv(DAY, "10:05", "/b", "https://example.com/")
    )
    await run(pairs=[(v, v.hits[1]), (v, v.hits[0])])  # the later page view arrives first
    assert days(db) == {DAY: (1, 1, 2, 0, 300, 0)}
    assert dimension(db, "channels") == {
        "search": {"visits": 1, "pageviews": 2, "entries": 0, "exits": 0, "bounces": 0}
    }
    assert set(dimension(db, "referrers")) == {"google.com"}
    assert {k: (v["entries"], v["exits"]) for k, v in dimension(db, "pages").items()} == {
        "/": (1, 0),
        "/b": (0, 1),
    }


async def test_visitors_are_told_apart_by_masked_ip_and_user_agent(run: Run, db: sqlite3.Connection) -> None:
    await run(
        who(1, pv(DAY, "10:00", "/"), ip="10.9.1.1"),
        who(2, pv(DAY, "10:01", "/b"), ip="10.9.200.200"),  # same /16: the same visitor
        who(3, pv(DAY, "10:02", "/c"), ip="10.9.1.1", agent=FIREFOX),  # another browser
        who(4, pv(DAY, "10:03", "/d"), ip="10.10.1.1"),
    )  # another network
    assert days(db) == {DAY: (3, 3, 4, 2, 60, 0)}
