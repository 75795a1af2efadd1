# ruff: noqa: E501
"""The other formats end to end (vhost-combined with a foreign host, nginx JSON, Caddy
JSON, CloudFront), and what a person at a terminal sees."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import orjson
import pytest

from collector.cli.parser import main
from collector.logimport.importer import Summary
from collector.logimport.progress import Progress, report
from collector.logimport.reader import Source
from tests.logimport import sample
from tests.logimport.sample import CHROME, FIREFOX, GOOGLEBOT


def _at(clock: str) -> datetime:
    return datetime.combine(sample.target_day(), time.fromisoformat(clock), UTC)


def _clf(moment: datetime) -> str:
    return moment.strftime("%d/%b/%Y:%H:%M:%S +0000")


def vhost_log() -> str:
    t = _clf(_at("10:00:00"))
    return (
        f'example.com:443 203.0.113.7 - - [{t}] "GET / HTTP/1.1" 200 1 "-" "{FIREFOX}"\n'
        f'www.example.com:443 203.0.113.7 - - [{t}] "GET /a HTTP/1.1" 200 1 "-" "{FIREFOX}"\n'
        f'other.org:80 203.0.113.8 - - [{t}] "GET / HTTP/1.1" 200 1 "-" "{FIREFOX}"\n'
    )


def nginx_log() -> str:
    rows = [
        {"time_iso8601": _at("10:00:00").isoformat(), "remote_addr": "203.0.113.7", "request": "GET /x HTTP/2.0",
         "status": "200", "http_referer": "", "http_user_agent": FIREFOX, "host": "example.com"},
        {"time_iso8601": _at("10:01:00").isoformat(), "remote_addr": "203.0.113.7",
         "request": "GET /app.js HTTP/2.0", "status": "200", "http_user_agent": FIREFOX},
        {"time_iso8601": _at("10:02:00").isoformat(), "remote_addr": "66.249.66.1", "request": "GET / HTTP/2.0",
         "status": "200", "http_user_agent": GOOGLEBOT},
    ]  # fmt: skip
    return "".join(orjson.dumps(r).decode() + "\n" for r in rows)


def caddy_log() -> str:
    def row(ts: float, uri: str, status: int, ua: str) -> str:
        request = {"client_ip": "203.0.113.9", "method": "GET", "host": "example.com", "uri": uri,
                   "headers": {"User-Agent": [ua]}}  # fmt: skip
        return orjson.dumps({"level": "info", "ts": ts, "request": request, "status": status}).decode() + "\n"

    start = _at("10:00:00").timestamp()
    return (
        row(start, "/", 200, CHROME)
        + row(start + 1, "/gone", 404, CHROME)
        + row(start + 2, "/b", 200, CHROME)
    )


def cloudfront_log() -> str:
    day = sample.target_day().isoformat()
    head = (
        "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem "
        "sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id "
        "x-host-header cs-protocol cs-bytes time-taken\n"
    )
    ua = CHROME.replace(" ", "%20")
    row = "\t".join(
        [day, "10:00:00", "FRA56", "1", "2001:db8:1234:5678::1", "GET", "d1.cloudfront.net", "/docs/", "200",
         "https://www.bing.com/", ua, "utm_source=news&id=7", "-", "Hit", "x==", "example.com", "https", "1", "0.1"]
    )  # fmt: skip
    return head + row + "\n" + row.replace("/docs/", "/logo.svg") + "\n"


@pytest.mark.parametrize(
    ("make", "fmt", "imported", "skipped"),
    [
        (vhost_log, "vhost-combined", 2, {"foreign_host": 1}),
        (nginx_log, "nginx-json", 1, {"static": 1, "bot": 1}),
        (caddy_log, "caddy-json", 2, {"status": 1}),
        (cloudfront_log, "cloudfront", 1, {"static": 1}),
    ],
)
def test_each_format_is_detected_and_imported(
    make: object,
    fmt: str,
    imported: int,
    skipped: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = sample.setup_env(monkeypatch, tmp_path)
    log = tmp_path / "access.log"
    assert callable(make)
    log.write_text(make())
    capsys.readouterr()
    assert main(["import-logs", "--site", "1", str(log)]) == 0
    out = capsys.readouterr().out
    assert f"({fmt})" in out and f"imported: {imported}\n" in out
    for reason, count in skipped.items():
        assert f"  {reason}: {count}\n" in out
    assert sample.daily(db, sample.target_day().isoformat())[0] == imported
    # the explicit format gives the same (and nothing twice)
    assert main(["import-logs", "--site", "1", "--format", fmt, str(log)]) == 0
    assert "imported: 0\n" in capsys.readouterr().out


def test_the_progress_bar_and_the_summary(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_bytes(b"x\n" * 1000)
    source = Source(str(log))
    for _ in source.lines():
        pass
    ticks = iter([0.0, 2.0])
    out = io.StringIO()
    bar = Progress(out, clock=lambda: next(ticks))
    bar(source, 4000)
    bar.close()
    source.close()
    text = out.getvalue()
    assert "[########################] 100%" in text and "2,000 lines/s" in text and "ETA 0 s" in text
    assert "2.0 KiB" in text and text.endswith("\r\x1b[K")
    summary = Summary(lines=10, imported=4, skipped=Counter({"static": 5, "unparseable": 1}))
    summary.unparseable_at.append("a.log:3")
    summary.days.add((sample.target_day() - timedelta(days=1)).isoformat())
    lines = report(summary, 2.0)
    assert lines[:3] == ["lines read: 10 in 2.0 s (5 lines/s)", "imported: 4", "skipped: 6"]
    assert "  unparseable: 1 (at a.log:3)" in lines and lines[-1].startswith("days touched: 1 (")
