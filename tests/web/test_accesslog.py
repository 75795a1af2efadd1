"""The access log: a line per request that is not a tracked beacon (masked address, no
query string, no secret path segment, control characters escaped), tracked beacons
counted in a summary line, and a log file that logrotate can move away."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from collector.app import create_app
from collector.clock import FrozenClock
from collector.settings import Settings
from collector.web import accesslog
from collector.web.accesslog import BeaconTally, log_to_file, safe_path
from collector.web.services import of_app
from tests.conftest import BROWSER_HEADERS

CLIENT = ("203.0.113.195", 1234)


def access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "collector.access"]


async def test_requests_are_lines_and_tracked_beacons_a_count(
    tmp_path: Path, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(database=f"sqlite:///{tmp_path}/c.sqlite3", access_log=True, secret_key="k")
    app = create_app(settings, clock=clock, run_maintenance=False)
    caplog.set_level(logging.INFO, logger="collector.access")
    async with app.router.lifespan_context(app):
        await of_app(app).store.add_site("S", [], "UTC", clock())
        transport = httpx.ASGITransport(app=app, client=CLIENT)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for _ in range(3):
                reply = await client.get(
                    "/matomo.php?idsite=1&rec=1&uid=secret-user&url=http://x/?e=a@b.c",
                    headers=BROWSER_HEADERS,
                )
                assert reply.status_code == 200
            assert (await client.get("/matomo.php?idsite=abc&rec=1")).status_code == 400
            await client.post("/matomo.php?idsite=1&rec=1&url=http://x/", headers=BROWSER_HEADERS)
            await client.get("/healthz?token=hidden")
        lines = access_lines(caplog)
        assert [line.split(" ", 3)[:3] for line in lines] == [
            ["203.0.0.0", '"GET', '/matomo.php"'],
            ["203.0.0.0", '"GET', '/healthz"'],
        ]
        assert lines[0].startswith('203.0.0.0 "GET /matomo.php" 400 ')
    summary = access_lines(caplog)[-1]
    assert summary.startswith("beacons: 4 answered 2xx/3xx in the last ")  # flushed at shutdown
    joined = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("203.0.113.195", "secret-user", "a@b.c", "hidden"):
        assert secret not in joined


def test_the_tally_writes_one_line_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    moment = [0.0]
    tally = BeaconTally(interval_s=60, now=lambda: moment[0])
    caplog.set_level(logging.INFO, logger="collector.access")
    for second in range(0, 150):
        moment[0] = float(second)
        tally.add()
    assert access_lines(caplog) == [
        "beacons: 61 answered 2xx/3xx in the last 60 s",
        "beacons: 60 answered 2xx/3xx in the last 60 s",
    ]
    tally.flush()
    assert access_lines(caplog)[-1] == "beacons: 29 answered 2xx/3xx in the last 29 s"
    tally.flush()
    assert len(access_lines(caplog)) == 3  # nothing counted, nothing written


@pytest.mark.parametrize(
    ("path", "written"),
    [
        ("/index.html", "/index.html"),
        ("/a\nforged 1.2.3.4 line", "/a\\x0aforged 1.2.3.4 line"),
        ("/esc\x1b[31m/nul\x00/del\x7f", "/esc\\x1b[31m/nul\\x00/del\\x7f"),
        ("/back\\slash", "/back\\x5cslash"),
        ("/caf\u00e9/\u2028", "/caf\\xe9/\\u2028"),
        ("/share/s3cr3t-link", "/share/-"),
        ("/share/s3cr3t-link/csv/pages", "/share/-/csv/pages"),
        ("/api/v1/sites/1/optouts/alice", "/api/v1/sites/1/optouts/-"),
        ("/sites/1/share", "/sites/1/share"),
        ("/x" * 300, ("/x" * 100)),
    ],
)
def test_paths_are_written_safely(path: str, written: str) -> None:
    assert safe_path(path) == written


def test_the_log_file_is_reopened_after_logrotate_moves_it(tmp_path: Path) -> None:
    target = tmp_path / "access.log"
    logger = logging.getLogger("collector.access")
    before = list(logger.handlers), logger.propagate, logger.level
    logger.setLevel(logging.INFO)
    try:
        log_to_file(target)
        log_to_file(target)  # a second app in the same process adds no second handler
        accesslog.log.info("first")
        target.rename(tmp_path / "access.log.1")  # what logrotate does
        accesslog.log.info("second")
        assert (tmp_path / "access.log.1").read_text().count("first") == 1
        assert "second" in target.read_text() and "first" not in target.read_text()
    finally:
        for handler in logger.handlers:
            if handler not in before[0]:
                handler.close()
        logger.handlers, logger.propagate = before[0], before[1]
        logger.setLevel(before[2])
