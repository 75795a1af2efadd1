"""A site's API tokens: created (shown once, only the hash stored), listed, revoked (the
collector then refuses it); site administrators only, with the CSRF token."""

from __future__ import annotations

import re
import sqlite3

import httpx
from starlette.applications import Starlette

from collector.auth.tokens import token_hash
from collector.clock import FrozenClock
from collector.model import Site
from collector.storage.sqlite import SqliteStore
from tests.conftest import rows
from tests.dashboard.conftest import csrf_of, grant, log_in, new_client, post_form
from tests.dashboard.test_security import assert_nothing_runs


async def test_create_list_and_revoke_a_token(
    browser: httpx.AsyncClient,
    client: httpx.AsyncClient,
    site: Site,
    store: SqliteStore,
    db: sqlite3.Connection,
) -> None:
    path = f"/sites/{site.id}/tokens"
    page = await browser.get(path)
    assert page.status_code == 200 and "No tokens yet." in page.text
    assert_nothing_runs(page.text)
    reply = await post_form(browser, path, path, {"label": "<script>reports</script>", "scope": "stats"})
    assert reply.status_code == 201 and reply.headers["cache-control"] == "no-store"
    assert_nothing_runs(reply.text)
    token = re.search(r'<code id="new-token">(col_[A-Za-z0-9_-]+)</code>', reply.text)
    assert token, reply.text
    secret = token.group(1)
    assert "&lt;script&gt;reports&lt;/script&gt;" in reply.text
    assert await store.find_token(token_hash(secret)) is not None
    stored = rows(db, "SELECT token_hash, scope, label, revoked_at FROM tokens")
    assert stored == [
        {
            "token_hash": token_hash(secret),
            "scope": "stats",
            "label": "<script>reports</script>",
            "revoked_at": None,
        }
    ]
    api = await client.get(f"/api/v1/sites/{site.id}/summary", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200
    listing = await browser.get(path)
    assert secret not in listing.text  # shown once
    assert "Active" in listing.text and '<span class="badge">stats</span>' in listing.text
    token_id = rows(db, "SELECT id FROM tokens")[0]["id"]
    revoked = await post_form(browser, path, f"{path}/{token_id}/revoke", {})
    assert revoked.status_code == 303 and revoked.headers["location"] == f"{path}?done=revoke"
    assert rows(db, "SELECT revoked_at FROM tokens")[0]["revoked_at"] is not None
    assert await store.find_token(token_hash(secret)) is None
    api = await client.get(f"/api/v1/sites/{site.id}/summary", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code in (401, 403)
    after = await browser.get(f"{path}?done=revoke")
    assert "Token revoked." in after.text and "Revoked 2026-11-22 12:00 UTC" in after.text
    assert f"/tokens/{token_id}/revoke" not in after.text
    again = await post_form(browser, path, f"{path}/{token_id}/revoke", {})
    assert again.status_code == 404
    actions = [r["action"] for r in rows(db, "SELECT action FROM audit_log WHERE action LIKE 'token.%'")]
    assert actions == ["token.create", "token.revoke"]


async def test_bad_scopes_and_labels_are_refused(
    browser: httpx.AsyncClient, site: Site, db: sqlite3.Connection
) -> None:
    path = f"/sites/{site.id}/tokens"
    assert (await post_form(browser, path, path, {"label": "x", "scope": "root"})).status_code == 400
    assert (await post_form(browser, path, path, {"label": "x" * 101, "scope": "stats"})).status_code == 400
    assert rows(db, "SELECT count(*) AS n FROM tokens") == [{"n": 0}]


async def test_tokens_need_csrf_and_a_site_admin(
    app: Starlette,
    browser: httpx.AsyncClient,
    site: Site,
    store: SqliteStore,
    viewer_user: str,
    clock: FrozenClock,
    admin_token: str,
    db: sqlite3.Connection,
) -> None:
    path = f"/sites/{site.id}/tokens"
    assert (await browser.post(path, data={"label": "x", "scope": "admin"})).status_code == 403
    token_id = rows(db, "SELECT id FROM tokens")[0]["id"]
    assert (await browser.post(f"{path}/{token_id}/revoke", data={})).status_code == 403
    other = await store.add_site("Other", [], "UTC", clock())
    # a token of another site cannot be revoked through this one
    assert (
        await post_form(
            browser, f"/sites/{other.id}/tokens", f"/sites/{other.id}/tokens/{token_id}/revoke", {}
        )
    ).status_code == 404
    await grant(store, viewer_user, site.id, "viewer", clock)
    async with new_client(app) as client:
        assert (await log_in(client, viewer_user)).status_code == 303
        assert (await client.get(path)).status_code == 403
        token = csrf_of((await client.get(f"/sites/{site.id}")).text)
        assert (
            await client.post(path, data={"csrf": token, "label": "x", "scope": "admin"})
        ).status_code == 403
        assert (await client.post(f"{path}/{token_id}/revoke", data={"csrf": token})).status_code == 403
        assert (await client.get(f"/sites/{other.id}/tokens")).status_code == 404
    assert rows(db, "SELECT count(*) AS n FROM tokens WHERE revoked_at IS NULL") == [{"n": 1}]
