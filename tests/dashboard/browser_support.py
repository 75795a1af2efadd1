"""What the dashboard's browser tests drive: a real collector filled by ``collector demo``
(``Server``), a watch for dialogs and script errors, and helpers that read the page. Skips
the tests when Playwright or Chromium is missing (outside CI)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.browser_guard import end_process, require_browser
from tests.conftest import CHROME

PASSWORD = "browser test password"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("DASHBOARD_ARTIFACTS", ROOT / "build" / "artifacts" / "dashboard"))

require_browser()
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402, F401 - after the check; for the tests

HOSTILE_PATH = '/"><img src=x onerror=alert(1)>'
HOSTILE = [
    {
        "url": f"http://localhost{HOSTILE_PATH}",
        "action_name": "<script>alert(1)</script>",
        "urlref": "https://<script>alert(6)</script>.example/",
    },
    {"url": "http://localhost/", "e_c": "<img src=x onerror=alert(2)>", "e_a": "javascript:alert(3)"},
    {"url": "http://localhost/?utm_campaign=<script>alert(4)</script>", "urlref": "javascript:alert(5)"},
    {"url": "http://localhost/", "link": "javascript:alert(7)"},
    {"url": "http://localhost/", "download": "javascript:alert(8)"},
    {
        "url": "http://localhost/",
        "search": "<script>alert(9)</script>",
        "action_name": "<img src=x onerror=alert(10)>",
    },
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A real collector on a fresh database: demo traffic, a user, a stats token."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "COLLECTOR_DATABASE": f"sqlite:///{data_dir}/collector.sqlite3",
            "COLLECTOR_SECRET_KEY": "dashboard-browser-tests",
            "COLLECTOR_ACCESS_LOG": "false",
            "COLLECTOR_LOG_LEVEL": "warning",
        }
        self.log = (data_dir / "serve.log").open("wb")
        self.process: subprocess.Popen[bytes] | None = None
        self.token = ""

    def cli(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "collector", *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self) -> None:
        self.cli("bootstrap")
        self.cli("user", "add", "tester", "--admin", "--password-stdin", stdin=PASSWORD + "\n")
        self.cli("demo", "--site", "1", "--days", "30", "--visits", "40")
        self.token = self.cli("token", "create", "--site", "1", "--scope", "stats").strip()
        self.launch()

    def launch(self) -> None:
        command = [sys.executable, "-m", "collector", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the collector exited"
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the collector did not start")

    def track(self, site: str, params: dict[str, str], visitor: int) -> None:
        """One page view; each ``visitor`` sends another browser version (another visit)."""
        query = urlencode({"idsite": site, "rec": "1", **params})
        agent = CHROME.replace("Chrome/130", f"Chrome/{130 - visitor}")
        request = urllib.request.Request(
            f"{self.base}/matomo.php?{query}", headers={"User-Agent": agent, "Accept-Language": "en-GB"}
        )
        with urllib.request.urlopen(request, timeout=5) as reply:
            assert reply.status == 200 and "X-Collector-Dropped" not in reply.headers

    def api_bytes(self, path: str, **query: str) -> bytes:
        request = urllib.request.Request(
            f"{self.base}/api/v1/sites/1/{path}?{urlencode(query)}",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=5) as reply:
            data: bytes = reply.read()
            return data

    def api(self, path: str, **query: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.api_bytes(path, **query))
        return data

    def restart(self) -> None:
        """Stop the server and start it again on the same database and port."""
        self.halt()
        self.launch()

    def halt(self) -> None:
        if self.process is not None:
            end_process(self.process)
            self.process = None

    def stop(self) -> None:
        self.halt()
        self.log.close()


@dataclass
class Watch:
    """What must not happen on a page: dialogs, script errors, CSP violations."""

    problems: list[str] = field(default_factory=list)
    confirm: bool = False  # accept the admin pages' "Revoke …?" confirmations

    def attach(self, page: Page) -> None:
        def dialog(d: Any) -> None:
            if self.confirm and d.type == "confirm":
                d.accept()
                return
            self.problems.append(f"dialog: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on(
            "console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None
        )


def log_in(chromium: Any, server: Server, watch: Watch, **context: Any) -> Page:
    page: Page = chromium.new_context(locale="en-GB", **context).new_page()
    page.set_default_timeout(10_000)
    watch.attach(page)
    page.goto(f"{server.base}/sites/1")
    expect(page).to_have_url(f"{server.base}/login?next=%2Fsites%2F1")
    page.get_by_label("User name").fill("tester")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.base}/sites/1")
    return page


def tile(page: Page, key: str) -> int:
    return int(page.locator(f"[data-kpi={key}] .tile-value").inner_text().replace(",", ""))


def period(days: int) -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {"from": (today - timedelta(days=days - 1)).isoformat(), "to": today.isoformat()}


def no_injected_markup(page: Page) -> None:
    """Only the page's own script, no event handler attributes, no ``javascript:`` links."""
    sources = page.eval_on_selector_all("script", "all => all.map(s => s.getAttribute('src'))")
    assert sources and all(src and src.startswith("/static/") for src in sources), sources
    assert page.locator("[onerror], [onload], [onclick]").count() == 0
    assert page.locator("a[href^='javascript:' i], [src^='javascript:' i]").count() == 0


def rows(page: Page, panel: str) -> list[tuple[str, int]]:
    """A breakdown table as shown: (label, the count in its number column)."""
    return [
        (
            row.locator("td.label").inner_text().strip(),
            int(row.locator("td[data-n]").get_attribute("data-n") or -1),
        )
        for row in page.locator(f"{panel} tbody tr").all()
    ]


def download(page: Page, link: Any) -> bytes:
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()
