"""Users and access: administrators add users and grant or revoke sites; grants decide what
a user sees (viewer: the dashboard, site admin: also its settings); anyone changes their
own password with the current one; every form needs its CSRF token."""

from __future__ import annotations

import sqlite3

import httpx
from starlette.applications import Starlette

from collector.auth.passwords import verify_password
from collector.clock import FrozenClock
from collector.model import Site
from collector.storage.sqlite import SqliteStore
from tests.conftest import rows
from tests.dashboard.conftest import PASSWORD, csrf_of, grant, log_in, new_client, post_form
from tests.dashboard.test_security import assert_nothing_runs


async def test_the_users_page_lists_users_and_their_access(
    browser: httpx.AsyncClient, site: Site, store: SqliteStore, viewer_user: str, clock: FrozenClock
) -> None:
    await store.add_user("<b>eve</b>", "x", False, clock())
    await grant(store, viewer_user, site.id, "viewer", clock)
    page = await browser.get("/users")
    assert page.status_code == 200
    assert_nothing_runs(page.text)
    assert "&lt;b&gt;eve&lt;/b&gt;" in page.text and "<b>eve</b>" not in page.text
    assert '<th scope="row">alice</th><td><span class="badge">Administrator</span>' in page.text
    assert 'Example <span class="badge">viewer</span>' in page.text
    assert page.text.count('action="/users/grants/revoke"') == 1


async def test_an_admin_adds_a_user_who_can_then_log_in(
    app: Starlette, browser: httpx.AsyncClient, store: SqliteStore, db: sqlite3.Connection
) -> None:
    reply = await post_form(browser, "/users", "/users", {"username": "bob", "password": "a long password"})
    assert reply.status_code == 303 and reply.headers["location"] == "/users?done=user"
    user = await store.get_user("bob")
    assert user is not None and not user.is_admin and verify_password("a long password", user.password_hash)
    assert "User added." in (await browser.get("/users?done=user")).text
    assert rows(db, "SELECT actor, action FROM audit_log WHERE action = 'user.add'") == [
        {"actor": "alice", "action": "user.add"}
    ]
    async with new_client(app) as client:
        assert (await log_in(client, "bob", "a long password")).status_code == 303
        assert "No sites to show" in (await client.get("/")).text
    admin = await post_form(
        browser, "/users", "/users", {"username": "carol", "password": "another password", "is_admin": "on"}
    )
    assert admin.status_code == 303
    carol = await store.get_user("carol")
    assert carol is not None and carol.is_admin


async def test_adding_a_user_is_validated(browser: httpx.AsyncClient, store: SqliteStore) -> None:
    for form, message in [
        ({"username": "bob", "password": "short"}, "at least 8 characters"),
        ({"username": "", "password": "a long password"}, "A user name has 1 to 64"),
        ({"username": " bob", "password": "a long password"}, "A user name has 1 to 64"),
        ({"username": "alice", "password": "a long password"}, "already a user"),
    ]:
        reply = await post_form(browser, "/users", "/users", form)
        assert reply.status_code == 400 and message in reply.text, form
    assert await store.get_user("bob") is None


async def test_grants_give_and_revoke_access(
    app: Starlette,
    browser: httpx.AsyncClient,
    site: Site,
    store: SqliteStore,
    viewer_user: str,
    clock: FrozenClock,
    db: sqlite3.Connection,
) -> None:
    other = await store.add_site("Other", ["other.example"], "UTC", clock())
    victor = await store.get_user(viewer_user)
    assert victor is not None
    async with new_client(app) as client:
        assert (await log_in(client, viewer_user)).status_code == 303
        assert (await client.get(f"/sites/{site.id}")).status_code == 404
        reply = await post_form(
            browser,
            "/users",
            "/users/grants",
            {"user": str(victor.id), "site": str(site.id), "role": "viewer"},
        )
        assert reply.status_code == 303 and reply.headers["location"] == "/users?done=grant"
        overview = await client.get("/")
        assert 'href="/sites/1">Example</a>' in overview.text and "Other" not in overview.text
        dashboard = await client.get(f"/sites/{site.id}")
        assert dashboard.status_code == 200 and "/settings" not in dashboard.text
        assert (await client.get(f"/sites/{other.id}")).status_code == 404
        assert (await client.get(f"/sites/{site.id}/settings")).status_code == 403
        # granting again changes the role
        await post_form(
            browser,
            "/users",
            "/users/grants",
            {"user": str(victor.id), "site": str(site.id), "role": "admin"},
        )
        assert (await client.get(f"/sites/{site.id}/settings")).status_code == 200
        assert 'href="/sites/1/settings"' in (await client.get(f"/sites/{site.id}")).text
        reply = await post_form(
            browser, "/users", "/users/grants/revoke", {"user": str(victor.id), "site": str(site.id)}
        )
        assert reply.status_code == 303 and reply.headers["location"] == "/users?done=revoke"
        assert (await client.get(f"/sites/{site.id}")).status_code == 404
        assert (await client.get(f"/sites/{site.id}/settings")).status_code == 404
    actions = [r["action"] for r in rows(db, "SELECT action FROM audit_log WHERE action LIKE 'grant.%'")]
    assert actions == ["grant.set", "grant.set", "grant.revoke"]
    bad = await post_form(
        browser, "/users", "/users/grants", {"user": str(victor.id), "site": "999", "role": "viewer"}
    )
    assert bad.status_code == 400
    bad = await post_form(
        browser, "/users", "/users/grants", {"user": str(victor.id), "site": str(site.id), "role": "owner"}
    )
    assert bad.status_code == 400
    assert (
        await post_form(
            browser, "/users", "/users/grants/revoke", {"user": str(victor.id), "site": str(site.id)}
        )
    ).status_code == 400


