"""The privacy tools page (exclusion rules with a preview and a confirmed removal, export,
erasure) and the audit log page; access rules and CSRF like every form."""

from __future__ import annotations

import io
import sqlite3
import zipfile

import httpx
import orjson
from starlette.applications import Starlette

from collector.clock import FrozenClock
from collector.model import Site
from collector.storage.sqlite import SqliteStore
from tests.conftest import rows
from tests.dashboard.conftest import CLIENT_IP, grant, log_in, new_client, post_form
from tests.dashboard.test_security import assert_nothing_runs


async def _summary(client: httpx.AsyncClient, site: Site, token: str) -> dict[str, int]:
    reply = await client.get(
        f"/api/v1/sites/{site.id}/summary",
        params={"from": "2026-11-22", "to": "2026-11-22"},
        headers={"Authorization": f"Bearer {token}"},
    )
    data = reply.json()
    return {"visits": data["visits"], "pageviews": data["pageviews"]}


async def test_rules_are_saved_previewed_and_applied_to_stored_events(
    browser: httpx.AsyncClient,
    client: httpx.AsyncClient,
    site: Site,
    traffic: None,
    admin_token: str,
    db: sqlite3.Connection,
) -> None:
    path = f"/sites/{site.id}/privacy"
    page = await browser.get(path)
    assert page.status_code == 200 and "Exclusions" in page.text and "Remove" not in page.text
    assert await _summary(client, site, admin_token) == {"visits": 3, "pageviews": 4}

    bad = await post_form(browser, path, f"{path}/exclusions", {"exclusions": "path:/ok\n<script>x</script>"})
    assert bad.status_code == 400 and "Not saved" in bad.text
    assert_nothing_runs(bad.text)
    assert "&lt;script&gt;" in bad.text

    saved = await post_form(
        browser, path, f"{path}/exclusions", {"exclusions": "path:/pricing\nip:10.20.0.0/16"}
    )
    assert saved.status_code == 303
    page = await browser.get(saved.headers["location"])
    assert "Rules saved" in page.text
    assert "<code>path:/pricing</code>" in page.text and "2 on 1 days" in page.text
    assert "new requests only" in page.text  # the IP rule
    assert "Remove 2 matching events" in page.text
    assert await _summary(client, site, admin_token) == {"visits": 3, "pageviews": 4}  # preview only

    applied = await post_form(browser, path, f"{path}/exclusions/apply", {})
    assert applied.status_code == 303 and "removed=2" in applied.headers["location"]
    # A visits / then /pricing (still one visit, one page view now); B saw only /pricing (gone)
    assert await _summary(client, site, admin_token) == {"visits": 2, "pageviews": 2}
    actions = [(r["action"], r["ip"]) for r in rows(db, "SELECT action, ip FROM audit_log ORDER BY id")]
    assert ("exclusions.set", "203.0.0.0") in actions and ("exclusions.apply", "203.0.0.0") in actions
    assert CLIENT_IP not in str(rows(db, "SELECT * FROM audit_log"))


async def test_export_and_erase_a_period(
    browser: httpx.AsyncClient,
    client: httpx.AsyncClient,
    site: Site,
    traffic: None,
    admin_token: str,
    db: sqlite3.Connection,
) -> None:
    path = f"/sites/{site.id}/privacy"
    exported = await browser.get(f"{path}/export", params={"from": "2026-11-21", "to": "2026-11-22"})
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/json"
    assert orjson.loads(exported.content)["summary"]["pageviews"] == 5
    zipped = await browser.get(
        f"{path}/export", params={"from": "2026-11-21", "to": "2026-11-22", "format": "csv"}
    )
    assert zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()
    assert (await browser.get(f"{path}/export", params={"from": "2026-13-01"})).status_code == 400

    refused = await post_form(
        browser, path, f"{path}/erase", {"from": "2026-11-22", "to": "2026-11-22", "confirm": "not the name"}
    )
    assert refused.status_code == 400 and "type the site" in refused.text
    assert rows(db, "SELECT count(*) AS n FROM events WHERE day = '2026-11-22'")[0]["n"] == 4
    erased = await post_form(
        browser, path, f"{path}/erase", {"from": "2026-11-22", "to": "2026-11-22", "confirm": site.name}
    )
    assert erased.status_code == 303
    assert rows(db, "SELECT DISTINCT day FROM events") == [{"day": "2026-11-21"}]
    assert await _summary(client, site, admin_token) == {"visits": 0, "pageviews": 0}
    assert [r["action"] for r in rows(db, "SELECT action FROM audit_log ORDER BY id")][-1] == "erase"


