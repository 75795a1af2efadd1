"""The dashboard in headless Chromium against ``python -m collector serve`` on a site filled
by ``collector demo``: log in, read the KPIs and top rows (equal to the stats API's), switch
periods (named and a custom range), filter by clicking a row and remove the chip, download
CSVs (the API's bytes), change a setting, open a shared link in a fresh browser, keep the
session over a server restart and end it by signing out, and stored-XSS payloads sent
through the tracking endpoint shown as text while no script runs. Screenshots of the main
pages go to ``build/artifacts/dashboard`` (or ``$DASHBOARD_ARTIFACTS``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.browser_guard import launch_chromium
from tests.dashboard.browser_support import (
    ARTIFACTS,
    HOSTILE,
    HOSTILE_PATH,
    Server,
    Watch,
    download,
    expect,
    log_in,
    no_injected_markup,
    period,
    rows,
    sync_playwright,
    tile,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("dashboard"))
    try:
        running.start()
        hostile = running.cli("site", "add", "Hostile", "--domain", "localhost").strip()
        for visitor, params in enumerate(HOSTILE):
            running.track(hostile, params, visitor)
        running.cli("rollup")
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser
        browser.close()


def test_log_in_read_kpis_switch_periods_filter_and_unfilter(chromium: Any, server: Server) -> None:
    watch = Watch()
    page = log_in(chromium, server, watch)
    summary = server.api("summary", **period(30))
    for key in ("visitors", "visits", "pageviews"):
        assert tile(page, key) == summary[key] > 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site-30d.png"), full_page=True)

    page.get_by_role("link", name="Last 7 days").click()
    expect(page).to_have_url(f"{server.base}/sites/1?period=7d")
    expect(page.get_by_role("link", name="Last 7 days")).to_have_attribute("aria-current", "true")
    assert tile(page, "pageviews") == server.api("summary", **period(7))["pageviews"]

    page.locator("#tp-pages").get_by_role("link", name="/pricing", exact=True).click()
    expect(page).to_have_url(f"{server.base}/sites/1?period=7d&page=%2Fpricing")
    chip = page.locator(".chip")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text("Page: /pricing")
    filtered = server.api("summary", **period(7), page="/pricing")
    assert tile(page, "visits") == filtered["visits"] < summary["visits"]
    page.screenshot(path=str(ARTIFACTS / "site-filtered.png"), full_page=True)

    chip.click()
    expect(page).to_have_url(f"{server.base}/sites/1?period=7d")
    expect(page.locator(".chip")).to_have_count(0)
    page.go_back()  # history works too
    expect(page.locator(".chip")).to_have_count(1)
    assert not watch.problems, watch.problems


def test_stored_xss_payloads_show_as_text(chromium: Any, server: Server) -> None:
    watch = Watch()
    page = log_in(chromium, server, watch)
    page.goto(f"{server.base}/sites/2?period=today")
    expect(page.locator("#tp-pages")).to_contain_text(HOSTILE_PATH)
    page.locator("[data-tabs]", has=page.locator("#tp-events")).get_by_role("tab", name="Events").click()
    expect(page.locator("#tp-events")).to_contain_text("<img src=x onerror=alert(2)> / javascript:alert(3)")
    page.get_by_role("tab", name="UTM campaigns").click()
    expect(page.locator("#tp-utm_campaigns")).to_contain_text("<script>alert(4)</script>")
    page.get_by_role("tab", name="Referrers").click()
    # a referrer "host" that is no host name is never stored (minimise.split_url), so nothing shows
    expect(page.locator("#tp-referrers")).not_to_contain_text("alert(6)")
    # a link's URL is kept without its scheme: "javascript:alert(7)" shows as "alert(7)"
    for tab, panel, text in (
        ("Outbound links", "#tp-outlinks", "alert(7)"),
        ("Downloads", "#tp-downloads", "alert(8)"),
        ("Site searches", "#tp-searches", "<script>alert(9)</script>"),
    ):
        page.get_by_role("tab", name=tab).click()
        expect(page.locator(panel)).to_contain_text(text)
    no_injected_markup(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site-hostile.png"), full_page=True)
    page.locator("#tp-pages").get_by_role("link", name=HOSTILE_PATH, exact=True).click()
    expect(page.locator(".chip")).to_contain_text(HOSTILE_PATH)
    assert page.locator("img").count() == 0
    page.reload()
    expect(page.locator(".chip")).to_contain_text(HOSTILE_PATH)
    no_injected_markup(page)
    assert not watch.problems, watch.problems


def test_rows_csv_downloads_and_periods_equal_the_api(chromium: Any, server: Server) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    watch = Watch()
    page = log_in(chromium, server, watch, accept_downloads=True)
    month = period(30)
    top = server.api("breakdown/pages", **month, limit="10")["rows"]
    assert rows(page, "#tp-pages") == [(r["value"], r["pageviews"]) for r in top] and len(top) > 1
    chart_csv = download(page, page.locator(".chart-card a.csv"))
    assert chart_csv == server.api_bytes("timeseries", **month, interval="day", format="csv")
    assert len(chart_csv.splitlines()) == 1 + 30, chart_csv[:300]  # a header and a row a day
    pages_csv = download(page, page.locator("#tp-pages a.csv"))
    assert pages_csv == server.api_bytes("breakdown/pages", **month, limit="1000", format="csv")

    page.get_by_role("link", name="Last 12 months").click()
    expect(page).to_have_url(f"{server.base}/sites/1?period=12mo")
    today = datetime.now(UTC).date()
    eleven_back = today.year * 12 + today.month - 1 - 11
    year = {"from": date(eleven_back // 12, eleven_back % 12 + 1, 1).isoformat(), "to": today.isoformat()}
    summary = server.api("summary", **year)
    for key in ("visitors", "visits", "pageviews"):
        assert tile(page, key) == summary[key]
    page.get_by_role("tab", name="Referrers").click()
    referrers = server.api("breakdown/referrers", **year, limit="10")["rows"]
    assert rows(page, "#tp-referrers") == [(r["value"], r["visitors"]) for r in referrers]
    assert download(page, page.locator("#tp-referrers a.csv")) == server.api_bytes(
        "breakdown/referrers", **year, limit="1000", format="csv"
    )
    assert download(page, page.locator(".chart-card a.csv")) == server.api_bytes(
        "timeseries", **year, interval="month", format="csv"
    )
    page.screenshot(path=str(ARTIFACTS / "site-12mo.png"), full_page=True)

    start, end = today - timedelta(days=13), today - timedelta(days=3)
    page.get_by_label("From").fill(start.isoformat())
    page.get_by_label("To", exact=True).fill(end.isoformat())
    page.get_by_role("button", name="Show range").click()
    expect(page).to_have_url(f"{server.base}/sites/1?period=custom&from={start}&to={end}")
    custom = {"from": start.isoformat(), "to": end.isoformat()}
    summary = server.api("summary", **custom)
    for key in ("visitors", "visits", "pageviews"):
        assert tile(page, key) == summary[key] > 0
    assert download(page, page.locator("#tp-pages a.csv")) == server.api_bytes(
        "breakdown/pages", **custom, limit="1000", format="csv"
    )
    assert not watch.problems, watch.problems


def test_the_session_survives_a_server_restart_and_signing_out_ends_it(chromium: Any, server: Server) -> None:
    watch = Watch()
    page = log_in(chromium, server, watch)
    [cookie] = [c for c in page.context.cookies() if c["name"] == "collector_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]
    server.restart()  # sessions are in the database, not in the server's memory
    page.reload()
    expect(page).to_have_url(f"{server.base}/sites/1")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{server.base}/login")
    page.goto(f"{server.base}/sites/1")
    expect(page).to_have_url(f"{server.base}/login?next=%2Fsites%2F1")
    replay = chromium.new_context(locale="en-GB")  # the old cookie in another browser
    replay.add_cookies([cookie])
    stolen = replay.new_page()
    watch.attach(stolen)
    stolen.goto(f"{server.base}/sites/1")
    expect(stolen).to_have_url(f"{server.base}/login?next=%2Fsites%2F1")
    assert not watch.problems, watch.problems


def test_screenshots_of_the_main_pages(chromium: Any, server: Server) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    watch = Watch()
    anonymous = chromium.new_context(locale="en-GB").new_page()
    watch.attach(anonymous)
    anonymous.goto(f"{server.base}/login")
    anonymous.screenshot(path=str(ARTIFACTS / "login.png"))
    page = log_in(chromium, server, watch, color_scheme="dark")
    page.screenshot(path=str(ARTIFACTS / "site-dark.png"), full_page=True)
    page.goto(f"{server.base}/")
    expect(page.locator(".site-card")).to_have_count(2)
    page.screenshot(path=str(ARTIFACTS / "sites.png"), full_page=True)
    phone = log_in(chromium, server, watch, viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.screenshot(path=str(ARTIFACTS / "site-phone.png"), full_page=True)
    chart = phone.locator(".plot-svg")
    chart.focus()
    phone.keyboard.press("ArrowLeft")
    expect(phone.locator(".tooltip")).to_be_visible()
    expect(phone.locator(".tooltip")).to_contain_text("visitors")
    assert not watch.problems, watch.problems


def test_change_a_setting_through_the_form(chromium: Any, server: Server) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    watch = Watch()
    page = log_in(chromium, server, watch)
    page.get_by_role("link", name="Settings").click()
    expect(page).to_have_url(f"{server.base}/sites/1/settings")
    expect(page.locator("#snippet-js")).to_contain_text("_paq.push(['setSiteId', '1']);")
    expect(page.locator("#snippet-optout")).to_contain_text("data-collector-optout")
    warning = page.locator("#dnt-warning")
    expect(warning).to_be_hidden()
    page.get_by_label("Honour Do Not Track").uncheck()
    expect(warning).to_be_visible()  # at once, before saving
    page.get_by_label("Raw events, days").fill("45")
    page.get_by_label("Query keys to keep").fill("page")
    page.get_by_role("button", name="Save settings").click()
    expect(page).to_have_url(f"{server.base}/sites/1/settings?saved=1")
    expect(page.get_by_role("status")).to_contain_text("Settings saved.")
    expect(page.locator("#privacy-warning")).to_contain_text("Do Not Track")
    expect(page.get_by_label("Raw events, days")).to_have_value("45")
    expect(page.get_by_label("Query keys to keep")).to_have_value("page")
    page.screenshot(path=str(ARTIFACTS / "settings.png"), full_page=True)
    domains = page.get_by_label("Domains", exact=True).input_value()
    page.get_by_label("Domains", exact=True).fill("not a host!")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-error")).to_contain_text("not a host name: 'not a host!'")
    page.get_by_label("Domains", exact=True).fill(domains)
    page.get_by_label("Honour Do Not Track").check()
    page.get_by_label("Raw events, days").fill("")
    page.get_by_label("Query keys to keep").fill("")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("Settings saved.")
    expect(page.locator("#privacy-warning")).to_have_count(0)
    watch.problems = [p for p in watch.problems if "status of 400" not in p]  # the refused form
    assert not watch.problems, watch.problems


def test_a_shared_link_opens_in_a_fresh_browser_with_the_api_numbers(chromium: Any, server: Server) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    watch = Watch()
    page = log_in(chromium, server, watch)
    page.goto(f"{server.base}/sites/1/share")
    page.get_by_label("Label").fill("board <b>meeting</b>")
    page.get_by_role("button", name="Create link").click()
    url = page.locator("#new-link").inner_text().strip()
    assert url.startswith(f"{server.base}/share/")
    expect(page.locator("[data-link]")).to_contain_text("board <b>meeting</b>")
    page.screenshot(path=str(ARTIFACTS / "share-admin.png"), full_page=True)

    fresh = chromium.new_context(locale="en-GB").new_page()  # no login, no cookies
    fresh.set_default_timeout(10_000)
    watch.attach(fresh)
    fresh.goto(url)
    expect(fresh.locator(".shared-note")).to_be_visible()
    summary = server.api("summary", **period(30))
    for key in ("visitors", "visits", "pageviews"):
        assert tile(fresh, key) == summary[key] > 0
    assert fresh.locator("a[href='/sites/1/settings']").count() == 0
    assert fresh.get_by_role("button", name="Sign out").count() == 0
    fresh.get_by_role("link", name="Last 7 days").click()
    expect(fresh).to_have_url(f"{url}?period=7d")
    assert tile(fresh, "pageviews") == server.api("summary", **period(7))["pageviews"]
    fresh.screenshot(path=str(ARTIFACTS / "shared.png"), full_page=True)
    phone = chromium.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, is_mobile=True
    ).new_page()
    watch.attach(phone)
    phone.goto(url)
    phone.screenshot(path=str(ARTIFACTS / "shared-phone.png"), full_page=True)

    page.goto(f"{server.base}/sites/1/share")
    watch.confirm = True  # the confirmation before revoking
    page.locator("[data-link]").get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("Link revoked")
    reply = fresh.goto(url)
    assert reply is not None and reply.status == 404
    watch.problems = [p for p in watch.problems if "404" not in p]
    assert not watch.problems, watch.problems


def test_screenshots_of_the_admin_pages(chromium: Any, server: Server) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    watch = Watch()
    page = log_in(chromium, server, watch)
    page.goto(f"{server.base}/sites/1/tokens")
    page.get_by_label("Label").fill("reports")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_contain_text("col_")
    page.screenshot(path=str(ARTIFACTS / "tokens.png"), full_page=True)
    page.goto(f"{server.base}/users")
    page.get_by_label("User name").fill("viewer")
    page.get_by_label("Initial password").fill("a long password")
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("status")).to_contain_text("User added.")
    page.get_by_role("button", name="Grant access").click()
    expect(page.get_by_role("status")).to_contain_text("Access granted.")
    page.screenshot(path=str(ARTIFACTS / "users.png"), full_page=True)
    page.goto(f"{server.base}/account")
    page.screenshot(path=str(ARTIFACTS / "account.png"), full_page=True)
    phone = log_in(
        chromium, server, watch, viewport={"width": 390, "height": 844}, is_mobile=True, color_scheme="dark"
    )
    for name in ("settings", "tokens"):
        phone.goto(f"{server.base}/sites/1/{name}")
        phone.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
    phone.goto(f"{server.base}/users")
    phone.screenshot(path=str(ARTIFACTS / "users-phone.png"), full_page=True)
    assert not watch.problems, watch.problems
