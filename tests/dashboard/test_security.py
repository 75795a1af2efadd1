"""The dashboard is the stored-XSS target of an analytics tool: visitor-supplied strings
are escaped, pages carry no inline script or style (a strict CSP forbids them), security
headers are on every reply, and cookies exist on dashboard paths only."""

from __future__ import annotations

from html.parser import HTMLParser
from importlib import resources

import httpx
import pytest

from collector.clock import FrozenClock
from collector.dashboard.render import CSP
from collector.model import Site
from collector.rollups.runner import rollup
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from tests.conftest import rows
from tests.dashboard.conftest import track

PAYLOADS = {
    "title": "<script>alert(1)</script>",
    "path": '/"><img src=x onerror=alert(1)>',
    "event": "<img src=x onerror=alert(2)>",
    "campaign": "<script>alert(4)</script>",
    "referrer": "javascript:alert(5)",
}


class Elements(HTMLParser):
    """Every element and attribute of a page, to look for what could run."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.inline_script = False
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_script = True


def assert_nothing_runs(html: str) -> None:
    parser = Elements()
    parser.feed(html)
    assert not parser.inline_script
    for tag, attrs in parser.found:
        assert tag not in ("img", "iframe", "object", "embed", "style"), tag
        assert "style" not in attrs, tag
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs  # type: ignore[union-attr]
        for name in ("href", "src", "action"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:text")), (tag, attrs)


@pytest.fixture
async def hostile(
    client: httpx.AsyncClient,
    site: Site,
    admin_token: str,
    clock: FrozenClock,
    store: SqliteStore,
    settings: Settings,
) -> None:
    await track(
        client,
        site,
        admin_token,
        clock,
        ip="10.6.0.1",
        minutes=0,
        action_name=PAYLOADS["title"],
        path=PAYLOADS["path"] + "?utm_campaign=" + PAYLOADS["campaign"],
        urlref=PAYLOADS["referrer"],
    )
    await track(
        client,
        site,
        admin_token,
        clock,
        ip="10.6.0.1",
        path="/",
        minutes=1,
        e_c=PAYLOADS["event"],
        e_a='"><svg onload=alert(3)>',
    )
    await track(
        client,
        site,
        admin_token,
        clock,
        ip="10.7.0.1",
        path="/x",
        minutes=2,
        urlref="https://<script>alert(6)</script>.example/",
    )
    await rollup(store, settings, clock)


async def test_visitor_supplied_strings_are_escaped(
    browser: httpx.AsyncClient, site: Site, hostile: None, db: object
) -> None:
    stored = rows(db, "SELECT path, title, utm_campaign, event_category FROM events")  # type: ignore[arg-type]
    assert any("<" in str(value) for row in stored for value in row.values()), stored  # payloads arrived
    for query in (
        "period=today",
        "period=today&page=" + PAYLOADS["path"],
        "period=today&utm_campaign=" + PAYLOADS["campaign"],
    ):
        page = await browser.get(f"/sites/{site.id}", params=dict(p.split("=", 1) for p in query.split("&")))
        assert page.status_code == 200
        assert_nothing_runs(page.text)
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        assert "<svg onload" not in page.text
    page = await browser.get(f"/sites/{site.id}?period=today")
    assert "&lt;img src=x onerror=alert(2)&gt;" in page.text
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in page.text


async def test_hostile_filter_values_in_the_url_are_escaped(browser: httpx.AsyncClient, site: Site) -> None:
    page = await browser.get(
        f"/sites/{site.id}", params={"page": '"><script>alert(1)</script>', "referrer": "javascript:alert(1)"}
    )
    assert page.status_code == 200
    assert_nothing_runs(page.text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_every_page_passes_the_static_checks(
    browser: httpx.AsyncClient, site: Site, hostile: None
) -> None:
    for path in ("/", f"/sites/{site.id}", "/sites/999", f"/sites/{site.id}?period=12mo"):
        assert_nothing_runs((await browser.get(path)).text)


def test_templates_have_no_inline_script_style_or_handlers() -> None:
    templates = resources.files("collector.dashboard").joinpath("templates")
    for entry in templates.iterdir():
        text = entry.read_text(encoding="utf-8")
        assert " style=" not in text and "<style" not in text, entry.name
        assert "<script>" not in text and " on" + "click" not in text, entry.name
        assert "|safe" not in text and "autoescape false" not in text, entry.name


async def test_security_headers_on_pages_assets_and_errors(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, site: Site
) -> None:
    page = await browser.get(f"/sites/{site.id}")
    css = page.text.split('rel="stylesheet" href="')[1].split('"')[0].replace("&amp;", "&")
    js = page.text.split('<script src="')[1].split('"')[0].replace("&amp;", "&")
    replies = [
        page,
        await client.get("/login"),
        await browser.get("/sites/999"),
        await browser.get(css),
        await browser.get(js),
    ]
    for reply in replies:
        assert reply.headers["content-security-policy"] == CSP
        assert "unsafe-inline" not in CSP and "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
        assert reply.headers["x-frame-options"] == "DENY"
        assert reply.headers["referrer-policy"] == "same-origin"
        assert reply.headers["x-content-type-options"] == "nosniff"
    assert replies[3].status_code == 200 and replies[3].headers["content-type"].startswith("text/css")
    assert replies[4].status_code == 200 and "javascript" in replies[4].headers["content-type"]
    assert "set-cookie" not in replies[3].headers and "set-cookie" not in replies[4].headers
    assert replies[3].headers["cache-control"] == "public, max-age=31536000, immutable"
    assert (await browser.get("/static/dashboard.css")).headers["cache-control"] == "no-cache"
    assert (await browser.get("/static/../__init__.py")).status_code == 404


async def test_the_static_directory_is_a_404_not_a_redirect_to_the_host_header(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/static", "/static/"):
        for method in ("GET", "HEAD"):
            reply = await client.request(method, path, headers={"Host": "evil.example"})
            assert reply.status_code == 404 and "location" not in reply.headers, (method, path)
    assert (await client.get("/static/dashboard.css")).status_code == 200


async def test_cookies_only_on_dashboard_paths(
    browser: httpx.AsyncClient, site: Site, admin_token: str
) -> None:
    """The session cookie travels with every request to this host (Path=/); the collector's
    own replies never set or echo one."""
    assert browser.cookies
    params = {"idsite": site.id, "rec": 1, "url": "https://example.com/", "action_name": "x"}
    for reply in (
        await browser.get("/matomo.php", params=params),
        await browser.post("/matomo.php", data=params),
        await browser.get("/piwik.php", params=params, headers={"DNT": "1"}),
        await browser.get("/healthz"),
        await browser.get(
            f"/api/v1/sites/{site.id}/summary", headers={"Authorization": f"Bearer {admin_token}"}
        ),
        await browser.get("/nope"),
    ):
        assert "set-cookie" not in reply.headers, reply.url
        assert "content-security-policy" not in reply.headers or reply.url.path == "/nope"


async def test_collector_routes_keep_their_own_errors(browser: httpx.AsyncClient) -> None:
    missing = await browser.get("/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "not found"
    wrong = await browser.post("/healthz")
    assert wrong.status_code == 405 and wrong.json()["error"] == "method not allowed"
    assert (await browser.put("/login")).status_code == 405
