"""Filters narrow the visits counted; they are answered from raw events, and say so."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from collector.auth.tokens import new_token, token_hash
from collector.clock import FrozenClock
from collector.model import Site
from collector.rollups.runner import rollup
from collector.settings import Settings
from collector.stats.filters import FilterError, Filters, parse_filters
from collector.storage.sqlite import SqliteStore

pytestmark = pytest.mark.both_backends  # the same numbers on SQLite and PostgreSQL

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)


async def _view(
    client: httpx.AsyncClient,
    site: Site,
    token: str,
    ip: str,
    ua: str,
    path: str,
    minutes: float,
    clock: FrozenClock,
    **extra: str,
) -> None:
    params: dict[str, Any] = {
        "idsite": site.id,
        "rec": 1,
        "url": f"https://example.com{path}",
        "cip": ip,
        "token_auth": token,
        "cdt": int(clock() - 3 * 3600 + minutes * 60),
        **extra,
    }
    reply = await client.get("/matomo.php", params=params, headers={"User-Agent": ua})
    assert reply.status_code == 200


@pytest.fixture
async def traffic(
    client: httpx.AsyncClient,
    site: Site,
    admin_token: str,
    clock: FrozenClock,
    store: SqliteStore,
    settings: Settings,
) -> str:
    # visitor A (desktop, from google): / then /pricing; visitor B (mobile, newsletter): /pricing;
    # visitor C (mobile, direct): / only. B and C bounce.
    await _view(
        client, site, admin_token, "10.1.0.1", FIREFOX, "/", 0, clock, urlref="https://www.google.com/"
    )
    await _view(client, site, admin_token, "10.1.0.1", FIREFOX, "/pricing", 2, clock)
    await _view(
        client, site, admin_token, "10.2.0.1", IPHONE, "/pricing?utm_campaign=nov&utm_medium=email", 5, clock
    )
    await _view(client, site, admin_token, "10.3.0.1", IPHONE, "/", 9, clock)
    await rollup(store, settings, clock)
    token = new_token()
    await store.add_token(token_hash(token), site.id, "stats", "", clock())
    return token


async def _get(client: httpx.AsyncClient, token: str, path: str) -> dict[str, Any]:
    reply = await client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200, reply.text
    data: dict[str, Any] = reply.json()
    return data


@pytest.mark.parametrize(
    "query, visits, pageviews, bounces",
    [
        ("", 3, 4, 2),
        ("&page=/pricing", 2, 3, 1),
        ("&device=mobile", 2, 2, 2),
        ("&referrer=google.com", 1, 2, 0),
        ("&utm_campaign=nov", 1, 1, 1),
        ("&device=mobile&page=/", 1, 1, 1),
        ("&country=de", 0, 0, 0),
    ],
)
async def test_a_filter_narrows_the_visits_counted(
    client: httpx.AsyncClient, site: Site, traffic: str, query: str, visits: int, pageviews: int, bounces: int
) -> None:
    url = f"/api/v1/sites/{site.id}/summary?from=2026-11-22&to=2026-11-22{query}"
    data = await _get(client, traffic, url)
    assert (data["visits"], data["pageviews"]) == (visits, pageviews)
    assert data["bounce_rate"] == (round(100 * bounces / visits, 1) if visits else 0.0)
    if query:
        assert data["source"] == "raw_events" and data["complete"] is True
        assert data["filters"] == dict(p.split("=") for p in query.strip("&").split("&"))
    else:
        assert "source" not in data


async def test_filtered_breakdowns_and_timeseries(
    client: httpx.AsyncClient, site: Site, traffic: str
) -> None:
    base = f"/api/v1/sites/{site.id}"
    pages = await _get(client, traffic, f"{base}/breakdown/pages?from=2026-11-22&to=2026-11-22&device=mobile")
    assert [(r["value"], r["pageviews"]) for r in pages["rows"]] == [("/", 1), ("/pricing", 1)]
    series = await _get(
        client, traffic, f"{base}/timeseries?from=2026-11-21&to=2026-11-22&interval=day&page=/pricing"
    )
    assert [(p["date"], p["visits"]) for p in series["points"]] == [("2026-11-21", 0), ("2026-11-22", 2)]


async def test_a_period_reaching_past_raw_retention_is_marked_incomplete(
    client: httpx.AsyncClient, site: Site, traffic: str
) -> None:
    url = f"/api/v1/sites/{site.id}/summary?from=2026-09-01&to=2026-11-22&device=mobile"
    data = await _get(client, traffic, url)
    assert data["complete"] is False and data["visits"] == 2


@pytest.mark.parametrize(
    "path", ["realtime?device=mobile", "dropped?page=/", "summary?page=", "summary?referrer=" + "x" * 2000]
)
async def test_bad_or_inapplicable_filters_are_400(
    client: httpx.AsyncClient, site: Site, traffic: str, path: str
) -> None:
    reply = await client.get(
        f"/api/v1/sites/{site.id}/{path}", headers={"Authorization": f"Bearer {traffic}"}
    )
    assert reply.status_code == 400 and reply.json()["error"] == "bad request"


def test_parse_filters() -> None:
    parsed = parse_filters({"page": "/A", "device": "Mobile", "other": "x"})
    assert parsed == Filters(page="/A", device="mobile")
    assert not parse_filters({}).active
    with pytest.raises(FilterError):
        parse_filters({"country": ""})
