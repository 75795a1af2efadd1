"""The opt-out widget, Matomo's optOutJS script and the /demo/ site in headless Chromium,
against a real collector process (tests/tracker/servers.py).

Site 1 is the demo site (domains demo.example and 127.0.0.1, as `collector bootstrap`
makes them with localhost: the demo's opt-out backend answers only for such a site 1);
each other test makes its own site for fixture pages served from test.example. Nothing may
ever set a cookie.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_guard import launch_chromium
from tests.conftest import CHROME
from tests.tracker import servers
from tests.tracker.browsing import NOT_WEBDRIVER, QUIET_S, SPIES, Browsing
from tests.tracker.servers import ELSEWHERE_HOST, PAGE_HOST, STATS_HOST, Collector, FixtureServer, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO_SITE = 1
DEMO_HOST = "demo.example"  # one of the demo site's domains (collector bootstrap)
SWITCH = "#widget input[role=switch]"
MATOMO_BOX = "#matomo-opt-out-trackVisits"
# The fixture pages forbid every style (style-src 'none'): record what the policy blocked.
CSP_SPY = """window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective));"""


@pytest.fixture(scope="module")
def collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collector]:
    server = Collector(tmp_path_factory.mktemp("collector"))
    server.start()
    demo = server.cli("site", "add", "Demo site", "--domain", DEMO_HOST, "--domain", "127.0.0.1")
    assert int(demo.strip()) == DEMO_SITE
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fixtures(collector: Collector) -> Iterator[FixtureServer]:
    # FixtureServer serves servers.FIXTURES; point it at this package's pages meanwhile.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(servers, "FIXTURES", FIXTURES)
        server = FixtureServer(collector.base)
        server.start()
        yield server
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright  # test_browser skipped the module if missing

    with sync_playwright() as pw:
        chromium = launch_chromium(pw, (PAGE_HOST, STATS_HOST, ELSEWHERE_HOST, DEMO_HOST), CHROME)
        yield chromium
        chromium.close()


@pytest.fixture
def make(
    browser: Any, collector: Collector, fixtures: FixtureServer, request: pytest.FixtureRequest
) -> Iterator[Any]:
    made: list[Browsing] = []

    def factory(site: int | None = None) -> Browsing:
        context = browser.new_context(user_agent=CHROME, locale="en-GB")
        context.set_default_timeout(10_000)
        context.add_init_script(SPIES)
        context.add_init_script(NOT_WEBDRIVER)
        context.add_init_script(CSP_SPY)
        made.append(
            Browsing(
                context,
                collector,
                fixtures,
                site if site is not None else collector.add_site(request.node.name[:60]),
            )
        )
        return made[-1]

    yield factory
    for browsing in made:
        browsing.context.close()


def count_after_reload(b: Browsing, page_name: str, expected: int) -> None:
    """Open ``page_name`` again: a new page view, which must leave ``expected`` events."""
    b.open(page_name)
    b.events(expected)
    b.quiet()
    assert len(b.events()) == expected


# -- the widget, device mode --------------------------------------------------------------
def test_widget_device_mode_stops_and_resumes_tracking(make: Any) -> None:
    b = make()
    page = b.open("widget-device.html")
    b.events(1)
    page.wait_for_selector("#widget[data-collector-optout-loaded]")
    switch = page.locator(SWITCH)
    assert switch.get_attribute("aria-checked") == "true" and switch.is_checked()
    assert page.get_by_role("switch", name="Include my visits in usage statistics").count() == 1
    status = page.locator("#widget [role=status]")
    assert status.get_attribute("aria-live") == "polite"
    assert status.inner_text() == "Your visits are included in usage statistics."
    # the Norwegian widget, with its label text overridden by a data- attribute
    norwegian = page.locator("#widget-nb [role=status]").inner_text()
    assert norwegian == "Besøkene dine telles med i bruksstatistikken."
    assert page.get_by_role("switch", name="Tell besøkene mine").count() == 1

    switch.focus()
    page.keyboard.press("Space")  # keyboard usable
    assert switch.get_attribute("aria-checked") == "false"
    assert status.inner_text() == "Your visits are not included in usage statistics."
    assert page.evaluate("window.__csp") == []
    assert page.evaluate("getComputedStyle(document.querySelector('#widget label')).display") == "inline-flex"
    assert page.evaluate("Matomo.getTracker().isUserOptedOut()") is True
    count_after_reload(b, "widget-device.html", 1)  # opted out: the page view is not sent
    page.wait_for_selector("#widget[data-collector-optout-loaded]")
    assert switch.get_attribute("aria-checked") == "false" and not switch.is_checked()

    switch.click()
    assert switch.get_attribute("aria-checked") == "true"
    count_after_reload(b, "widget-device.html", 2)  # tracked again
    assert b.collector.dropped(b.site) == {}  # a browser opt-out sends nothing at all
    assert page.evaluate("window.__csp") == []
    page.evaluate("document.body.setAttribute('style', 'color: red')")  # the CSP spy itself works
    assert wait_for(lambda: page.evaluate("window.__csp"), sleep=b.sleep) == ["style-src-attr"]
    b.assert_private()
    assert b.context.cookies() == []


# -- Matomo's optOutJS --------------------------------------------------------------------
def test_matomo_opt_out_js_unchecking_stops_tracking(make: Any) -> None:
    b = make()
    page = b.open("matomo-optout.html")
    b.events(1)
    box = page.locator(MATOMO_BOX)
    box.wait_for()
    assert box.is_checked()
    assert "You are not opted out. Uncheck this box to opt-out." in page.inner_text("#matomo-opt-out")
    assert "without cookies" in page.inner_text("#matomo-opt-out")  # showIntro=1
    style = page.evaluate("""() => { const s = getComputedStyle(document.getElementById('matomo-opt-out'));
      return [s.color, s.backgroundColor, s.fontSize, s.fontFamily]; }""")
    assert style == ["rgb(51, 51, 51)", "rgb(255, 255, 255)", "14px", "Arial, sans-serif"]

    assert page.evaluate("window.__csp") == []
    box.uncheck()
    assert "You are currently opted out. Check this box to opt-in." in page.inner_text("#matomo-opt-out")
    count_after_reload(b, "matomo-optout.html", 1)
    box.wait_for()
    assert not box.is_checked()

    box.check()
    assert "You are not opted out." in page.inner_text("#matomo-opt-out")
    count_after_reload(b, "matomo-optout.html", 2)
    b.assert_private()


# -- the widget, account mode, against the demo's backend ---------------------------------
def test_widget_account_mode_drops_the_users_page_views(make: Any, collector: Collector) -> None:
    b = make(site=DEMO_SITE)
    base = f"http://{DEMO_HOST}:{collector.port}/demo/account.html"
    page = b.page
    page.goto(base)
    page.fill("#name", "alice")
    page.click("button[type=submit]")
    page.wait_for_selector("#account-optout[data-collector-optout-loaded]")
    assert page.inner_text("#who") == "alice"
    before = len(b.events(1))
    beacon = [x for x in b.beacons if x.params.get("uid") == "alice"][-1]
    assert beacon.params["url"] == base

    switch = page.locator("#account-optout input[role=switch]")
    assert switch.get_attribute("aria-checked") == "true"
    with page.expect_response(lambda r: "/demo/api/optout" in r.url and r.request.method == "PUT"):
        switch.click()
    page.wait_for_selector("#account-optout input[aria-checked=false]")
    status = page.inner_text("#account-optout [role=status]")
    assert status == "Your visits are not included in usage statistics."

    dropped = collector.dropped(DEMO_SITE).get("opted_out", 0)
    with page.expect_response(lambda r: "/matomo.php" in r.url):
        page.reload()
    # the drop counter, not the reply: a reply does not tell whether its uid opted out
    assert wait_for(lambda: collector.dropped(DEMO_SITE).get("opted_out", 0) == dropped + 1)
    page.wait_for_selector("#account-optout[data-collector-optout-loaded]")
    assert switch.get_attribute("aria-checked") == "false"  # the state came back from the backend
    b.quiet()
    assert len(b.events()) == before

    with page.expect_response(lambda r: "/demo/api/optout" in r.url and r.request.method == "DELETE"):
        switch.click()
    with page.expect_response(lambda r: "/matomo.php" in r.url) as reply:
        page.reload()
    assert reply.value.headers.get("x-collector-dropped") is None
    assert len(b.events(before + 1)) == before + 1
    assert b.context.cookies() == [] and b.set_cookies == []
    assert b.errors == []


# -- the demo website ---------------------------------------------------------------------
def test_demo_pages_load_and_are_counted_on_127_0_0_1(make: Any, collector: Collector) -> None:
    """Opened as a developer does, at http://127.0.0.1:PORT/demo/ (the tracker allows
    localhost only because the demo's snippet says data-allow-localhost)."""
    b = make(site=DEMO_SITE)
    page = b.page
    origin = f"http://127.0.0.1:{collector.port}"
    start = len(collector.events(DEMO_SITE))

    def paths() -> list[tuple[str, str]]:
        rows = collector.events(DEMO_SITE)[start:]
        return [(r["kind"], r["path"] if r["kind"] == "pageview" else r["target"]) for r in rows]

    page.goto(origin + "/demo/")
    assert wait_for(lambda: len(paths()) == 1)
    page.click("text=A blog post")
    assert wait_for(lambda: len(paths()) == 2)
    page.goto(origin + "/demo/pricing.html")
    assert wait_for(lambda: len(paths()) == 3)
    with page.expect_download():
        page.click("#price-list")
    assert wait_for(lambda: len(paths()) == 4)
    page.goto(origin + "/demo/app/")
    assert wait_for(lambda: len(paths()) == 5)
    page.click("#to-features")
    assert wait_for(lambda: len(paths()) == 6, sleep=b.sleep)
    page.click("#to-docs")
    assert wait_for(lambda: len(paths()) == 7, sleep=b.sleep)
    page.go_back()
    assert wait_for(lambda: len(paths()) == 8, sleep=b.sleep)
    b.sleep(QUIET_S)
    assert paths() == [
        ("pageview", "/demo/"),
        ("pageview", "/demo/blog.html"),
        ("pageview", "/demo/pricing.html"),
        ("download", "127.0.0.1/demo/files/price-list.csv"),
        ("pageview", "/demo/app/"),
        ("pageview", "/demo/app/features"),
        ("pageview", "/demo/app/docs"),
        ("pageview", "/demo/app/features"),
    ]
    titles = [r["title"] for r in collector.events(DEMO_SITE)[start:] if r["kind"] == "pageview"]
    assert titles[-3:] == ["App – features", "App – docs", "App – features"]
    assert b.context.cookies() == [] and b.set_cookies == [] and b.errors == []
