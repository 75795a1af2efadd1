"""Dashboard fixtures: users, a browser-like client that logs in (cookies and the CSRF
token from the form, as a browser would), and traffic sent through the tracking endpoint."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from collector.auth.passwords import hash_password
from collector.clock import FrozenClock
from collector.model import Site
from collector.rollups.runner import rollup
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from tests.conftest import CHROME

PASSWORD = "correct horse battery staple"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)
CLIENT_IP = "203.0.113.195"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def new_client(app: Starlette, ip: str = CLIENT_IP, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 50000)), base_url=base_url)


async def log_in(
    client: httpx.AsyncClient, name: str, password: str = PASSWORD, next_url: str = "/"
) -> httpx.Response:
    page = await client.get("/login")
    return await client.post(
        "/login", data={"csrf": csrf_of(page.text), "username": name, "password": password, "next": next_url}
    )


@pytest.fixture
async def admin(store: SqliteStore, clock: FrozenClock) -> str:
    await store.add_user("alice", hash_password(PASSWORD), True, clock())
    return "alice"


@pytest.fixture
async def viewer_user(store: SqliteStore, clock: FrozenClock) -> str:
    await store.add_user("victor", hash_password(PASSWORD), False, clock())
    return "victor"


@pytest.fixture
async def browser(app: Starlette, admin: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client logged in as the administrator."""
    async with new_client(app) as client:
        reply = await log_in(client, admin)
        assert reply.status_code == 303, reply.text
        yield client


async def track(
    client: httpx.AsyncClient,
    site: Site,
    token: str,
    clock: FrozenClock,
    *,
    ip: str,
    path: str,
    minutes: float,
    ua: str = CHROME,
    headers: dict[str, str] | None = None,
    **extra: Any,
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
    reply = await client.get(
        "/matomo.php",
        params=params,
        headers={"User-Agent": ua, "Accept-Language": "en-GB,en;q=0.9", **(headers or {})},
    )
    assert reply.status_code == 200


@pytest.fixture
async def traffic(
    client: httpx.AsyncClient,
    site: Site,
    admin_token: str,
    clock: FrozenClock,
    store: SqliteStore,
    settings: Settings,
) -> None:
    """Today (2026-11-22, Oslo): A (desktop, from google) views / then /pricing; B (mobile,
    newsletter campaign) views /pricing; C (mobile) views /. Yesterday: D views /. One DNT
    request is dropped."""
    await track(
        client, site, admin_token, clock, ip="10.1.0.1", path="/", minutes=0, urlref="https://www.google.com/"
    )
    await track(client, site, admin_token, clock, ip="10.1.0.1", path="/pricing", minutes=2)
    await track(
        client,
        site,
        admin_token,
        clock,
        ip="10.2.0.1",
        ua=IPHONE,
        minutes=5,
        path="/pricing?utm_campaign=nov&utm_medium=email&utm_source=newsletter",
    )
    await track(client, site, admin_token, clock, ip="10.3.0.1", ua=IPHONE, path="/", minutes=9)
    await track(client, site, admin_token, clock, ip="10.4.0.1", path="/", minutes=-24 * 60)
    await track(client, site, admin_token, clock, ip="10.5.0.1", path="/", minutes=1, headers={"DNT": "1"})
    await rollup(store, settings, clock)


async def grant(store: SqliteStore, user_name: str, site_id: int, role: str, clock: FrozenClock) -> None:
    user = await store.get_user(user_name)
    assert user is not None
    await store.accounts().set_grant(user.id, site_id, role, clock())


async def post_form(
    client: httpx.AsyncClient, page_path: str, action: str, data: dict[str, str], **kwargs: Any
) -> httpx.Response:
    """Open ``page_path``, take its CSRF token and post ``data`` to ``action``, as a browser does."""
    page = await client.get(page_path)
    assert page.status_code == 200, page.text
    return await client.post(action, data={"csrf": csrf_of(page.text), **data}, **kwargs)
