"""Login, logout and the session cookie: flags, rotation, expiry, CSRF, throttling."""

from __future__ import annotations

import dataclasses
import ipaddress
import sqlite3
from http.cookies import SimpleCookie

import httpx
import pytest
from starlette.applications import Starlette

from collector.app import create_app
from collector.auth.passwords import hash_password
from collector.clock import FrozenClock
from collector.dashboard.sessions import COOKIE
from collector.model import Site
from collector.settings import Settings
from tests.dashboard.conftest import PASSWORD, csrf_of, log_in, new_client


def cookie_of(reply: httpx.Response) -> SimpleCookie:
    headers = reply.headers.get_list("set-cookie")
    assert len(headers) == 1, headers
    jar: SimpleCookie = SimpleCookie()
    jar.load(headers[0])
    return jar


async def test_the_login_page_sets_an_anonymous_session_with_safe_flags(client: httpx.AsyncClient) -> None:
    reply = await client.get("/login")
    assert reply.status_code == 200 and "text/html" in reply.headers["content-type"]
    assert '<label for="username">' in reply.text and '<label for="password">' in reply.text
    morsel = cookie_of(reply)[COOKIE]
    assert morsel["httponly"] and morsel["samesite"].lower() == "lax" and morsel["path"] == "/"
    assert not morsel["secure"] and int(morsel["max-age"]) == 2 * 3600
    assert csrf_of(reply.text)


async def test_logging_in_rotates_the_session_and_redirects(client: httpx.AsyncClient, admin: str) -> None:
    page = await client.get("/login?next=/sites/1")
    before = client.cookies[COOKIE]
    reply = await client.post(
        "/login",
        data={"csrf": csrf_of(page.text), "username": admin, "password": PASSWORD, "next": "/sites/1"},
    )
    assert reply.status_code == 303 and reply.headers["location"] == "/sites/1"
    morsel = cookie_of(reply)[COOKIE]
    assert morsel.value != before and morsel.value.split(".")[0] != before.split(".")[0]
    assert int(morsel["max-age"]) == 12 * 3600 and morsel["httponly"]
    assert (await client.get("/")).status_code == 200
    # the anonymous session of before is revoked: replaying it gives no session
    client.cookies.set(COOKIE, before)
    assert (await client.get("/")).status_code == 303


@pytest.mark.parametrize("name, password", [("alice", "wrong password"), ("nobody", PASSWORD), ("", "")])
async def test_a_wrong_password_or_user_is_refused_with_one_message(
    client: httpx.AsyncClient, admin: str, name: str, password: str
) -> None:
    reply = await log_in(client, name, password)
    assert reply.status_code == 401 and "Wrong user name or password." in reply.text
    assert (await client.get("/")).status_code == 303


async def test_the_login_form_needs_its_csrf_token(
    app: Starlette, client: httpx.AsyncClient, admin: str
) -> None:
    await client.get("/login")
    missing = await client.post("/login", data={"username": admin, "password": PASSWORD})
    assert missing.status_code == 403 and "did not come from this page" in missing.text
    forged = await client.post("/login", data={"csrf": "x" * 43, "username": admin, "password": PASSWORD})
    assert forged.status_code == 403
    async with new_client(app) as other:  # a token from another browser's session
        token = csrf_of((await other.get("/login")).text)
    stolen = await client.post("/login", data={"csrf": token, "username": admin, "password": PASSWORD})
    assert stolen.status_code == 403
    page = await client.get("/login")
    cross = await client.post(
        "/login",
        headers={"Sec-Fetch-Site": "cross-site"},
        data={"csrf": csrf_of(page.text), "username": admin, "password": PASSWORD},
    )
    assert cross.status_code == 403
    assert (await client.get("/")).status_code == 303


