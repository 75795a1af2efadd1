# ruff: noqa: E501
"""A hand-written log of one back-dated day, its ground truth, and helpers to run the
CLI in-process against a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from collector.cli.parser import main

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36"
)
SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
# the full addresses of the log: none may be written anywhere
ADDRESSES = (
    "203.0.113.7",
    "203.0.200.9",
    "66.249.66.1",
    "198.51.100.4",
    "2001:db8:1234:5678::1",
    "192.0.2.99",
)


def target_day() -> date:
    """Three days ago (UTC): outside the live salt window, inside raw retention."""
    return datetime.now(UTC).date() - timedelta(days=3)


def _clf(day: date, clock: str) -> str:
    return f"{day.day:02d}/{day.strftime('%b')}/{day.year}:{clock} +0000"


def combined_log(day: date) -> str:
    """The site is in Europe/Oslo (UTC+1 in winter): the 23:30 UTC line of the day
    before is this day's 00:30 there."""
    before = day - timedelta(days=1)

    def d(clock: str) -> str:
        return _clf(day, clock)

    rows = [
        # visitor A (Firefox): 3 page views in 2 visits; assets and a download skipped
        f'203.0.113.7 - - [{d("09:00:00")}] "GET /?ref=x HTTP/1.1" 200 5120 "https://www.google.com/search?q=a" "{FIREFOX}"',
        f'203.0.113.7 - - [{d("09:00:01")}] "GET /css/site.css HTTP/1.1" 200 900 "https://example.com/" "{FIREFOX}"',
        f'203.0.113.7 - - [{d("09:00:01")}] "GET /js/app.js?v=3 HTTP/1.1" 200 900 "https://example.com/" "{FIREFOX}"',
        f'203.0.113.7 - - [{d("09:00:02")}] "GET /img/logo.png HTTP/1.1" 304 - "https://example.com/" "{FIREFOX}"',
        f'203.0.113.7 - - [{d("09:05:00")}] "GET /pricing?utm_campaign=winter&session=abc HTTP/1.1" 200 4000 "https://example.com/" "{FIREFOX}"',
        f'203.0.113.7 - - [{d("10:00:00")}] "GET /docs/ HTTP/1.1" 200 4000 "-" "{FIREFOX}"',
        f'203.0.113.7 - - [{d("10:01:00")}] "GET /files/guide.pdf HTTP/1.1" 200 90000 "https://example.com/docs/" "{FIREFOX}"',
        # visitor B: the same /16 as A, another browser: 1 page view; redirect, error, HEAD skipped
        f'203.0.200.9 - - [{d("09:02:00")}] "GET /about HTTP/1.1" 200 3000 "-" "{CHROME}"',
        f'203.0.200.9 - - [{d("09:03:00")}] "GET /old HTTP/1.1" 301 0 "-" "{CHROME}"',
        f'203.0.200.9 - - [{d("09:03:01")}] "GET /nope HTTP/1.1" 404 0 "-" "{CHROME}"',
        f'203.0.200.9 - - [{d("09:04:00")}] "HEAD / HTTP/1.1" 200 0 "-" "{CHROME}"',
        f'203.0.200.9 - - [{d("09:06:00")}] "GET /admin/users HTTP/1.1" 200 0 "-" "{CHROME}"',
        # a bot, and an HTTP library (counted, as Matomo counts them)
        f'66.249.66.1 - - [{d("11:00:00")}] "GET / HTTP/1.1" 200 5120 "-" "{GOOGLEBOT}"',
        f'198.51.100.4 - - [{d("12:00:00")}] "GET /status-page HTTP/1.1" 200 10 "-" "curl/8.5.0"',
        # visitor D, IPv6, 00:30 in Oslo
        f'2001:db8:1234:5678::1 - - [{_clf(before, "23:30:00")}] "GET /blog/ HTTP/2.0" 200 10 "https://duck.com/" "{SAFARI}"',
        "this is not a log line",
        f'192.0.2.99 - - [{d("13:00:00")}] "GET / HTTP/1.1" 200 5120 "-" "\xff',  # cut short
        f'192.0.2.99 - - [01/Jan/2999:00:00:00 +0000] "GET /future HTTP/1.1" 200 1 "-" "{FIREFOX}"',
    ]
    return "\n".join(rows) + "\n"


# the ground truth of combined_log's day, by hand from the lines above
PAGEVIEWS = 6  # A 3, B 1, curl 1, D 1
VISITORS = 4
VISITS = 5  # A 2 (55 minutes apart), B, curl, D
SKIPPED = {
    "static": 3,
    "download": 1,
    "status": 2,
    "method": 1,
    "excluded": 1,
    "bot": 1,
    "unparseable": 2,
    "future": 1,
}
READ = 18


def setup_env(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    db = folder / "collector.sqlite3"
    monkeypatch.setenv("COLLECTOR_DATABASE", f"sqlite:///{db}")
    monkeypatch.setenv("COLLECTOR_SECRET_KEY", "test-secret-key-for-log-import")
    monkeypatch.setenv("COLLECTOR_LOG_LEVEL", "warning")
    assert main(["site", "add", "Example", "--domain", "example.com", "--timezone", "Europe/Oslo"]) == 0
    assert main(["site", "set", "1", "exclusions=path:/admin/*"]) == 0
    return db


def daily(db: Path, day: str) -> tuple[int, int, int]:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT pageviews, visitors, visits FROM daily_site WHERE site_id = 1 AND day = ?", (day,)
        )
        found = row.fetchone()
    finally:
        conn.close()
    return (0, 0, 0) if found is None else (int(found[0]), int(found[1]), int(found[2]))
