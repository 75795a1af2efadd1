"""Times of day: the scripted traffic of tests/rollups (Europe/Oslo, three days, visits
across midnight) through /matomo.php and the rollup; visits by hour, by weekday and the
weekday × hour grid must equal what plain Python computes from the visit rules, in the
stats API and in Matomo's VisitTime methods alike."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

import httpx
import pytest

from collector.clock import FrozenClock
from collector.model import Site
from collector.rollups.runner import rollup
from collector.settings import Settings
from collector.stats.period import Period
from collector.stats.times import WEEKDAYS, weekday_counts
from collector.storage.sqlite import SqliteStore
from tests.rollups.answers import INTERACTIVE, Answers
from tests.rollups.traffic import D1, D3, SCRIPT, TZ, send, shuffled

pytestmark = pytest.mark.both_backends  # the same numbers on SQLite and PostgreSQL

ANSWERS = Answers(SCRIPT)


def expected_hours() -> list[dict[str, int]]:
    rows = []
    for hour in range(24):
        hits = [(v, h) for v in ANSWERS.visits for h in v.hits if h.at.astimezone(TZ).hour == hour]
        rows.append(
            {
                "hour": hour,
                "visitors": len({(v.who.name, v.day) for v, _ in hits}),
                "visits": sum(v.start_hour == hour for v in ANSWERS.visits),
                "pageviews": sum(h.kind == "pageview" for _, h in hits),
                "events": sum(h.kind in INTERACTIVE for _, h in hits),
            }
        )
    return rows


def expected_grid() -> list[list[int]]:
    grid = [[0] * 24 for _ in range(7)]
    for visit in ANSWERS.visits:
        grid[visit.day.isoweekday() - 1][visit.start_hour] += 1
    return grid


def expected_weekdays() -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, Any]] = defaultdict(lambda: {"visits": 0, "pageviews": 0, "who": set()})
    for visit in ANSWERS.visits:
        row = found[visit.day.isoweekday()]
        row["visits"] += 1
        row["pageviews"] += visit.pageviews
        row["who"].add((visit.who.name, visit.day))
    return {
        n: {"visits": r["visits"], "pageviews": r["pageviews"], "visitors": len(r["who"])}
        for n, r in found.items()
    }


@pytest.fixture
async def tracked(
    client: httpx.AsyncClient,
    site: Site,
    admin_token: str,
    store: SqliteStore,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    await send(client, site.id, admin_token, shuffled(SCRIPT))
    await rollup(store, settings, clock)


def test_the_script_spans_hours_and_weekdays() -> None:
    assert sum(1 for row in expected_grid() for n in row if n) >= 5, "too little spread to test anything"


async def test_times_of_day_equal_the_rules(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: None
) -> None:
    auth = {"Authorization": f"Bearer {stats_token}"}
    reply = await client.get(f"/api/v1/sites/{site.id}/times?from={D1}&to={D3}", headers=auth)
    assert reply.status_code == 200, reply.text
    data = reply.json()
    assert data["hours"] == expected_hours()
    assert [row["visits"] for row in data["grid"]] == expected_grid()
    weekdays = expected_weekdays()
    for row in data["weekdays"]:
        want = weekdays.get(row["weekday"], {"visits": 0, "pageviews": 0, "visitors": 0})
        assert {k: row[k] for k in want} == want, row
        assert row["name"] == WEEKDAYS[row["weekday"] - 1]
    assert sum(row["visits"] for row in data["weekdays"]) == len(ANSWERS.visits)

    as_csv = await client.get(f"/api/v1/sites/{site.id}/times?from={D1}&to={D3}&format=csv", headers=auth)
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [[int(r[f"{h:02d}h"]) for h in range(24)] for r in table] == expected_grid()


async def test_matomo_visit_time_methods_equal_the_stats_api(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: None
) -> None:
    base = (
        f"/index.php?module=API&idSite={site.id}&period=range&date={D1},{D3}"
        f"&format=json&token_auth={stats_token}"
    )
    hours = expected_hours()
    for method in ("getVisitInformationPerServerTime", "getVisitInformationPerLocalTime"):
        rows = (await client.get(f"{base}&method=VisitTime.{method}")).json()
        assert [r["label"] for r in rows] == [f"{h}h" for h in range(24)]
        assert [r["nb_visits"] for r in rows] == [h["visits"] for h in hours]
        assert [r["nb_uniq_visitors"] for r in rows] == [h["visitors"] for h in hours]
        assert [r["nb_actions"] for r in rows] == [h["pageviews"] + h["events"] for h in hours]
    days = (await client.get(f"{base}&method=VisitTime.getByDayOfWeek")).json()
    assert [(r["label"], r["day_of_week"]) for r in days] == [
        (name, n + 1) for n, name in enumerate(WEEKDAYS)
    ]
    weekdays = expected_weekdays()
    assert [r["nb_visits"] for r in days] == [weekdays.get(n, {"visits": 0})["visits"] for n in range(1, 8)]
    assert "max_actions" not in days[0]
    several = await client.get(
        f"/index.php?module=API&idSite={site.id}&period=day&date=last3&format=json"
        f"&token_auth={stats_token}&method=VisitTime.getByDayOfWeek"
    )
    assert several.status_code == 400 and "multiple dates" in several.json()["message"]


@pytest.mark.parametrize(
    ("start", "end", "counts"),
    [
        ("2026-11-23", "2026-11-23", [1, 0, 0, 0, 0, 0, 0]),  # a Monday
        ("2026-11-23", "2026-11-29", [1] * 7),
        ("2026-11-20", "2026-12-03", [2] * 7),
        ("2026-11-20", "2026-12-04", [2, 2, 2, 2, 3, 2, 2]),  # 15 days from a Friday
    ],
)
def test_weekday_counts(start: str, end: str, counts: list[int]) -> None:
    from datetime import date

    assert weekday_counts(Period(date.fromisoformat(start), date.fromisoformat(end))) == counts
