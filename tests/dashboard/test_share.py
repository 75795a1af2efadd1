"""Shared links: created by a site admin (URL shown once, only its hash stored), opened
without a login as the site's read-only dashboard with the API's numbers, framed only by
the site's domains, password-protected (throttled), revoked (then 404)."""

from __future__ import annotations

import hashlib
import re
import sqlite3

import httpx
from starlette.applications import Starlette

from collector.clock import FrozenClock
from collector.dashboard.render import CSP
from collector.model import Site
from collector.storage.sqlite import SqliteStore
from tests.conftest import rows
from tests.dashboard.conftest import csrf_of, grant, log_in, new_client, post_form
from tests.dashboard.test_pages import api, tile
from tests.dashboard.test_security import assert_nothing_runs


async def create(browser: httpx.AsyncClient, site: Site, **form: str) -> str:
    path = f"/sites/{site.id}/share"
    reply = await post_form(browser, path, path, {"label": "board", **form})
    assert reply.status_code == 201, reply.text
    found = re.search(r'<code id="new-link">http://testserver(/share/[A-Za-z0-9_-]+)</code>', reply.text)
    assert found, reply.text
    return found.group(1)


async def test_a_shared_link_shows_the_dashboard_read_only(
    app: Starlette,
    browser: httpx.AsyncClient,
    client: httpx.AsyncClient,
    site: Site,
    traffic: None,
    admin_token: str,
    db: sqlite3.Connection,
) -> None:
    url = await create(browser, site)
    secret = url.rsplit("/", 1)[1]
    stored = rows(db, "SELECT secret_hash, label, password_hash, created_by, revoked_at FROM shared_links")
    assert stored == [
        {
            "secret_hash": hashlib.sha256(secret.encode()).digest(),
            "label": "board",
            "password_hash": None,
            "created_by": "alice",
            "revoked_at": None,
        }
    ]
    listing = await browser.get(f"/sites/{site.id}/share")
    assert secret not in listing.text and "Active" in listing.text
    async with new_client(app, ip="198.51.100.7") as anonymous:
        page = await anonymous.get(f"{url}?period=today")
        assert page.status_code == 200, page.text
        assert_nothing_runs(page.text)
        summary = await api(
            client, admin_token, f"/api/v1/sites/{site.id}/summary?from=2026-11-22&to=2026-11-22"
        )
        for key in ("visitors", "visits", "pageviews"):
            assert tile(page.text, key) == str(summary[key])
        assert "A shared, read-only view" in page.text
        for absent in ("/settings", "/tokens", 'href="/sites/', "Sign out", 'action="/logout"', "/users"):
            assert absent not in page.text, absent
        assert f'data-realtime="{url}/realtime"' in page.text and f'action="{url}"' in page.text
        assert page.headers["x-robots-tag"] == "noindex"
        csp = page.headers["content-security-policy"]
        assert "frame-ancestors example.com" in csp and "frame-ancestors 'none'" not in csp
        assert "x-frame-options" not in page.headers
        assert "script-src 'self'" in csp
        csv = await anonymous.get(f"{url}/csv/pages?period=today")
        assert csv.status_code == 200 and csv.text == await api(
            client,
            admin_token,
            f"/api/v1/sites/{site.id}/breakdown/pages?from=2026-11-22&to=2026-11-22&format=csv&limit=1000",
        )
        assert (await anonymous.get(f"{url}/realtime")).json()["visitors"] >= 0
        # the link opens this site only: no way to the site pages
        assert (await anonymous.get(f"/sites/{site.id}")).status_code == 303
    # other dashboard pages keep frame denial
    other = await browser.get(f"/sites/{site.id}")
    assert other.headers["x-frame-options"] == "DENY" and other.headers["content-security-policy"] == CSP


async def test_a_site_without_domains_may_not_be_framed(
    browser: httpx.AsyncClient, store: SqliteStore, clock: FrozenClock
) -> None:
    bare = await store.add_site("Bare", [], "UTC", clock())
    url = await create(browser, bare)
    page = await browser.get(url)
    assert page.status_code == 200 and "No data yet" in page.text and "_paq" not in page.text
    assert page.headers["content-security-policy"] == CSP and page.headers["x-frame-options"] == "DENY"


