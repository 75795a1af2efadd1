"""Fixtures for the Reporting API: read tokens, a second site, the scripted traffic of
:mod:`tests.rollups.traffic` tracked and rolled up, and a helper to call the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from collector.clock import FrozenClock
from collector.model import Site
from collector.rollups.runner import rollup
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from tests.rollups.traffic import SCRIPT, send


@pytest.fixture
async def other_site(store: SqliteStore, clock: FrozenClock) -> Site:
    return await store.add_site("Other", ["other.example"], "UTC", clock())


@pytest.fixture
async def tracked(
    client: httpx.AsyncClient,
    site: Site,
    admin_token: str,
    store: SqliteStore,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    await send(client, site.id, admin_token, [(v, h) for v in SCRIPT for h in v.hits])
    await rollup(store, settings, clock)


async def call(client: httpx.AsyncClient, **params: Any) -> httpx.Response:
    return await client.get("/index.php", params={"module": "API", **params})


async def ok(client: httpx.AsyncClient, **params: Any) -> Any:
    reply = await call(client, format="JSON", **params)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    return reply.json()


async def stats(client: httpx.AsyncClient, site: Site, token: str, path: str) -> dict[str, Any]:
    """Our own JSON API, to compare with."""
    reply = await client.get(f"/api/v1/sites/{site.id}/{path}", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200, reply.text
    data: dict[str, Any] = reply.json()
    return data


def assert_error(reply: httpx.Response, status: int) -> str:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert set(body) == {"result", "message"} and body["result"] == "error"
    assert body["message"] and "Traceback" not in reply.text
    message: str = body["message"]
    return message
