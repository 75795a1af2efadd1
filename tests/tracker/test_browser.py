"""The tracker in headless Chromium against a real collector process.

Each test makes a site with the CLI, loads fixture pages from ``test.example`` (mapped to
127.0.0.1 by Chromium), and asserts what the collector stored (events, drop counters) and
what the page sent (requests seen by Playwright). After every test: ``document.cookie`` was
never read or written and is empty, ``sessionStorage`` was never touched, ``localStorage``
was used for the opt-out key only, and no response carried ``Set-Cookie``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser_guard import launch_chromium
from tests.conftest import CHROME
from tests.tracker.browsing import (
    HIDE,
    OPTOUT_KEY,
    SHOW,
    Browsing,
    new_browsing,
    paq,
    sync_playwright,
)
from tests.tracker.servers import ELSEWHERE_HOST, PAGE_HOST, STATS_HOST, Collector, FixtureServer, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collector]:
    server = Collector(tmp_path_factory.mktemp("collector"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fixtures(collector: Collector) -> Iterator[FixtureServer]:
    server = FixtureServer(collector.base)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with sync_playwright() as pw:
        chromium = launch_chromium(pw, (PAGE_HOST, STATS_HOST, ELSEWHERE_HOST), CHROME)
        yield chromium
        chromium.close()


@pytest.fixture
def make(
    browser: Any, collector: Collector, fixtures: FixtureServer, request: pytest.FixtureRequest
) -> Iterator[Any]:
    made: list[Browsing] = []

    def factory(init: str = "", webdriver: bool = False) -> Browsing:
        made.append(new_browsing(browser, collector, fixtures, request.node.name[:60], init, webdriver))
        return made[-1]

    yield factory
    for browsing in made:
        browsing.context.close()


# -- the two ways in ----------------------------------------------------------------------
def test_the_standard_snippet_with_commands_pushed_before_load(make: Any) -> None:
    b = make(paq(["setUserId", "alice"], ["setDocumentTitle", "Custom title"]))
    b.open("snippet.html")
    [event] = b.events(1)
    assert (event["kind"], event["path"], event["title"]) == ("pageview", "/snippet.html", "Custom title")
    assert (event["browser"], event["language"]) == ("Chrome", "en")
    assert any(url == f"{b.collector.base}matomo.js" for url in b.requested)
    [beacon] = b.beacons
    # navigator.sendBeacon: a POST with the parameters in the query string and an empty body
    assert (beacon.method, beacon.resource_type, beacon.path) == ("POST", "ping", "/matomo.php")
    assert beacon.body is None
    p = beacon.params
    assert p["idsite"] == str(b.site) and p["rec"] == "1" and p["send_image"] == "0"
    assert p["url"] == b.fixtures.url("snippet.html", b.site)
    assert p["uid"] == "alice" and p["dimension1"] == "gold"
    assert len(p["pv_id"]) == 6 and "x" in p["res"]
    assert not {"_id", "_idn", "cid", "cookie", "_idts"} & set(p)
    b.assert_private()


def test_the_one_line_tag(make: Any) -> None:
    b = make()
    b.open("tag.html")
    [event] = b.events(1)
    assert (event["kind"], event["path"], event["title"]) == ("pageview", "/tag.html", "Tag page")
    assert any(url == f"{b.collector.base}js/collector.js" for url in b.requested)
    assert b.beacons[0].path == "/matomo.php"
    b.assert_private()


def test_spa_navigation_with_push_state_and_back(make: Any) -> None:
    b = make()
    page = b.open("spa.html")
    b.events(1)
    page.click("#to-pricing")
    b.events(2)
    page.click("#to-about")
    b.events(3)
    page.go_back()
    rows = b.events(4)
    assert [(r["path"], r["title"]) for r in rows] == [
        ("/spa.html", "SPA home"),
        ("/app/pricing", "Pricing"),
        ("/app/about", "About"),
        ("/app/pricing", "About"),
    ]  # the app does not retitle on popstate
    refs = [beacon.params.get("urlref", "") for beacon in b.beacons]
    assert refs[1:] == [
        b.fixtures.url("spa.html", b.site),
        f"http://{PAGE_HOST}:{b.fixtures.port}/app/pricing",
        f"http://{PAGE_HOST}:{b.fixtures.port}/app/about",
    ]
    assert len({beacon.params["pv_id"] for beacon in b.beacons}) == 4
    b.assert_private()


def test_hash_routes_with_data_hash(make: Any) -> None:
    b = make()
    page = b.open("spa-hash.html")
    b.events(1)
    page.click("#anchor")  # not a route: no page view
    page.click("#to-docs")
    b.events(2)
    page.click("#to-faq")
    rows = b.events(3)
    b.quiet()
    assert [r["path"] for r in b.events()] == ["/spa-hash.html", "/docs", "/faq"]
    assert len(rows) == 3
    b.assert_private()


def test_outlinks_and_downloads(make: Any) -> None:
    b = make()
    page = b.open("tag.html")
    b.events(1)
    page.click("#outlink")
    page.click("#zip")
    page.click("#attr")
    page.click("#cls")
    page.click("#ignored")
    page.click("#internal")
    page.click("#outlink", button="middle")
    page.focus("#zip")
    page.keyboard.press("Enter")
    b.events(7)
    b.quiet()
    rows = b.events()[1:]  # beacons race each other: compare without order
    elsewhere = f"{ELSEWHERE_HOST}/nothing"
    assert sorted((r["kind"], r["target"]) for r in rows) == sorted(
        [
            ("outlink", elsewhere),
            ("download", f"{PAGE_HOST}/files/archive.zip"),
            ("download", f"{PAGE_HOST}/files/export"),
            ("download", f"{PAGE_HOST}/files/get"),
            ("outlink", elsewhere),
            ("download", f"{PAGE_HOST}/files/archive.zip"),
        ]
    )
    b.assert_private()
    page.click("#leave")  # the beacon survives leaving the page
    page.wait_for_url(f"http://{ELSEWHERE_HOST}:*/landing.html")
    assert b.events(8)[-1]["target"] == f"{ELSEWHERE_HOST}/landing.html"


def test_events_site_search_and_goals(make: Any) -> None:
    b = make()
    page = b.open("snippet.html")
    b.events(1)
    page.evaluate("""() => {
      _paq.push(['trackEvent', 'Video', 'Play', 'Intro', 3.5]);
      _paq.push(['trackSiteSearch', 'red shoes', 'Shop', 12]);
      _paq.push(['trackGoal', 2, 9.5]);
    }""")
    by_kind = {r["kind"]: r for r in b.events(4)}
    event, search, goal = by_kind["event"], by_kind["search"], by_kind["goal"]
    assert (
        event["kind"],
        event["event_category"],
        event["event_action"],
        event["event_name"],
        event["event_value"],
    ) == ("event", "Video", "Play", "Intro", 3.5)
    assert (search["kind"], search["search_query"], search["search_category"], search["search_count"]) == (
        "search",
        "red shoes",
        "Shop",
        12,
    )
    assert (goal["kind"], goal["goal_id"], goal["revenue"]) == ("goal", 2, 9.5)
    assert len({r["pv_id"] for r in b.events()}) == 1
    b.assert_private()


def test_heartbeat_pings_when_hidden_and_on_leaving(make: Any) -> None:
    b = make(paq(["enableHeartBeatTimer", 1]))
    page = b.open("snippet.html")
    b.events(1)
    b.sleep(1.1)
    page.evaluate(HIDE)
    b.events(2)
    page.evaluate(SHOW)
    b.sleep(1.1)
    page.goto(b.fixtures.url("landing.html", b.site))  # pagehide
    rows = b.events(3)
    assert [r["kind"] for r in rows] == ["pageview", "ping", "ping"]
    assert rows[1]["pv_id"] == rows[0]["pv_id"]
    b.assert_private()


def test_no_heartbeat_before_the_interval(make: Any) -> None:
    b = make(paq(["enableHeartBeatTimer", 30]))
    page = b.open("snippet.html")
    b.events(1)
    page.evaluate(HIDE)
    page.goto(b.fixtures.url("landing.html", b.site))
    b.quiet()
    assert [r["kind"] for r in b.events()] == ["pageview"]


# -- privacy ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "signal",
    [
        "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'});",
        "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => 'yes'});",
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});",
    ],
    ids=["dnt-1", "dnt-yes", "gpc"],
)
def test_do_not_track_and_global_privacy_control_send_nothing(make: Any, signal: str) -> None:
    b = make(signal + paq(["setDoNotTrack", False]))
    page = b.open("snippet.html")
    page.evaluate("() => { _paq.push(['trackEvent', 'a', 'b']); Matomo.getTracker().trackPageView(); }")
    b.open("tag.html")
    page.click("#outlink")
    b.quiet()
    assert b.beacons == []
    assert b.events() == [] and b.collector.dropped(b.site) == {}
    b.assert_private()


def test_requests_wait_for_consent(make: Any) -> None:
    b = make()
    page = b.open("consent.html")
    b.quiet()
    assert b.beacons == [] and b.events() == []
    page.click("#accept")
    rows = b.events(2)
    assert sorted(r["kind"] for r in rows) == ["event", "pageview"]
    page.click("#withdraw")
    page.evaluate("() => _paq.push(['trackEvent', 'After', 'Withdrawal'])")
    b.quiet()
    assert len(b.events()) == 2
    b.assert_private()


def test_without_consent_nothing_is_sent_and_leaving_drops_the_queue(make: Any) -> None:
    b = make()
    page = b.open("consent.html")
    page.evaluate("() => _paq.push(['trackEvent', 'Waiting', 'Forever'])")
    page.goto(b.fixtures.url("landing.html", b.site))
    b.quiet()
    assert b.beacons == [] and b.events() == []
    b.assert_private()


def test_opt_out_is_one_localstorage_key_and_opt_in_removes_it(make: Any) -> None:
    b = make()
    page = b.open("optout.html")
    b.events(1)
    assert page.text_content("#state") == "counted"
    assert page.evaluate("Object.keys(localStorage)") == []
    page.click("#out")
    assert page.text_content("#state") == "opted out"
    assert page.evaluate("Object.keys(localStorage)") == [OPTOUT_KEY]
    b.assert_private()
    page.reload()
    page.wait_for_function("document.getElementById('state').textContent === 'opted out'")
    page.evaluate("() => _paq.push(['trackEvent', 'a', 'b'])")
    b.open("tag.html")
    b.quiet()
    assert len(b.events()) == 1 and len(b.beacons) == 1
    page = b.open("optout.html")
    page.click("#in")
    assert page.text_content("#state") == "counted"
    assert page.evaluate("Object.keys(localStorage)") == []
    page.reload()
    assert len(b.events(2)) == 2
    b.assert_private()


def test_set_user_id_sends_uid_for_the_per_user_opt_out(make: Any, collector: Collector) -> None:
    b = make(paq(["setUserId", "bob"]))
    token = collector.cli("token", "create", "--site", str(b.site), "--scope", "optout").strip()
    b.open("snippet.html")
    b.events(1)
    assert b.beacons[0].params["uid"] == "bob"
    assert "bob" not in repr(b.events())
    opt_out = b.page.request.put(
        f"http://127.0.0.1:{collector.port}/api/v1/sites/{b.site}/optouts/bob",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert opt_out.status == 204
    b.open("snippet.html")
    assert wait_for(lambda: collector.dropped(b.site), sleep=b.sleep) == {"opted_out": 1}
    assert len(b.events()) == 1
    assert b.beacons[1].params["uid"] == "bob"


def test_nothing_is_sent_from_localhost(make: Any) -> None:
    b = make()
    b.open("snippet.html", host="localhost")
    b.quiet()
    assert b.beacons == [] and b.events() == []


def test_nothing_is_sent_under_webdriver(make: Any) -> None:
    b = make(webdriver=True)
    assert b.page.evaluate("navigator.webdriver") is True
    b.open("snippet.html")
    b.quiet()
    assert b.beacons == []


# -- the _paq API -------------------------------------------------------------------------
def test_unknown_commands_are_ignored_silently(make: Any) -> None:
    b = make(paq(["noSuchCommand", 1], ["enableJSErrorTracking"], [], [None], 42, "noSuchName"))
    page = b.open("snippet.html")
    b.events(1)
    page.evaluate("""() => {
      _paq.push(['alsoUnknown'], null, [42], ['__proto__'], ['then']);
      Matomo.getTracker().setCookieDomain('*.example');
      Matomo.getTracker().disableCookies();
      _paq.push(['trackEvent', 'Still', 'Working']);
    }""")
    assert [r["kind"] for r in b.events(2)] == ["pageview", "event"]
    assert b.errors == []
    b.assert_private()


def test_matomo_get_tracker_and_get_async_tracker(make: Any) -> None:
    b = make()
    page = b.open("snippet.html")
    b.events(1)
    same = page.evaluate("""async () => {
      const t = Matomo.getTracker(), a = Matomo.getAsyncTracker();
      t.trackEvent('Api', 'getTracker');
      a.trackPageView('From getAsyncTracker');
      _paq.push([function () { this.trackEvent('Api', 'this'); }]);
      return t === a && (await a) === a && Piwik.getAsyncTracker() === a;
    }""")
    assert same is True
    rows = b.events(4)[1:]  # beacons race each other: compare without order
    assert sorted((r["kind"], r["event_action"] or r["title"]) for r in rows) == [
        ("event", "getTracker"),
        ("event", "this"),
        ("pageview", "From getAsyncTracker"),
    ]
    b.assert_private()
