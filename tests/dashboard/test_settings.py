"""A site's settings page: the form shows the stored values and the snippets, a change is
validated by ``collector.site_settings``, saved, audited and shown; only the site's
administrators may open or post it, always with the CSRF token."""

from __future__ import annotations

import sqlite3

import httpx
import orjson
from starlette.applications import Starlette

from collector.clock import FrozenClock
from collector.model import Site
from collector.storage.sqlite import SqliteStore
from tests.conftest import rows
from tests.dashboard.conftest import csrf_of, grant, log_in, new_client, post_form
from tests.dashboard.test_security import assert_nothing_runs

FORM = {
    "name": "Example",
    "domains": "example.com\nwww.example.com",
    "timezone": "Europe/Oslo",
    "raw_retention_days": "",
    "aggregate_retention_months": "0",
    "allowed_query_keys": "",
    "honour_dnt": "on",
    "honour_gpc": "on",
    "check_host": "on",
    "consent_mode": "cookieless",
}


async def test_the_settings_page_shows_the_values_and_the_snippets(
    browser: httpx.AsyncClient, site: Site
) -> None:
    page = await browser.get(f"/sites/{site.id}/settings")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert_nothing_runs(page.text)
    assert 'name="name" type="text" required maxlength="200" value="Example"' in page.text
    assert "<option selected>Europe/Oslo</option>" in page.text
    assert 'id="honour_dnt" name="honour_dnt" type="checkbox" value="on" checked' in page.text
    assert '<option value="cookieless" selected>' in page.text
    assert "_paq.push([&#39;setSiteId&#39;, &#39;1&#39;]);" in page.text
    assert "http://testserver/matomo.php?idsite=1&amp;amp;rec=1" in page.text  # the pixel, shown as text
    assert (
        "&lt;div data-collector-optout data-mode=&#34;account&#34; data-site=&#34;1&#34; "
        "data-endpoint=&#34;/your-backend/analytics-optout&#34;&gt;&lt;/div&gt;"
    ) in page.text
    assert "&lt;script src=&#34;http://testserver/js/optout-widget.js&#34; defer&gt;" in page.text
    assert page.text.count('data-copy="snippet-') == 3
    assert f'href="/privacy/{site.id}"' in page.text
    assert 'aria-current="page">Settings</a>' in page.text
    assert "Privacy signals are ignored" not in page.text


async def test_a_change_is_saved_audited_and_shown(
    browser: httpx.AsyncClient, site: Site, store: SqliteStore, db: sqlite3.Connection
) -> None:
    form = {
        **FORM,
        "name": "Renamed <shop>",
        "timezone": "America/New_York",
        "raw_retention_days": "14",
        "aggregate_retention_months": "24",
        "allowed_query_keys": "page\nq",
        "campaign_keys": "Ref",
        "consent_mode": "consent_required",
    }
    del form["check_host"]
    reply = await post_form(browser, f"/sites/{site.id}/settings", f"/sites/{site.id}/settings", form)
    assert reply.status_code == 303 and reply.headers["location"] == f"/sites/{site.id}/settings?saved=1"
    saved = await store.get_site(site.id)
    assert saved is not None
    assert (saved.name, saved.domains, saved.timezone) == (
        "Renamed <shop>",
        ("example.com", "www.example.com"),
        "America/New_York",
    )
    s = saved.settings
    assert (s.raw_retention_days, s.aggregate_retention_months, s.allowed_query_keys) == (
        14,
        24,
        ("page", "q"),
    )
    assert s.campaign_keys == ("ref",)
    assert (s.honour_dnt, s.honour_gpc, s.check_host, s.consent_mode) == (
        True,
        True,
        False,
        "consent_required",
    )
    audit = rows(db, "SELECT actor, action, detail FROM audit_log WHERE action = 'site.settings'")
    assert len(audit) == 1 and audit[0]["actor"] == "alice"
    detail = orjson.loads(audit[0]["detail"])
    assert detail["site"] == site.id and detail["changes"]["name"] == ["Example", "Renamed <shop>"]
    assert detail["changes"]["check_host"] == [True, False]
    page = await browser.get(f"/sites/{site.id}/settings?saved=1")
    assert "Settings saved." in page.text and "Renamed &lt;shop&gt;" in page.text
    assert "<shop>" not in page.text
    assert 'id="check_host" name="check_host" type="checkbox" value="on">' in page.text
    # an empty retention field goes back to the server default
    reply = await post_form(browser, f"/sites/{site.id}/settings", f"/sites/{site.id}/settings", FORM)
    assert reply.status_code == 303
    again = await store.get_site(site.id)
    assert again is not None and again.settings.raw_retention_days is None and again.settings.check_host


