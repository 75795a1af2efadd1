"""Stored sessions: they survive a restart, several workers (here: several applications on
one database file) see the same sessions at once, idle and absolute expiry, only hashes in
the database, forged cookies and missing CSRF tokens refused."""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette

from collector.app import create_app
from collector.clock import FrozenClock
from collector.dashboard.sessions import (
    COOKIE,
    IDLE_SECONDS,
    SESSION_SECONDS,
    TOUCH_SECONDS,
    Sessions,
    sid_hash,
)
from collector.settings import Settings
from collector.web.services import of_app
from tests.conftest import rows
from tests.dashboard.conftest import PASSWORD, csrf_of, log_in, new_client, post_form


@asynccontextmanager
async def other_app(settings: Settings, clock: FrozenClock) -> AsyncIterator[Starlette]:
    """Another worker (or the same server after a restart) on the same database file."""
    application = create_app(settings, clock=clock, run_maintenance=False)
    async with application.router.lifespan_context(application):
        yield application


async def status(app: Starlette, cookie: str, path: str = "/") -> int:
    async with new_client(app) as client:
        client.cookies.set(COOKIE, cookie)
        return (await client.get(path)).status_code


async def test_a_session_survives_a_restart(settings: Settings, clock: FrozenClock, admin: str) -> None:
    async with other_app(settings, clock) as first, new_client(first) as client:
        assert (await log_in(client, admin)).status_code == 303
        cookie = client.cookies[COOKIE]
    async with other_app(settings, clock) as second:  # the first has shut down
        assert await status(second, cookie) == 200


async def test_the_database_keeps_only_a_hash_of_the_session_id(
    browser: httpx.AsyncClient, db: sqlite3.Connection
) -> None:
    sid = browser.cookies[COOKIE].split(".")[0]
    [row] = rows(db, "SELECT * FROM dashboard_sessions")
    assert row["sid_hash"] == hashlib.sha256(sid.encode()).digest() and row["user_name"] == "alice"
    dump = "\n".join(db.iterdump())
    assert sid not in dump and browser.cookies[COOKIE] not in dump


async def test_logout_in_one_worker_ends_the_session_in_another(
    app: Starlette, settings: Settings, clock: FrozenClock, admin: str
) -> None:
    async with other_app(settings, clock) as worker_b, new_client(app) as client:
        assert (await log_in(client, admin)).status_code == 303
        cookie = client.cookies[COOKIE]
        assert await status(worker_b, cookie) == 200
        page = await client.get("/")
        assert (await client.post("/logout", data={"csrf": csrf_of(page.text)})).status_code == 303
        assert await status(worker_b, cookie) == 303
        assert await status(app, cookie) == 303


async def test_a_new_password_in_one_worker_ends_every_session_in_another(
    app: Starlette, settings: Settings, clock: FrozenClock, admin: str, db: sqlite3.Connection
) -> None:
    async with (
        other_app(settings, clock) as worker_b,
        new_client(app) as laptop,
        new_client(worker_b) as phone,
    ):
        assert (await log_in(laptop, admin)).status_code == 303
        assert (await log_in(phone, admin)).status_code == 303
        old = laptop.cookies[COOKIE]
        new = "a brand new password"
        reply = await post_form(
            laptop, "/account", "/account", {"current": PASSWORD, "new": new, "confirm": new}
        )
        assert reply.status_code == 303
        assert laptop.cookies[COOKIE] != old  # rotated: this browser stays signed in
        assert (await laptop.get("/account")).status_code == 200
        assert await status(worker_b, laptop.cookies[COOKIE]) == 200
        assert await status(worker_b, old) == 303
        assert (await phone.get("/")).status_code == 303
        assert len(rows(db, "SELECT * FROM dashboard_sessions")) == 1


async def test_each_login_is_its_own_session(
    app: Starlette, browser: httpx.AsyncClient, admin: str, db: sqlite3.Connection
) -> None:
    async with new_client(app) as phone:
        assert (await log_in(phone, admin)).status_code == 303
        assert phone.cookies[COOKIE] != browser.cookies[COOKIE]
        assert len(rows(db, "SELECT * FROM dashboard_sessions")) == 2
        page = await phone.get("/")
        assert (await phone.post("/logout", data={"csrf": csrf_of(page.text)})).status_code == 303
    assert (await browser.get("/")).status_code == 200  # the other one goes on
    assert len(rows(db, "SELECT * FROM dashboard_sessions")) == 1