async def test_the_audit_log_shows_and_exports_entries_to_administrators_only(
    app: Starlette,
    browser: httpx.AsyncClient,
    site: Site,
    store: SqliteStore,
    viewer_user: str,
    clock: FrozenClock,
) -> None:
    detail = '{"site": 1, "label": "<img src=x onerror=alert(1)>"}'
    await store.audit("=cmd|' /C calc'!A0", "token.create", detail, clock(), "198.51.0.0")
    page = await browser.get("/audit")
    assert page.status_code == 200 and "dashboard.login" in page.text and "198.51.0.0" in page.text
    assert_nothing_runs(page.text)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    only_tokens = await browser.get("/audit", params={"action": "token."})
    assert "dashboard.login" not in only_tokens.text and "token.create" in only_tokens.text
    exported = await browser.get("/audit.csv")
    assert exported.status_code == 200
    assert exported.text.startswith("id,time_utc,actor,action,detail,masked_ip")
    assert "'=cmd" in exported.text  # no spreadsheet formula
    await grant(store, viewer_user, site.id, "admin", clock)
    async with new_client(app) as other:
        assert (await log_in(other, viewer_user)).status_code == 303
        assert (await other.get("/audit")).status_code == 403
        assert (await other.get("/audit.csv")).status_code == 403
        assert (await other.get(f"/sites/{site.id}/privacy")).status_code == 200  # a site admin


async def test_viewers_and_forms_without_csrf_are_refused(
    app: Starlette,
    browser: httpx.AsyncClient,
    site: Site,
    store: SqliteStore,
    viewer_user: str,
    clock: FrozenClock,
    db: sqlite3.Connection,
) -> None:
    path = f"/sites/{site.id}/privacy"
    forged = await browser.post(f"{path}/exclusions", data={"exclusions": "path:/x"})
    assert forged.status_code == 403
    assert (await store.get_site(site.id)).settings.exclusions == ()  # type: ignore[union-attr]
    await grant(store, viewer_user, site.id, "viewer", clock)
    async with new_client(app) as other:
        assert (await log_in(other, viewer_user)).status_code == 303
        assert (await other.get(path)).status_code == 403
        assert (await other.get(f"{path}/export")).status_code == 403
    async with new_client(app) as anonymous:
        assert (await anonymous.get(path)).status_code == 303


async def test_sign_ins_and_failures_are_audited_with_the_masked_address_only(
    app: Starlette,
    admin: str,
    db: sqlite3.Connection,
) -> None:
    async with new_client(app) as somebody:
        assert (await log_in(somebody, admin, password="wrong password")).status_code == 401
        assert (await log_in(somebody, "hunter2-typed-as-name", password="x" * 9)).status_code == 401
        assert (await log_in(somebody, admin)).status_code == 303
    entries = rows(db, "SELECT actor, action, ip FROM audit_log ORDER BY id")
    assert entries == [
        {"actor": admin, "action": "dashboard.login.failed", "ip": "203.0.0.0"},
        {"actor": "(unknown user)", "action": "dashboard.login.failed", "ip": "203.0.0.0"},
        {"actor": admin, "action": "dashboard.login", "ip": "203.0.0.0"},
    ]
    assert "hunter2" not in str(rows(db, "SELECT * FROM audit_log"))
