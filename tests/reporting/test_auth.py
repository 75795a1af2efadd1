"""``token_auth`` rules: a stats or admin token of the site asked about, sent as a query or
form parameter; anything else is Matomo's 401 error, whether or not the site exists."""

from __future__ import annotations

import httpx
import pytest

from collector.auth.tokens import new_token
from collector.clock import FrozenClock
from collector.model import Site
from collector.storage.sqlite import SqliteStore
from tests.conftest import Tables, make_token
from tests.reporting.conftest import assert_error, call, ok

pytestmark = pytest.mark.both_backends  # the same behaviour on SQLite and PostgreSQL

METHODS = [
    "VisitsSummary.get",
    "Actions.getPageUrls",
    "Referrers.getWebsites",
    "Referrers.getReferrerType",
    "DevicesDetection.getBrowsers",
    "DevicesDetection.getOsVersions",
    "DevicesDetection.getType",
    "Live.getCounters",
]
QUERY = {"period": "day", "date": "today", "lastMinutes": "30"}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("token", [None, "", " ", "anonymous", "x" * 300])
async def test_no_or_a_junk_token_is_401(
    client: httpx.AsyncClient, site: Site, method: str, token: str | None
) -> None:
    params = {"method": method, "idSite": site.id, **QUERY}
    if token is not None:
        params["token_auth"] = token
    message = assert_error(await call(client, **params), 401)
    assert f"website id = {site.id}" in message


@pytest.mark.parametrize("method", METHODS)
async def test_an_unknown_token_is_401(client: httpx.AsyncClient, site: Site, method: str) -> None:
    reply = await call(client, method=method, idSite=site.id, token_auth=new_token(), **QUERY)
    assert_error(reply, 401)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("scope", ["stats", "admin"])
async def test_a_token_of_another_site_is_401(
    client: httpx.AsyncClient,
    site: Site,
    other_site: Site,
    store: SqliteStore,
    clock: FrozenClock,
    method: str,
    scope: str,
) -> None:
    token = await make_token(store, other_site, scope, clock)
    assert_error(await call(client, method=method, idSite=site.id, token_auth=token, **QUERY), 401)
    await ok(client, method=method, idSite=other_site.id, token_auth=token, **QUERY)


@pytest.mark.parametrize("scope, status", [("stats", 200), ("admin", 200), ("optout", 401)])
async def test_scopes(
    client: httpx.AsyncClient, site: Site, store: SqliteStore, clock: FrozenClock, scope: str, status: int
) -> None:
    token = await make_token(store, site, scope, clock)
    for method in METHODS:
        reply = await call(client, method=method, idSite=site.id, token_auth=token, **QUERY)
        assert reply.status_code == status, reply.text


async def test_a_revoked_token_is_401(
    client: httpx.AsyncClient, site: Site, stats_token: str, tables: Tables
) -> None:
    await ok(client, method="VisitsSummary.get", idSite=site.id, token_auth=stats_token, **QUERY)
    await tables.execute("UPDATE tokens SET revoked_at = 1")
    reply = await call(client, method="VisitsSummary.get", idSite=site.id, token_auth=stats_token, **QUERY)
    assert_error(reply, 401)


async def test_a_missing_site_looks_like_a_forbidden_one(
    client: httpx.AsyncClient, site: Site, stats_token: str
) -> None:
    missing = await call(client, method="VisitsSummary.get", idSite=999, token_auth=stats_token, **QUERY)
    forbidden = await call(client, method="VisitsSummary.get", idSite=999, token_auth=new_token(), **QUERY)
    assert assert_error(missing, 401) == assert_error(forbidden, 401)


async def test_the_token_may_come_in_a_form_body(
    client: httpx.AsyncClient, site: Site, stats_token: str
) -> None:
    query = {
        "module": "API",
        "method": "VisitsSummary.get",
        "idSite": str(site.id),
        "format": "json",
        **QUERY,
    }
    reply = await client.post("/index.php", params=query, data={"token_auth": stats_token})
    assert reply.status_code == 200 and reply.json()["nb_visits"] == 0
    everything_in_the_body = {k: v for k, v in query.items() if k != "module"}
    reply = await client.post(
        "/index.php?module=API", data={**everything_in_the_body, "token_auth": stats_token}
    )
    assert reply.status_code == 200 and reply.json()["nb_visits"] == 0


async def test_the_query_string_wins_over_the_body(
    client: httpx.AsyncClient, site: Site, stats_token: str
) -> None:
    reply = await client.post(
        "/index.php",
        params={
            "module": "API",
            "method": "VisitsSummary.get",
            "idSite": site.id,
            "token_auth": "wrong",
            **QUERY,
        },
        data={"token_auth": stats_token},
    )
    assert_error(reply, 401)


@pytest.mark.parametrize("method", ["API.getMatomoVersion", "API.getPiwikVersion", "api.getmatomoversion"])
async def test_the_version_needs_a_read_token(
    client: httpx.AsyncClient, site: Site, stats_token: str, method: str
) -> None:
    assert_error(await call(client, method=method), 401)
    assert await ok(client, method=method, token_auth=stats_token) == {"value": "5.0.0"}