async def test_sessions_end_when_idle(
    browser: httpx.AsyncClient, clock: FrozenClock, db: sqlite3.Connection
) -> None:
    clock.advance(IDLE_SECONDS - 60)
    assert (await browser.get("/")).status_code == 200  # used in time: the idle expiry moves on
    [row] = rows(db, "SELECT * FROM dashboard_sessions")
    assert row["expires"] == int(clock()) + IDLE_SECONDS and row["user_name"] == "alice"
    clock.advance(TOUCH_SECONDS - 1)
    assert (await browser.get("/")).status_code == 200  # not written again so soon
    assert rows(db, "SELECT expires FROM dashboard_sessions") == [{"expires": row["expires"]}]
    clock.advance(IDLE_SECONDS)
    assert (await browser.get("/")).status_code == 303


async def test_sessions_end_after_twelve_hours_however_busy(
    browser: httpx.AsyncClient, clock: FrozenClock, admin: str, db: sqlite3.Connection
) -> None:
    for _ in range(SESSION_SECONDS // 3600 - 1):
        clock.advance(3600)
        assert (await browser.get("/")).status_code == 200
    assert rows(db, "SELECT expires - issued AS life FROM dashboard_sessions") == [{"life": SESSION_SECONDS}]
    clock.advance(3600)
    assert (await browser.get("/")).status_code == 303
    # expired rows go at the next login (and with the maintenance task)
    assert (await log_in(browser, admin)).status_code == 303
    assert [r["user_name"] for r in rows(db, "SELECT * FROM dashboard_sessions")] == ["alice"]
    assert (await browser.get("/")).status_code == 200


async def test_an_idle_refresh_never_undoes_a_logout(
    app: Starlette, browser: httpx.AsyncClient, clock: FrozenClock, db: sqlite3.Connection
) -> None:
    """A request that read the session just before another worker deleted it writes a row
    with no user: still signed out."""
    sessions: Sessions = of_app(app).dashboard.get().sessions
    cookie = browser.cookies[COOKIE]
    session = await sessions.load(cookie, clock())
    assert session is not None
    await of_app(app).store.accounts().delete_session(sid_hash(session.sid))  # the logout elsewhere
    clock.advance(IDLE_SECONDS // 2)
    await sessions.touch(session, clock())
    assert [r["user_name"] for r in rows(db, "SELECT * FROM dashboard_sessions")] == [None]
    assert await sessions.load(cookie, clock()) is None
    assert (await browser.get("/")).status_code == 303


async def test_a_tampered_or_foreign_cookie_is_refused(
    app: Starlette, browser: httpx.AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    cookie = browser.cookies[COOKIE]
    sid, tag, mac = cookie.split(".")
    flipped = sid[:-1] + ("A" if sid[-1] != "A" else "B")
    for forged in (
        f"{flipped}.{tag}.{mac}",
        f"{sid}.{tag}.{mac[:-2]}AA",
        f"{sid}.a9999999999.{mac}",
        f"{sid}.{tag}",
        sid,
        cookie + "x",
        "x" * 5000,
    ):
        assert await status(app, forged) == 303, forged
    assert await status(app, cookie) == 200
    # the same stored session under another instance key: refused
    rekeyed = dataclasses.replace(settings, secret_key="another key")
    async with other_app(rekeyed, clock) as elsewhere:
        assert await status(elsewhere, cookie) == 303


async def test_csrf_is_still_enforced_with_stored_sessions(
    app: Starlette, browser: httpx.AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    page = await browser.get("/account")
    token = csrf_of(page.text)
    data = {"current": PASSWORD, "new": "a brand new password", "confirm": "a brand new password"}
    assert (await browser.post("/account", data={**data, "csrf": "forged"})).status_code == 403
    assert (await browser.post("/account", data=data)).status_code == 403
    async with new_client(app) as other:  # a token from another (anonymous) session
        foreign = csrf_of((await other.get("/login")).text)
    assert (await browser.post("/account", data={**data, "csrf": foreign})).status_code == 403
    async with other_app(settings, clock) as worker_b, new_client(worker_b) as same_browser:
        same_browser.cookies.set(COOKIE, browser.cookies[COOKIE])  # the token holds in any worker
        assert (await same_browser.post("/logout", data={"csrf": token})).status_code == 303
    assert (await browser.get("/account")).status_code == 303
