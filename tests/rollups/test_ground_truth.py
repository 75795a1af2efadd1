"""Ground truth: scripted traffic with known answers goes through ``/matomo.php`` (back-dated
with ``cdt``), is rolled up, and every number the stats API gives must equal the answer
computed independently in :mod:`tests.rollups.traffic`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from collector.clock import FrozenClock
from collector.model import Site
from collector.rollups.runner import rollup
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from tests.conftest import Tables
from tests.rollups.answers import Answers
from tests.rollups.traffic import (
    CHROME,
    D1,
    D2,
    D3,
    SCRIPT,
    Visitor,
    ping,
    pv,
    send,
    shuffled,
)

pytestmark = pytest.mark.both_backends  # the same numbers on SQLite and PostgreSQL

ANSWERS = Answers(SCRIPT)
FROM, TO = D1, D3
SUMMED = ("visitors", "visits", "pageviews", "entries", "exits", "bounces", "duration_s", "events")
TABLES = {
    "daily_site": "SELECT * FROM daily_site ORDER BY site_id, day",
    "hourly_site": "SELECT * FROM hourly_site ORDER BY site_id, day, hour",
    "daily_dimension": "SELECT * FROM daily_dimension ORDER BY site_id, dimension, day, value",
    "monthly_dimension": "SELECT * FROM monthly_dimension ORDER BY site_id, month, dimension, value",
    # the monthly sums must always equal the daily rows they summarise
    "monthly_from_daily": "SELECT site_id, substr(day, 1, 7) AS month, dimension, value, "
    + ", ".join(f"SUM({c}) AS {c}" for c in SUMMED)
    + " FROM daily_dimension GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
}


@pytest.fixture
async def tracked(
    client: httpx.AsyncClient,
    site: Site,
    admin_token: str,
    store: SqliteStore,
    settings: Settings,
    clock: FrozenClock,
) -> list[tuple[int, str]]:
    """The whole script sent in a shuffled order, then one rollup."""
    assert await send(client, site.id, admin_token, shuffled(SCRIPT)) == sum(len(v.hits) for v in SCRIPT)
    return await rollup(store, settings, clock)


async def api(client: httpx.AsyncClient, token: str, site: Site, path: str) -> dict[str, Any]:
    reply = await client.get(f"/api/v1/sites/{site.id}/{path}", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200, reply.text
    data: dict[str, Any] = reply.json()
    return data


async def dump(db: Tables) -> dict[str, list[dict[str, Any]]]:
    return {name: await db.rows(sql) for name, sql in TABLES.items()}


async def daily_site(db: Tables) -> dict[str, tuple[int, ...]]:
    return {
        r["day"]: (r["visitors"], r["visits"], r["pageviews"], r["bounces"], r["duration_s"], r["events"])
        for r in await db.rows("SELECT * FROM daily_site ORDER BY day")
    }


async def test_the_rollup_recomputes_the_days_that_received_events(
    tracked: list[tuple[int, str]], site: Site
) -> None:
    assert sorted(tracked) == [(site.id, D1), (site.id, D2), (site.id, D3)]


async def test_daily_site_rows_equal_the_known_answer(tracked: object, tables: Tables) -> None:
    assert await daily_site(tables) == ANSWERS.daily_site()
    assert await daily_site(tables) == {
        D1: (3, 5, 8, 2, 960, 2),
        D2: (4, 5, 7, 3, 2880, 1),
        D3: (3, 5, 7, 1, 3600, 2),
    }


async def test_summary(client: httpx.AsyncClient, site: Site, stats_token: str, tracked: object) -> None:
    data = await api(client, stats_token, site, f"summary?from={FROM}&to={TO}")
    assert data == ANSWERS.summary(FROM, TO)
    assert (data["visitors"], data["visits"], data["pageviews"], data["events"]) == (10, 15, 22, 5)
    assert (data["views_per_visit"], data["bounce_rate"], data["visit_duration_s"]) == (1.47, 40.0, 496)


@pytest.mark.parametrize("first, last", [(D1, D1), (D2, D2), (D3, D3), (D2, D3)])
async def test_summary_of_shorter_ranges(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: object, first: str, last: str
) -> None:
    data = await api(client, stats_token, site, f"summary?from={first}&to={last}")
    assert data == ANSWERS.summary(first, last)


async def test_daily_timeseries(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: object
) -> None:
    data = await api(client, stats_token, site, "timeseries?from=2026-11-19&to=2026-11-22&interval=day")
    assert data["interval"] == "day" and data["visitors_window"] == "day"
    assert data["points"] == ANSWERS.daily("2026-11-19", "2026-11-22")
    assert data["points"][0] == {
        "date": "2026-11-19",
        "visitors": 0,
        "visits": 0,
        "pageviews": 0,
        "views_per_visit": 0.0,
        "bounce_rate": 0.0,
        "visit_duration_s": 0,
        "events": 0,
    }


async def test_monthly_timeseries(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: object
) -> None:
    data = await api(client, stats_token, site, "timeseries?from=2026-10-01&to=2026-11-30&interval=month")
    november = {
        k: v
        for k, v in ANSWERS.summary(FROM, TO).items()
        if k not in ("from", "to", "previous", "visitors_window")
    }
    zero = {
        "visitors": 0,
        "visits": 0,
        "pageviews": 0,
        "views_per_visit": 0.0,
        "bounce_rate": 0.0,
        "visit_duration_s": 0,
        "events": 0,
    }
    assert data["points"] == [{"date": "2026-10", **zero}, {"date": "2026-11", **november}]


@pytest.mark.parametrize("day", [D1, D2, D3])
async def test_hourly_timeseries(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: object, day: str
) -> None:
    data = await api(client, stats_token, site, f"timeseries?from={day}&to={day}&interval=hour")
    assert data["visitors_window"] == "hour"
    assert data["points"] == ANSWERS.hourly(day)


async def test_hourly_numbers_of_the_day_with_the_midnight_visit(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: object
) -> None:
    data = await api(client, stats_token, site, f"timeseries?from={D2}&to={D2}&interval=hour")
    busy = {
        p["date"][-2:]: (p["visitors"], p["visits"], p["pageviews"], p["events"])
        for p in data["points"]
        if p["visitors"]
    }
    # ben 08:00; eva 12:00 + 12:30 and 13:00:01; anna 14:00 (+ping 14:10); cara 23:50, 23:55, 23:58 event
    assert busy == {
        "08": (1, 1, 1, 0),
        "12": (1, 1, 2, 0),
        "13": (1, 1, 1, 0),
        "14": (1, 1, 1, 0),
        "23": (1, 1, 2, 1),
    }


DIMENSIONS = [
    "pages",
    "entry_pages",
    "exit_pages",
    "channels",
    "referrers",
    "browsers",
    "devices",
    "os",
    "events",
    "outlinks",
    "utm_campaigns",
    "utm_mediums",
    "utm_sources",
]
ORDER = {
    "pages": "pageviews",
    "entry_pages": "entries",
    "exit_pages": "exits",
    "events": "events",
    "outlinks": "events",
}


@pytest.mark.parametrize("dimension", DIMENSIONS)
@pytest.mark.parametrize("first, last", [(FROM, TO), (D3, D3)])
async def test_breakdowns(
    client: httpx.AsyncClient,
    site: Site,
    stats_token: str,
    tracked: object,
    dimension: str,
    first: str,
    last: str,
) -> None:
    data = await api(client, stats_token, site, f"breakdown/{dimension}?from={first}&to={last}&limit=1000")
    assert data["dimension"] == dimension
    assert {r["value"]: r for r in data["rows"]} == ANSWERS.breakdown(dimension, first, last)
    metric = ORDER.get(dimension, "visitors")
    ranked = [r[metric] for r in data["rows"]]
    assert ranked == sorted(ranked, reverse=True)


async def test_some_breakdown_rows_spelled_out(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: object
) -> None:
    async def get(dimension: str) -> dict[str, tuple[int, ...]]:
        data = await api(client, stats_token, site, f"breakdown/{dimension}?from={FROM}&to={TO}&limit=100")
        return {r["value"]: (r["visitors"], r["visits"]) for r in data["rows"]}

    assert await get("channels") == {
        "direct": (5, 8),
        "search": (3, 3),
        "social": (1, 1),
        "email": (1, 1),
        "campaign": (1, 1),
        "referral": (1, 1),
    }
    assert await get("referrers") == {
        "google.com": (1, 1),
        "t.co": (1, 1),
        "duckduckgo.com": (1, 1),
        "bing.com": (1, 1),
        "blog.partner.org": (1, 1),
        "news.unknown-host.net": (1, 1),
    }
    assert await get("devices") == {"desktop": (6, 8), "mobile": (3, 5), "tablet": (1, 2)}
    assert await get("events") == {
        "signup / click": (1, 1),
        "video / play": (1, 1),
        "cta / click": (1, 1),
        "signup / submit": (1, 1),
    }


async def test_rolling_up_twice_changes_nothing(
    tracked: object,
    store: SqliteStore,
    settings: Settings,
    clock: FrozenClock,
    site: Site,
    tables: Tables,
) -> None:
    first = await dump(tables)
    assert first["daily_site"] and first["hourly_site"] and first["daily_dimension"]
    assert [tuple(r.values()) for r in first["monthly_dimension"]] == [
        tuple(r.values()) for r in first["monthly_from_daily"]
    ]
    assert await rollup(store, settings, clock) == []  # nothing dirty
    assert await dump(tables) == first
    assert len(await rollup(store, settings, clock, site_id=site.id)) == 3  # every day recomputed
    assert await dump(tables) == first


async def test_rolling_up_in_two_halves_equals_one_rollup(
    client: httpx.AsyncClient,
    site: Site,
    admin_token: str,
    store: SqliteStore,
    settings: Settings,
    clock: FrozenClock,
    tables: Tables,
) -> None:
    pairs = shuffled(SCRIPT, seed=11)
    half = len(pairs) // 2
    await send(client, site.id, admin_token, pairs[:half])
    await rollup(store, settings, clock)
    partial = await daily_site(tables)
    assert partial == Answers(_only(pairs[:half])).daily_site()
    await send(client, site.id, admin_token, pairs[half:])
    await rollup(store, settings, clock)
    in_halves = await dump(tables)
    assert await daily_site(tables) == ANSWERS.daily_site()
    # the second rollup replaced days the first had summed into their months
    assert [tuple(r.values()) for r in in_halves["monthly_dimension"]] == [
        tuple(r.values()) for r in in_halves["monthly_from_daily"]
    ]

    for table in TABLES:
        if table != "monthly_from_daily":
            await tables.execute(f"DELETE FROM {table}")
    assert await rollup(store, settings, clock, site_id=site.id)
    assert await dump(tables) == in_halves


def _only(pairs: list[tuple[Visitor, Any]]) -> list[Visitor]:
    """The visitors of ``pairs`` with only the hits in ``pairs``."""
    out: dict[str, Visitor] = {}
    for who, hit in pairs:
        known = out.get(who.name, Visitor(who.name, who.ip, who.agent, ()))
        out[who.name] = Visitor(who.name, who.ip, who.agent, (*known.hits, hit))
    return list(out.values())


async def test_a_late_back_dated_event_re_dirties_its_day(
    client: httpx.AsyncClient,
    site: Site,
    admin_token: str,
    store: SqliteStore,
    settings: Settings,
    clock: FrozenClock,
    tables: Tables,
    tracked: object,
    stats_token: str,
) -> None:
    before = await daily_site(tables)
    clock.advance(3600)  # an hour later, a beacon from two days ago arrives
    late = Visitor("late", "10.77.0.1", CHROME, (pv(D1, "18:00", "/pricing"), pv(D1, "18:04", "/docs")))
    await send(client, site.id, admin_token, [(late, hit) for hit in late.hits])
    assert await rollup(store, settings, clock) == [(site.id, D1)]
    after = await daily_site(tables)
    assert after == Answers((*SCRIPT, late)).daily_site()
    assert after[D1] == (4, 6, 10, 2, 1200, 2)
    assert (after[D2], after[D3]) == (before[D2], before[D3])
    data = await api(client, stats_token, site, f"summary?from={D1}&to={D1}")
    assert (data["visitors"], data["visits"], data["pageviews"]) == (4, 6, 10)


async def test_a_heartbeat_arriving_after_a_rollup_extends_the_visit(
    client: httpx.AsyncClient,
    site: Site,
    admin_token: str,
    store: SqliteStore,
    settings: Settings,
    clock: FrozenClock,
    tables: Tables,
    tracked: object,
) -> None:
    finn = next(v for v in SCRIPT if v.name == "finn")
    beat = ping(D3, "11:13", "/thanks")
    await send(client, site.id, admin_token, [(finn, beat)])
    assert await rollup(store, settings, clock) == [(site.id, D3)]
    extended = Visitor("finn", finn.ip, finn.agent, (*finn.hits, beat))
    answers = Answers([*(v for v in SCRIPT if v.name != "finn"), extended])
    assert await daily_site(tables) == answers.daily_site()
    assert (await daily_site(tables))[D3][4] == 3600 + 600  # finn's visit: 180 s → 780 s
