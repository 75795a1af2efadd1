"""The stats API as CSV: timeseries and breakdowns equal their JSON, cell by cell, and an
empty breakdown still has its header."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from collector.clock import FrozenClock
from collector.model import Site
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from tests.stats.test_api import D1, D3, PREVIOUS, bearer, get, track

pytestmark = pytest.mark.both_backends  # the same numbers on SQLite and PostgreSQL


def parse_csv(reply: httpx.Response) -> list[dict[str, str]]:
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(reply.text)))


def as_text(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in row.items()} for row in rows]


@pytest.mark.parametrize(
    "query, header",
    [
        (
            f"from={D1}&to={D3}&interval=day",
            "date,visitors,visits,pageviews,views_per_visit,bounce_rate,visit_duration_s,events",
        ),
        (f"from={D3}&to={D3}&interval=hour", "date,visitors,visits,pageviews,views_per_visit,events"),
        (
            "from=2026-10-01&to=2026-11-30&interval=month",
            "date,visitors,visits,pageviews,views_per_visit,bounce_rate,visit_duration_s,events",
        ),
    ],
)
async def test_timeseries_as_csv(
    client: httpx.AsyncClient,
    site: Site,
    stats_token: str,
    admin_token: str,
    store: SqliteStore,
    settings: Settings,
    clock: FrozenClock,
    query: str,
    header: str,
) -> None:
    await track(client, site, admin_token, store, settings, clock, *PREVIOUS)
    url = f"/api/v1/sites/{site.id}/timeseries?{query}"
    reply = await client.get(url + "&format=csv", headers=bearer(stats_token))
    assert reply.text.splitlines()[0] == header
    points = (await get(client, site, stats_token, f"timeseries?{query}"))["points"]
    assert parse_csv(reply) == as_text(points) and len(points) in (3, 24, 2)


@pytest.mark.parametrize(
    "dimension, header",
    [
        ("pages", "value,visitors,visits,pageviews,bounce_rate,entries,exits"),
        ("browsers", "value,visitors,visits,pageviews,views_per_visit,bounce_rate,visit_duration_s,events"),
        ("events", "value,events,visitors,visits"),
    ],
)
async def test_breakdowns_as_csv(
    client: httpx.AsyncClient,
    site: Site,
    stats_token: str,
    admin_token: str,
    store: SqliteStore,
    settings: Settings,
    clock: FrozenClock,
    dimension: str,
    header: str,
) -> None:
    await track(client, site, admin_token, store, settings, clock, *PREVIOUS)
    query = f"from={D1}&to={D3}"
    reply = await client.get(
        f"/api/v1/sites/{site.id}/breakdown/{dimension}?{query}&format=CSV", headers=bearer(stats_token)
    )
    assert reply.text.splitlines()[0] == header
    rows = (await get(client, site, stats_token, f"breakdown/{dimension}?{query}"))["rows"]
    assert rows and parse_csv(reply) == as_text(rows)


async def test_an_empty_breakdown_as_csv_still_has_its_header(
    client: httpx.AsyncClient, site: Site, stats_token: str
) -> None:
    reply = await client.get(
        f"/api/v1/sites/{site.id}/breakdown/pages?format=csv", headers=bearer(stats_token)
    )
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    assert reply.text.splitlines() == ["value,visitors,visits,pageviews,bounce_rate,entries,exits"]