async def test_a_non_admin_cannot_manage_users(
    app: Starlette, site: Site, store: SqliteStore, viewer_user: str, clock: FrozenClock
) -> None:
    await grant(store, viewer_user, site.id, "admin", clock)  # a site admin is no global admin
    async with new_client(app) as client:
        assert (await log_in(client, viewer_user)).status_code == 303
        page = await client.get("/account")
        assert 'href="/users"' not in page.text
        assert (await client.get("/users")).status_code == 403
        token = csrf_of(page.text)
        for action, form in [
            ("/users", {"username": "mallory", "password": "a long password", "is_admin": "on"}),
            ("/users/grants", {"user": "2", "site": str(site.id), "role": "admin"}),
            ("/users/grants/revoke", {"user": "2", "site": str(site.id)}),
        ]:
            assert (await client.post(action, data={"csrf": token, **form})).status_code == 403
    assert await store.get_user("mallory") is None


async def test_user_forms_need_the_csrf_token(browser: httpx.AsyncClient, store: SqliteStore) -> None:
    reply = await browser.post("/users", data={"username": "bob", "password": "a long password"})
    assert reply.status_code == 403
    assert await store.get_user("bob") is None
    assert (
        await browser.post("/users/grants", data={"user": "1", "site": "1", "role": "viewer"})
    ).status_code == 403
    assert (
        await browser.post("/account", data={"current": PASSWORD, "new": "x" * 10, "confirm": "x" * 10})
    ).status_code == 403


async def test_pages_need_a_login(client: httpx.AsyncClient) -> None:
    for path in ("/users", "/account"):
        reply = await client.get(path)
        assert reply.status_code == 303 and reply.headers["location"].startswith("/login?next=")


async def test_changing_the_own_password(
    app: Starlette, browser: httpx.AsyncClient, store: SqliteStore, db: sqlite3.Connection
) -> None:
    page = await browser.get("/account")
    assert page.status_code == 200 and 'autocomplete="current-password"' in page.text
    assert_nothing_runs(page.text)
    for form, status, message in [
        ({"current": "wrong", "new": "new password 1", "confirm": "new password 1"}, 400, "not right"),
        ({"current": PASSWORD, "new": "short", "confirm": "short"}, 400, "at least 8 characters"),
        ({"current": PASSWORD, "new": "new password 1", "confirm": "new password 2"}, 400, "differ"),
    ]:
        reply = await post_form(browser, "/account", "/account", form)
        assert reply.status_code == status and message in reply.text
    async with new_client(app) as other:  # another session of the same user
        assert (await log_in(other, "alice")).status_code == 303
        reply = await post_form(
            browser,
            "/account",
            "/account",
            {"current": PASSWORD, "new": "new password 1", "confirm": "new password 1"},
        )
        assert reply.status_code == 303 and reply.headers["location"] == "/account?done=1"
        assert (
            "Your password was changed" in (await browser.get("/account?done=1")).text
        )  # this session lives on
        assert (await other.get("/")).status_code == 303  # the other one ended
    user = await store.get_user("alice")
    assert user is not None and verify_password("new password 1", user.password_hash)
    assert rows(db, "SELECT action FROM audit_log WHERE action = 'user.password'") == [
        {"action": "user.password"}
    ]
    async with new_client(app) as fresh:
        assert (await log_in(fresh, "alice")).status_code == 401
        assert (await log_in(fresh, "alice", "new password 1")).status_code == 303


async def test_wrong_current_passwords_are_throttled(browser: httpx.AsyncClient) -> None:
    for _ in range(5):
        reply = await post_form(
            browser,
            "/account",
            "/account",
            {"current": "wrong", "new": "new password 1", "confirm": "new password 1"},
        )
        assert reply.status_code == 400
    reply = await post_form(
        browser,
        "/account",
        "/account",
        {"current": PASSWORD, "new": "new password 1", "confirm": "new password 1"},
    )
    assert reply.status_code == 429 and "Retry-After" in reply.headers