async def test_turning_off_dnt_shows_a_warning(
    browser: httpx.AsyncClient, site: Site, store: SqliteStore
) -> None:
    form = {k: v for k, v in FORM.items() if k not in ("honour_dnt", "honour_gpc")}
    reply = await post_form(browser, f"/sites/{site.id}/settings", f"/sites/{site.id}/settings", form)
    assert reply.status_code == 303
    saved = await store.get_site(site.id)
    assert saved is not None and not saved.settings.honour_dnt and not saved.settings.honour_gpc
    page = await browser.get(f"/sites/{site.id}/settings")
    assert "Privacy signals are ignored" in page.text
    assert "Do Not Track or Global Privacy Control are counted" in page.text
    assert '<p class="hint warn" id="dnt-warning">' in page.text  # not hidden


async def test_bad_values_re_render_the_form_with_the_error(
    browser: httpx.AsyncClient, site: Site, store: SqliteStore
) -> None:
    for key, value, message in [
        ("timezone", "Mars/Olympus", "unknown time zone: &#39;Mars/Olympus&#39;"),
        ("domains", "<script>", "not a host name: &#39;&lt;script&gt;&#39;"),
        ("raw_retention_days", "0", "raw_retention_days must be a positive integer"),
        ("name", "", "name must be 1 to 200 characters"),
        ("consent_mode", "maybe", "consent_mode must be one of"),
    ]:
        reply = await post_form(
            browser, f"/sites/{site.id}/settings", f"/sites/{site.id}/settings", {**FORM, key: value}
        )
        assert reply.status_code == 400, key
        assert "Not saved: " + message in reply.text, reply.text
        assert_nothing_runs(reply.text)
    unchanged = await store.get_site(site.id)
    assert (
        unchanged is not None
        and unchanged.timezone == "Europe/Oslo"
        and unchanged.domains == ("example.com",)
    )


async def test_settings_need_the_csrf_token(
    browser: httpx.AsyncClient, site: Site, store: SqliteStore
) -> None:
    form = {**FORM, "name": "Hijacked"}
    assert (await browser.post(f"/sites/{site.id}/settings", data=form)).status_code == 403
    assert (
        await browser.post(f"/sites/{site.id}/settings", data={**form, "csrf": "x" * 43})
    ).status_code == 403
    page = await browser.get(f"/sites/{site.id}/settings")
    cross = await browser.post(
        f"/sites/{site.id}/settings",
        data={**form, "csrf": csrf_of(page.text)},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    unchanged = await store.get_site(site.id)
    assert unchanged is not None and unchanged.name == "Example"


async def test_only_site_admins_may_open_or_change_settings(
    app: Starlette, site: Site, store: SqliteStore, viewer_user: str, clock: FrozenClock
) -> None:
    other = await store.add_site("Other", ["other.example"], "UTC", clock())
    async with new_client(app) as client:
        assert (await log_in(client, viewer_user)).status_code == 303
        assert (await client.get(f"/sites/{site.id}/settings")).status_code == 404  # no grant
        await grant(store, viewer_user, site.id, "viewer", clock)
        assert (await client.get(f"/sites/{site.id}")).status_code == 200
        assert 'href="/sites/1/settings"' not in (await client.get(f"/sites/{site.id}")).text
        assert (await client.get(f"/sites/{site.id}/settings")).status_code == 403
        dashboard = await client.get(f"/sites/{site.id}")
        denied = await client.post(
            f"/sites/{site.id}/settings", data={**FORM, "name": "Mine", "csrf": csrf_of(dashboard.text)}
        )
        assert denied.status_code == 403
        await grant(store, viewer_user, site.id, "admin", clock)
        reply = await post_form(
            client, f"/sites/{site.id}/settings", f"/sites/{site.id}/settings", {**FORM, "name": "Mine"}
        )
        assert reply.status_code == 303
        assert (await client.get(f"/sites/{other.id}/settings")).status_code == 404
        assert (await client.get(f"/sites/{other.id}")).status_code == 404
    renamed = await store.get_site(site.id)
    assert renamed is not None and renamed.name == "Mine"


async def test_settings_need_a_login(client: httpx.AsyncClient, site: Site) -> None:
    reply = await client.get(f"/sites/{site.id}/settings")
    assert reply.status_code == 303 and reply.headers["location"].startswith("/login?next=")
    assert (await client.post(f"/sites/{site.id}/settings", data=FORM)).status_code == 303


async def test_the_country_setting_is_a_checkbox_on_by_default(
    browser: httpx.AsyncClient, site: Site, store: SqliteStore
) -> None:
    page = await browser.get(f"/sites/{site.id}/settings")
    assert 'id="collect_country" name="collect_country" type="checkbox" value="on" checked' in page.text
    assert "Derive the country from the shortened address" in page.text
    reply = await post_form(browser, f"/sites/{site.id}/settings", f"/sites/{site.id}/settings", FORM)
    assert reply.status_code == 303
    saved = await store.get_site(site.id)
    assert saved is not None and not saved.settings.collect_country  # unticked: off
    form = {**FORM, "collect_country": "on"}
    await post_form(browser, f"/sites/{site.id}/settings", f"/sites/{site.id}/settings", form)
    again = await store.get_site(site.id)
    assert again is not None and again.settings.collect_country