async def test_login_is_throttled_per_user_and_masked_ip(
    app: Starlette, client: httpx.AsyncClient, admin: str, clock: FrozenClock
) -> None:
    for _ in range(5):
        assert (await log_in(client, admin, "guess")).status_code == 401
    blocked = await log_in(client, admin)  # even the right password waits
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert "Too many failed sign-in attempts" in blocked.text and "15 minutes" in blocked.text
    async with new_client(app, ip="203.0.7.1") as same_net:  # the same /16 once masked
        assert (await log_in(same_net, admin)).status_code == 429
    async with new_client(app, ip="198.51.100.7") as elsewhere:
        assert (await log_in(elsewhere, admin)).status_code == 303
    clock.advance(15 * 60 + 1)
    assert (await log_in(client, admin)).status_code == 303


async def test_logout_needs_csrf_and_ends_the_session(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/")
    cookie = browser.cookies[COOKIE]
    refused = await browser.post("/logout", data={"csrf": "nope"})
    assert refused.status_code == 403 and (await browser.get("/")).status_code == 200
    reply = await browser.post("/logout", data={"csrf": csrf_of(page.text)})
    assert reply.status_code == 303 and reply.headers["location"] == "/login"
    assert "Max-Age=0" in reply.headers["set-cookie"] or "expires" in reply.headers["set-cookie"].lower()
    browser.cookies.set(COOKIE, cookie)  # replaying the old cookie does not work
    assert (await browser.get("/")).status_code == 303


async def test_sessions_expire_and_cannot_be_forged(browser: httpx.AsyncClient, clock: FrozenClock) -> None:
    assert (await browser.get("/")).status_code == 200
    value = browser.cookies[COOKIE]
    payload, _, signature = value.partition(".")
    browser.cookies.set(COOKIE, f"{payload}.{signature[:-2]}AA")
    assert (await browser.get("/")).status_code == 303
    browser.cookies.set(COOKIE, value)
    clock.advance(12 * 3600 + 1)
    reply = await browser.get("/sites/1?period=7d")
    assert reply.status_code == 303
    assert reply.headers["location"] == "/login?next=%2Fsites%2F1%3Fperiod%3D7d"


async def test_a_new_password_ends_existing_sessions(browser: httpx.AsyncClient, settings: Settings) -> None:
    assert (await browser.get("/")).status_code == 200
    with sqlite3.connect(settings.database_path) as conn:
        conn.execute(
            "UPDATE users SET password_hash = ? WHERE name = 'alice'", (hash_password("another one"),)
        )
    assert (await browser.get("/")).status_code == 303


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
async def test_next_only_leads_to_this_site(client: httpx.AsyncClient, admin: str, target: str) -> None:
    reply = await log_in(client, admin, next_url=target)
    assert reply.status_code == 303 and reply.headers["location"] == "/"


async def test_the_cookie_is_secure_over_https(app: Starlette, admin: str) -> None:
    async with new_client(app, base_url="https://testserver") as client:
        assert cookie_of(await client.get("/login"))[COOKIE]["secure"]


@pytest.mark.parametrize("proxies, secure", [("203.0.113.0/24", True), ("", False)])
async def test_x_forwarded_proto_counts_only_from_a_trusted_proxy(
    settings: Settings, clock: FrozenClock, proxies: str, secure: bool
) -> None:
    trusted = tuple(ipaddress.ip_network(p) for p in proxies.split(",") if p)
    app = create_app(
        dataclasses.replace(settings, trusted_proxies=trusted), clock=clock, run_maintenance=False
    )
    async with app.router.lifespan_context(app), new_client(app) as client:
        reply = await client.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert bool(cookie_of(reply)[COOKIE]["secure"]) is secure


async def test_pages_need_a_login(client: httpx.AsyncClient, site: Site) -> None:
    for path in ("/", f"/sites/{site.id}", f"/sites/{site.id}/csv/pages", f"/sites/{site.id}/realtime"):
        reply = await client.get(path)
        assert reply.status_code == 303 and reply.headers["location"].startswith("/login?next=")


async def test_a_signed_in_user_is_sent_on_from_the_login_page(browser: httpx.AsyncClient) -> None:
    reply = await browser.get("/login?next=/sites/1")
    assert reply.status_code == 303 and reply.headers["location"] == "/sites/1"
