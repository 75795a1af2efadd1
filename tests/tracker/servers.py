"""What the browser tests run against: a real collector (``python -m collector serve`` in a
subprocess, sites made with the CLI) and a tiny static server for the fixture pages.

The pages are served as ``http://test.example:PORT/`` and the collector as
``http://stats.example:PORT/``; Chromium maps both names to 127.0.0.1 (the tracker sends
nothing from localhost, so the pages must not be served from there).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from tests.browser_guard import end_process

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAGE_HOST = "test.example"
STATS_HOST = "stats.example"
ELSEWHERE_HOST = "elsewhere.example"

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(
    probe: Callable[[], T],
    timeout: float = 5.0,
    interval: float = 0.05,
    sleep: Callable[[float], object] = time.sleep,
) -> T:
    """Poll until ``probe()`` is truthy; return it, or the last value after the timeout.
    ``sleep`` may be a browser's own wait, so its events keep flowing meanwhile."""
    deadline = time.monotonic() + timeout
    value = probe()
    while not value and time.monotonic() < deadline:
        sleep(interval)
        value = probe()
    return value


class Collector:
    """``python -m collector serve`` on a fresh database, with the CLI at hand."""

    def __init__(self, data_dir: Path) -> None:
        self.db_path = data_dir / "collector.sqlite3"
        self.port = free_port()
        self.base = f"http://{STATS_HOST}:{self.port}/"
        self.env = {
            **os.environ,
            "COLLECTOR_DATABASE": f"sqlite:///{self.db_path}",
            "COLLECTOR_SECRET_KEY": "browser-tests",
            "COLLECTOR_ACCESS_LOG": "false",
            "COLLECTOR_DEMO": "true",
            "COLLECTOR_LOG_LEVEL": "warning",
        }
        self.log = (data_dir / "serve.log").open("wb")
        self.process: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "collector", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self) -> None:
        self.cli("migrate")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "collector", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        health = f"http://127.0.0.1:{self.port}/healthz"

        def up() -> bool:
            assert self.process is not None and self.process.poll() is None, "collector exited"
            try:
                with urllib.request.urlopen(health, timeout=1) as reply:
                    return bool(reply.status == 200)
            except OSError:
                return False

        assert wait_for(up, timeout=20), "the collector did not start"

    def stop(self) -> None:
        if self.process is not None:
            end_process(self.process)
        self.log.close()

    def add_site(self, name: str) -> int:
        return int(self.cli("site", "add", name, "--domain", PAGE_HOST).strip())

    def query(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5)
        try:
            conn.row_factory = sqlite3.Row
            return [dict(row) for row in conn.execute(sql, args)]
        finally:
            conn.close()

    def events(self, site: int) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM events WHERE site_id = ? ORDER BY id", site)

    def dropped(self, site: int) -> dict[str, int]:
        rows = self.query("SELECT reason, SUM(n) AS n FROM dropped WHERE site_id = ? GROUP BY reason", site)
        return {row["reason"]: int(row["n"]) for row in rows}


class FixtureServer:
    """Serves tests/tracker/fixtures; ``{{COLLECTOR}}``, ``{{ELSEWHERE}}`` and ``{{SITE}}``
    (from the ``site`` query parameter) are filled in. Anything else answers 204, so a
    clicked download or outlink leaves the page where it is."""

    def __init__(self, collector_base: str) -> None:
        self.port = free_port()
        elsewhere = f"http://{ELSEWHERE_HOST}:{self.port}/"

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                page = FIXTURES / parts.path.lstrip("/")
                if parts.path.endswith(".html") and page.is_file() and page.parent == FIXTURES:
                    site = parse_qs(parts.query).get("site", [""])[0]
                    body = (
                        page.read_text(encoding="utf-8")
                        .replace("{{COLLECTOR}}", collector_base)
                        .replace("{{ELSEWHERE}}", elsewhere)
                        .replace("{{SITE}}", site)
                    ).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_response(204)
                    self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def url(self, page: str, site: int, host: str = PAGE_HOST) -> str:
        return f"http://{host}:{self.port}/{page}?site={site}"
