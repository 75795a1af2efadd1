"""The stats API: bearer auth, validation (400/404), previous period, paging, realtime
from raw events, dropped requests by reason (CSV: test_api_csv.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from collector.auth.tokens import new_token
from collector.clock import FrozenClock
from collector.model import Site
from collector.rollups.runner import rollup
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from tests.conftest import make_token
from tests.rollups.answers import Answers
from tests.rollups.traffic import CHROME, FIREFOX, Hit, Visitor, ev, pv, send

pytestmark = pytest.mark.both_backends  # the same numbers on SQLite and PostgreSQL

ENDPOINTS = ["summary", "timeseries", "breakdown/pages", "realtime", "dropped"]
D1, D2, D3 = "2026-11-20", "2026-11-21", "2026-11-22"


@pytest.fixture
async def other_site(store: SqliteStore, clock: FrozenClock) -> Site:
    return await store.add_site("Other", ["example.com"], "UTC", clock())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def get(client: httpx.AsyncClient, site: Site, token: str, path: str) -> dict[str, Any]:
    reply = await client.get(f"/api/v1/sites/{site.id}/{path}", headers=bearer(token))
    assert reply.status_code == 200, reply.text
    data: dict[str, Any] = reply.json()
    return data


async def track(
    client: httpx.AsyncClient,
    site: Site,
    token: str,
    store: SqliteStore,
    settings: Settings,
    clock: FrozenClock,
    *visitors: Visitor,
) -> None:
    await send(client, site.id, token, [(v, h) for v in visitors for h in v.hits])
    await rollup(store, settings, clock)


def assert_error(reply: httpx.Response, status: int, error: str) -> None:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert set(body) == {"error", "detail"} and body["error"] == error
    assert "Traceback" not in reply.text


# -- auth ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwdw==", "Token abc"])
async def test_no_bearer_token_is_401(
    client: httpx.AsyncClient, site: Site, path: str, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    assert_error(await client.get(f"/api/v1/sites/{site.id}/{path}", headers=headers), 401, "unauthorized")


@pytest.mark.parametrize("path", ENDPOINTS)
async def test_an_unknown_token_is_403(client: httpx.AsyncClient, site: Site, path: str) -> None:
    reply = await client.get(f"/api/v1/sites/{site.id}/{path}", headers=bearer(new_token()))
    assert_error(reply, 403, "forbidden")


@pytest.mark.parametrize("scope", ["stats", "admin"])
@pytest.mark.parametrize("path", ENDPOINTS)
async def test_a_token_of_another_site_is_403(
    client: httpx.AsyncClient,
    site: Site,
    other_site: Site,
    store: SqliteStore,
    clock: FrozenClock,
    scope: str,
    path: str,
) -> None:
    token = await make_token(store, other_site, scope, clock)
    assert_error(await client.get(f"/api/v1/sites/{site.id}/{path}", headers=bearer(token)), 403, "forbidden")
    own = await client.get(f"/api/v1/sites/{other_site.id}/{path}", headers=bearer(token))
    assert own.status_code == 200


@pytest.mark.parametrize("scope, status", [("stats", 200), ("admin", 200), ("optout", 403)])
@pytest.mark.parametrize("path", ENDPOINTS)
async def test_scopes(
    client: httpx.AsyncClient,
    site: Site,
    store: SqliteStore,
    clock: FrozenClock,
    scope: str,
    status: int,
    path: str,
) -> None:
    token = await make_token(store, site, scope, clock)
    reply = await client.get(f"/api/v1/sites/{site.id}/{path}", headers=bearer(token))
    assert reply.status_code == status, reply.text


async def test_an_unknown_site_is_not_revealed(
    client: httpx.AsyncClient, site: Site, stats_token: str
) -> None:
    assert_error(await client.get("/api/v1/sites/999/summary", headers=bearer(stats_token)), 403, "forbidden")


# -- validation ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "summary?from=2026-13-01&to=2026-12-01",
        "summary?from=yesterday",
        "summary?to=2026-02-30",
        "summary?from=2026-11-23&to=2026-11-22",
        "summary?from=2020-01-01&to=2026-11-22",
        "timeseries?from=2026-11-01&to=2026-11-30&interval=week",
        "timeseries?from=2026-01-01&interval=hour",
        "timeseries?from=2026-11-22&to=2026-11-01",
        "breakdown/pages?from=2026-11-23&to=2026-11-22",
        "breakdown/pages?limit=0",
        "breakdown/pages?limit=1001",
        "breakdown/pages?limit=abc",
        "breakdown/pages?limit=-1",
        "breakdown/pages?limit=",
        "breakdown/pages?offset=-1",
        "breakdown/pages?offset=x",
        "breakdown/pages?format=xml",
        "timeseries?format=xml",
        "dropped?from=2026-11-23&to=2026-11-22",
        "dropped?from=x",
    ],
)
async def test_bad_parameters_are_400(
    client: httpx.AsyncClient, site: Site, stats_token: str, path: str
) -> None:
    reply = await client.get(f"/api/v1/sites/{site.id}/{path}", headers=bearer(stats_token))
    assert_error(reply, 400, "bad request")
    assert isinstance(reply.json()["detail"], str) and reply.json()["detail"]


async def test_five_years_are_allowed(client: httpx.AsyncClient, site: Site, stats_token: str) -> None:
    data = await get(client, site, stats_token, "summary?from=2021-11-23&to=2026-11-22")
    assert (data["from"], data["previous"]["to"]) == ("2021-11-23", "2021-11-22")


@pytest.mark.parametrize("dimension", ["nope", "page", "PAGES", "visits"])
async def test_an_unknown_dimension_is_404(
    client: httpx.AsyncClient, site: Site, stats_token: str, dimension: str
) -> None:
    reply = await client.get(f"/api/v1/sites/{site.id}/breakdown/{dimension}", headers=bearer(stats_token))
    assert_error(reply, 404, "not found")


# -- reports ---------------------------------------------------------------------------------------
PREVIOUS = (
    Visitor("a", "10.1.0.1", CHROME, (pv(D1, "09:00", "/"), pv(D1, "09:04", "/b"))),
    Visitor("b", "10.2.0.1", CHROME, (pv(D1, "10:00", "/"),)),
    Visitor("c", "10.3.0.1", CHROME, (pv(D2, "11:00", "/"), ev(D2, "11:01", "video", "play"))),
    Visitor("d", "10.4.0.1", FIREFOX, (pv(D3, "08:00", "/"), pv(D3, "08:10", "/c"), pv(D3, "08:20", "/b"))),
)


async def test_summary_with_the_previous_period(
    client: httpx.AsyncClient,
    site: Site,
    stats_token: str,
    admin_token: str,
    store: SqliteStore,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    await track(client, site, admin_token, store, settings, clock, *PREVIOUS)
    data = await get(client, site, stats_token, f"summary?from={D2}&to={D3}")
    assert data == Answers(PREVIOUS).summary(D2, D3)
    assert data == {
        "from": D2,
        "to": D3,
        "visitors_window": "day",
        "visitors": 2,
        "visits": 2,
        "pageviews": 4,
        "views_per_visit": 2.0,
        "bounce_rate": 0.0,
        "visit_duration_s": 630,
        "events": 1,
        "previous": {
            "from": "2026-11-19",
            "to": D1,
            "visitors": 2,
            "visits": 2,
            "pageviews": 3,
            "views_per_visit": 1.5,
            "bounce_rate": 50.0,
            "visit_duration_s": 120,
            "events": 0,
        },
    }


async def test_breakdown_paging(
    client: httpx.AsyncClient,
    site: Site,
    stats_token: str,
    admin_token: str,
    store: SqliteStore,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    views = [p for p, n in (("/a", 5), ("/b", 4), ("/c", 3), ("/d", 2), ("/e", 1)) for _ in range(n)]
    hits = tuple(pv(D3, f"08:{minute:02d}", path) for minute, path in enumerate(views))
    await track(client, site, admin_token, store, settings, clock, Visitor("p", "10.8.0.1", CHROME, hits))
    base = f"breakdown/pages?from={D3}&to={D3}"
    first = await get(client, site, stats_token, base)
    assert (first["limit"], first["offset"]) == (10, 0)
    assert [(r["value"], r["pageviews"]) for r in first["rows"]] == [
        ("/a", 5),
        ("/b", 4),
        ("/c", 3),
        ("/d", 2),
        ("/e", 1),
    ]
    pages = []
    for offset in (0, 2, 4, 5, 100):
        data = await get(client, site, stats_token, f"{base}&limit=2&offset={offset}")
        assert (data["limit"], data["offset"]) == (2, offset)
        pages.append([r["value"] for r in data["rows"]])
    assert pages == [["/a", "/b"], ["/c", "/d"], ["/e"], [], []]


async def test_realtime_counts_the_last_30_minutes_of_raw_events(
    client: httpx.AsyncClient,
    site: Site,
    other_site: Site,
    stats_token: str,
    admin_token: str,
    clock: FrozenClock,
) -> None:
    now = clock()

    def at(minutes_ago: float, kind: str = "pageview") -> Hit:
        return Hit(datetime.fromtimestamp(now - minutes_ago * 60, UTC), kind, "/", category="c", action="a")

    visitors = [
        Visitor("a", "10.1.0.1", CHROME, (at(10), at(2))),  # 2 page views
        Visitor("b", "10.2.0.1", CHROME, (at(40), at(5, "ping"))),  # still there: a heartbeat
        Visitor("c", "10.3.0.1", CHROME, (at(20, "event"),)),  # active, no page view
        Visitor("d", "10.4.0.1", CHROME, (at(29.9),)),  # just inside
        Visitor("e", "10.5.0.1", CHROME, (at(30.1), at(120))),  # gone
    ]
    await send(client, site.id, admin_token, [(v, h) for v in visitors for h in v.hits])
    reply = await client.get(
        "/matomo.php",
        params={
            "idsite": other_site.id,
            "rec": 1,
            "send_image": 0,
            "url": "https://example.com/",
            "cdt": int(now - 60),
        },
    )
    assert reply.status_code == 204
    data = await get(client, site, stats_token, "realtime")
    assert data == {"minutes": 30, "visitors": 4, "pageviews": 3}  # a, b, c, d; no rollup needed
    clock.advance(11 * 60)  # c and d fall out of the window; a and b's heartbeat stay
    data = await get(client, site, stats_token, "realtime")
    assert (data["visitors"], data["pageviews"]) == (2, 2)


async def test_dropped_requests_by_reason(
    client: httpx.AsyncClient,
    site: Site,
    other_site: Site,
    stats_token: str,
    admin_token: str,
    clock: FrozenClock,
) -> None:
    base = {"idsite": site.id, "rec": 1, "url": "https://example.com/", "send_image": 0}
    bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    sent: list[tuple[dict[str, Any], dict[str, str], str]] = [
        (base, {"DNT": "1"}, "dnt"),
        (base, {"DNT": "1"}, "dnt"),
        (base, {"Sec-GPC": "1"}, "gpc"),
        (base, {"User-Agent": bot}, "bot"),
        ({**base, "rec": 0}, {}, "no_rec"),
        ({**base, "cdt": "2026-11-10 12:00:00", "token_auth": admin_token}, {"DNT": "1"}, "dnt"),
        ({**base, "idsite": other_site.id}, {"DNT": "1"}, "dnt"),
        (base, {"User-Agent": CHROME.ua}, ""),  # tracked, not dropped
    ]
    for params, headers, reason in sent:
        reply = await client.get("/matomo.php", params=params, headers=headers)
        assert reply.status_code == 204 and reply.headers.get("x-collector-dropped", "") == reason
    data = await get(client, site, stats_token, f"dropped?from={D3}&to={D3}")
    assert data == {
        "from": D3,
        "to": D3,
        "total": 5,
        "reasons": [
            {"reason": "dnt", "requests": 2},
            {"reason": "bot", "requests": 1},
            {"reason": "gpc", "requests": 1},
            {"reason": "no_rec", "requests": 1},
        ],
    }
    data = await get(client, site, stats_token, "dropped?from=2026-11-01")
    assert data["total"] == 6 and data["reasons"][0] == {"reason": "dnt", "requests": 3}
    assert (await get(client, site, stats_token, "dropped?from=2026-11-11&to=2026-11-21"))["total"] == 0
