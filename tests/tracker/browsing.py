"""What the tracker's browser tests drive: Chromium contexts with spies on cookies and
storage (``Browsing``), the beacons a page sent, and init scripts (``paq``). Imported by the
tracker's and the opt-out widget's browser tests; skips them when Playwright or Chromium is
missing (outside CI)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.browser_guard import require_browser
from tests.conftest import CHROME
from tests.tracker.servers import PAGE_HOST, Collector, FixtureServer, wait_for

OPTOUT_KEY = "collector_optout"
QUIET_S = 0.6  # how long a test waits to be sure that nothing is sent

require_browser()
from playwright.sync_api import sync_playwright  # noqa: E402, F401 - after the check; the tests launch Chromium

# Spies installed before any page script: count every use of document.cookie and
# sessionStorage, and log every localStorage call with its key.
SPIES = """
(() => {
  const log = window.__privacy = { cookie: 0, session: 0, local: [] };
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true,
    get() { log.cookie++; return cookie.get.call(this); },
    set(v) { log.cookie++; cookie.set.call(this, v); },
  });
  window.__cookieNow = () => cookie.get.call(document);
  const session = Object.getOwnPropertyDescriptor(window, 'sessionStorage')
    || Object.getOwnPropertyDescriptor(Window.prototype, 'sessionStorage');
  Object.defineProperty(window, 'sessionStorage', {
    configurable: true, get() { log.session++; return session.get.call(window); },
  });
  for (const m of ['getItem', 'setItem', 'removeItem', 'clear', 'key']) {
    const original = Storage.prototype[m];
    Storage.prototype[m] = function (...args) {
      if (this === window.localStorage) log.local.push(m + ':' + args[0]);
      return original.apply(this, args);
    };
  }
})();
"""
NOT_WEBDRIVER = (
    "Object.defineProperty(Navigator.prototype, 'webdriver', {get: () => false, configurable: true});"
)
HIDE = """() => {
  Object.defineProperty(document, 'hidden', {get: () => true, configurable: true});
  Object.defineProperty(document, 'visibilityState', {get: () => 'hidden', configurable: true});
  document.dispatchEvent(new Event('visibilitychange'));
}"""
SHOW = """() => {
  delete document.hidden; delete document.visibilityState;
  document.dispatchEvent(new Event('visibilitychange'));
}"""


@dataclass
class Beacon:
    method: str
    resource_type: str
    path: str
    params: dict[str, str]
    body: str | None


@dataclass
class Browsing:
    """One browser context (a fresh profile) with what it sent and received recorded."""

    context: Any
    collector: Collector
    fixtures: FixtureServer
    site: int
    beacons: list[Beacon] = field(default_factory=list)
    set_cookies: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.context.on("request", self._request)
        self.context.on("response", self._response)
        self.context.on("page", lambda page: page.on("pageerror", lambda e: self.errors.append(str(e))))
        self.page = self.context.new_page()

    def _request(self, request: Any) -> None:
        self.requested.append(request.url)
        parts = urlsplit(request.url)
        if parts.path.endswith((".php",)):
            self.beacons.append(
                Beacon(
                    request.method,
                    request.resource_type,
                    parts.path,
                    dict(parse_qsl(parts.query)),
                    request.post_data,
                )
            )

    def _response(self, response: Any) -> None:
        cookie = response.headers.get("set-cookie")
        if cookie:
            self.set_cookies.append(f"{response.url}: {cookie}")

    def open(self, name: str, host: str = PAGE_HOST) -> Any:
        self.page.goto(self.fixtures.url(name, self.site, host))
        self.page.wait_for_function("window.Matomo !== undefined")
        return self.page

    def events(self, count: int | None = None, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The stored events of this test's site, waiting for at least ``count``."""
        if count is None:
            return self.collector.events(self.site)
        rows = wait_for(
            lambda: (lambda rows: rows if len(rows) >= count else [])(self.collector.events(self.site)),
            timeout,
            sleep=self.sleep,
        ) or self.collector.events(self.site)
        self.sleep(0.05)  # let the browser report the requests behind these rows
        return rows

    def sleep(self, seconds: float) -> None:
        """Wait while Playwright keeps delivering the browser's events."""
        self.page.wait_for_timeout(seconds * 1000)

    def quiet(self) -> None:
        self.sleep(QUIET_S)

    def assert_private(self) -> None:
        """No cookie, no sessionStorage, localStorage only for the opt-out key, no errors."""
        for page in self.context.pages:
            if page.is_closed() or not page.url.startswith(f"http://{PAGE_HOST}:"):
                continue
            log = page.evaluate("window.__privacy")
            assert log["cookie"] == 0, "document.cookie was touched"
            assert log["session"] == 0, "sessionStorage was touched"
            assert {entry.split(":", 1)[1] for entry in log["local"]} <= {OPTOUT_KEY}, log["local"]
            assert page.evaluate("window.__cookieNow()") == ""
            assert set(page.evaluate("Object.keys(localStorage)")) <= {OPTOUT_KEY}
        assert self.context.cookies() == []
        assert self.set_cookies == []
        assert self.errors == []


def new_browsing(
    browser: Any,
    collector: Collector,
    fixtures: FixtureServer,
    name: str,
    init: str = "",
    webdriver: bool = False,
) -> Browsing:
    context = browser.new_context(user_agent=CHROME, locale="en-GB")
    context.set_default_timeout(10_000)
    context.add_init_script(SPIES)
    if not webdriver:
        context.add_init_script(NOT_WEBDRIVER)
    if init:
        context.add_init_script(init)
    return Browsing(context, collector, fixtures, collector.add_site(name))


def paq(*commands: Any) -> str:
    """An init script: commands waiting in window._paq before the page's own snippet runs."""
    return f"window._paq = {json.dumps(list(commands))};"