async def test_revoked_and_unknown_links_are_404(
    app: Starlette, browser: httpx.AsyncClient, site: Site, db: sqlite3.Connection
) -> None:
    url = await create(browser, site)
    link_id = rows(db, "SELECT id FROM shared_links")[0]["id"]
    async with new_client(app) as anonymous:
        assert (await anonymous.get(url)).status_code == 200
        reply = await post_form(
            browser, f"/sites/{site.id}/share", f"/sites/{site.id}/share/{link_id}/revoke", {}
        )
        assert reply.status_code == 303 and reply.headers["location"] == f"/sites/{site.id}/share?done=revoke"
        for path in (
            url,
            f"{url}/csv/pages",
            f"{url}/realtime",
            "/share/" + "A" * 32,
            "/share/short",
            "/share/%3Cscript%3E",
        ):
            gone = await anonymous.get(path)
            assert gone.status_code == 404, path
            assert "<script>" not in gone.text
    assert rows(db, "SELECT revoked_at FROM shared_links")[0]["revoked_at"] is not None
    listing = await browser.get(f"/sites/{site.id}/share?done=revoke")
    assert "Link revoked" in listing.text and "Revoked 2026-11-22" in listing.text
    again = await post_form(
        browser, f"/sites/{site.id}/share", f"/sites/{site.id}/share/{link_id}/revoke", {}
    )
    assert again.status_code == 404
    actions = [r["action"] for r in rows(db, "SELECT action FROM audit_log WHERE action LIKE 'share.%'")]
    assert actions == ["share.create", "share.revoke"]


async def test_a_password_protected_link_asks_first(
    app: Starlette, browser: httpx.AsyncClient, site: Site, traffic: None, db: sqlite3.Connection
) -> None:
    url = await create(browser, site, password="board password")
    assert rows(db, "SELECT password_hash FROM shared_links")[0]["password_hash"].startswith("scrypt$")
    async with new_client(app, ip="198.51.100.8") as anonymous:
        ask = await anonymous.get(url)
        assert ask.status_code == 200 and 'type="password"' in ask.text and 'class="tile"' not in ask.text
        assert ask.headers["x-frame-options"] == "DENY"
        assert (await anonymous.get(f"{url}/csv/pages")).status_code == 404
        # no CSRF token: refused
        assert (await anonymous.post(url, data={"password": "board password"})).status_code == 403
        wrong = await anonymous.post(url, data={"csrf": csrf_of(ask.text), "password": "nope"})
        assert wrong.status_code == 401 and "not right" in wrong.text
        right = await anonymous.post(url, data={"csrf": csrf_of(ask.text), "password": "board password"})
        assert right.status_code == 303 and right.headers["location"] == url
        cookie = right.headers["set-cookie"]
        assert f"Path={url}" in cookie and "HttpOnly" in cookie
        page = await anonymous.get(url)
        assert page.status_code == 200 and 'class="tile"' in page.text
        assert (await anonymous.get(f"{url}/csv/pages")).status_code == 200
    async with new_client(app, ip="198.51.100.9") as guesser:
        ask = await guesser.get(url)
        for _ in range(5):
            assert (
                await guesser.post(url, data={"csrf": csrf_of(ask.text), "password": "guess"})
            ).status_code == 401
        blocked = await guesser.post(url, data={"csrf": csrf_of(ask.text), "password": "board password"})
        assert blocked.status_code == 429 and "Retry-After" in blocked.headers


async def test_a_logged_in_user_keeps_the_session_on_a_shared_page(
    browser: httpx.AsyncClient, site: Site
) -> None:
    url = await create(browser, site, password="board password")
    ask = await browser.get(url)
    assert ask.status_code == 200 and "set-cookie" not in ask.headers
    assert (await browser.get("/")).status_code == 200


async def test_sharing_needs_csrf_a_site_admin_and_a_good_password(
    app: Starlette,
    browser: httpx.AsyncClient,
    site: Site,
    store: SqliteStore,
    viewer_user: str,
    clock: FrozenClock,
    db: sqlite3.Connection,
) -> None:
    path = f"/sites/{site.id}/share"
    assert (await browser.post(path, data={"label": "x"})).status_code == 403
    assert (await post_form(browser, path, path, {"label": "x", "password": "short"})).status_code == 400
    assert (await post_form(browser, path, path, {"label": "x" * 101})).status_code == 400
    await grant(store, viewer_user, site.id, "viewer", clock)
    async with new_client(app) as client:
        assert (await log_in(client, viewer_user)).status_code == 303
        assert (await client.get(path)).status_code == 403
        token = csrf_of((await client.get(f"/sites/{site.id}")).text)
        assert (await client.post(path, data={"csrf": token, "label": "mine"})).status_code == 403
    assert rows(db, "SELECT count(*) AS n FROM shared_links") == [{"n": 0}]
