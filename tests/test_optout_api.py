"""The per-user opt-out API: statuses, immediacy across workers, and no user_ref on disk.
A beacon's reply never tells whether its uid opted out (only this API does, with a token),
so the tests read the drop counters."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from collector.app import create_app
from collector.auth.tokens import new_token, token_hash
from collector.clock import FrozenClock
from collector.model import Site
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from collector.web.services import of_app
from tests.conftest import BROWSER_HEADERS, Tables

pytestmark = pytest.mark.both_backends  # the same behaviour on SQLite and PostgreSQL

USER = "alice.account-7734"


@pytest.fixture
async def optout_token(store: SqliteStore, site: Site, clock: FrozenClock) -> str:
    token = new_token()
    await store.add_token(token_hash(token), site.id, "optout", "", clock())
    return token


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _beacon(client: httpx.AsyncClient, site: Site, uid: str) -> httpx.Response:
    return await client.get(
        "/matomo.php",
        params={"idsite": site.id, "rec": 1, "uid": uid, "url": "https://example.com/"},
        headers=BROWSER_HEADERS,
    )


async def _opt_out_drops(tables: Tables) -> int:
    found = await tables.rows("SELECT coalesce(sum(n), 0) AS n FROM dropped WHERE reason = 'opted_out'")
    return int(found[0]["n"])


async def _dropped_as_opted_out(client: httpx.AsyncClient, site: Site, uid: str, tables: Tables) -> bool:
    """Send a beacon with ``uid``: whether it was dropped as opted out (counted, not
    stored). Its reply is a tracked one's either way."""
    before = await _opt_out_drops(tables)
    reply = await _beacon(client, site, uid)
    assert reply.status_code == 200 and "x-collector-dropped" not in reply.headers
    return await _opt_out_drops(tables) == before + 1


async def test_opt_out_status_and_back_in(
    client: httpx.AsyncClient, site: Site, optout_token: str, tables: Tables
) -> None:
    url = f"/api/v1/sites/{site.id}/optouts/{USER}"
    assert (await client.get(url, headers=_auth(optout_token))).json() == {"opted_out": False}
    assert not await _dropped_as_opted_out(client, site, USER, tables)
    for _ in range(2):  # idempotent
        assert (await client.put(url, headers=_auth(optout_token))).status_code == 204
    assert (await client.get(url, headers=_auth(optout_token))).json() == {"opted_out": True}
    assert await _dropped_as_opted_out(client, site, USER, tables)
    assert not await _dropped_as_opted_out(client, site, "someone-else", tables)
    for _ in range(2):
        assert (await client.delete(url, headers=_auth(optout_token))).status_code == 204
    assert (await client.get(url, headers=_auth(optout_token))).json() == {"opted_out": False}
    assert not await _dropped_as_opted_out(client, site, USER, tables)
    assert await tables.rows("SELECT count(*) AS n FROM events") == [
        {"n": 3}
    ]  # the opted-out one is not stored


@pytest.mark.parametrize("scope, status", [("optout", 204), ("admin", 204), ("stats", 403)])
async def test_scopes(
    client: httpx.AsyncClient, store: SqliteStore, site: Site, clock: FrozenClock, scope: str, status: int
) -> None:
    token = new_token()
    await store.add_token(token_hash(token), site.id, scope, "", clock())
    reply = await client.put(f"/api/v1/sites/{site.id}/optouts/u1", headers=_auth(token))
    assert reply.status_code == status


async def test_errors(
    client: httpx.AsyncClient, store: SqliteStore, site: Site, optout_token: str, clock: FrozenClock
) -> None:
    other = await store.add_site("Other", [], "UTC", clock())
    cases = [
        (f"/api/v1/sites/{site.id}/optouts/u1", {}, 401),
        (f"/api/v1/sites/{site.id}/optouts/u1", _auth("col_wrong"), 403),
        (f"/api/v1/sites/{other.id}/optouts/u1", _auth(optout_token), 403),
        ("/api/v1/sites/abc/optouts/u1", _auth(optout_token), 404),
        (f"/api/v1/sites/{site.id}/optouts/{'x' * 300}", _auth(optout_token), 400),
        (f"/api/v1/sites/{site.id}/optouts/%20", _auth(optout_token), 400),
    ]
    for url, headers, status in cases:
        reply = await client.put(url, headers=headers)
        assert reply.status_code == status, url
        assert set(reply.json()) == {"error", "detail"}


async def test_bulk_import_json_and_csv(client: httpx.AsyncClient, site: Site, optout_token: str) -> None:
    url = f"/api/v1/sites/{site.id}/optouts:import"
    reply = await client.post(url, headers=_auth(optout_token), json=["a", "b", "a"])
    assert reply.json() == {"received": 3, "imported": 2}
    reply = await client.post(
        url, headers={**_auth(optout_token), "Content-Type": "text/csv"}, content=b"user_ref\nb\nc\n"
    )
    assert reply.json() == {"received": 2, "imported": 1}
    for ref, expected in (("a", True), ("c", True), ("d", False)):
        status = await client.get(f"/api/v1/sites/{site.id}/optouts/{ref}", headers=_auth(optout_token))
        assert status.json() == {"opted_out": expected}
    bad = await client.post(
        url, headers={**_auth(optout_token), "Content-Type": "application/json"}, content=b"[1, {"
    )
    assert bad.status_code == 400


async def _second_worker(settings: Settings, clock: FrozenClock) -> AsyncIterator[httpx.AsyncClient]:
    app: Starlette = create_app(settings, clock=clock, run_maintenance=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://worker2") as client:
            yield client


async def test_an_opt_out_is_honoured_by_another_worker_on_the_very_next_beacon(
    client: httpx.AsyncClient,
    site: Site,
    optout_token: str,
    settings: Settings,
    clock: FrozenClock,
    tables: Tables,
) -> None:
    async for worker2 in _second_worker(settings, clock):
        assert not await _dropped_as_opted_out(worker2, site, USER, tables)  # warm caches
        assert (
            await client.put(f"/api/v1/sites/{site.id}/optouts/{USER}", headers=_auth(optout_token))
        ).status_code == 204
        assert await _dropped_as_opted_out(worker2, site, USER, tables)


async def test_user_refs_never_reach_disk_or_the_log(
    tmp_path: Path, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(database=f"sqlite:///{tmp_path}/data/c.sqlite3", access_log=True, secret_key="k")
    app = create_app(settings, clock=clock, run_maintenance=False)
    caplog.set_level(logging.DEBUG)
    async with app.router.lifespan_context(app):
        store: SqliteStore = of_app(app).store
        site = await store.add_site("S", ["example.com"], "UTC", clock())
        token = new_token()
        await store.add_token(token_hash(token), site.id, "optout", "", clock())
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            await client.put(f"/api/v1/sites/{site.id}/optouts/{USER}", headers=_auth(token))
            await client.get(f"/api/v1/sites/{site.id}/optouts/{USER}", headers=_auth(token))
            await client.post(
                f"/api/v1/sites/{site.id}/optouts:import", headers=_auth(token), json=["bulk-user-99871"]
            )
            await _beacon(client, site, USER)
            await _beacon(client, site, "tracked-user-55120")
    written = b"".join(p.read_bytes() for p in (tmp_path / "data").iterdir() if p.is_file())
    # everything the server side logged (the test's own HTTP client logs its URLs: not the server)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    for secret in (USER, "bulk-user-99871", "tracked-user-55120"):
        assert secret.encode() not in written
        assert secret not in logged
    assert "/optouts/-" in logged
