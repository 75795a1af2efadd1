"""A database that runs out of room under steady beacons, on a real server: the beacons it
cannot store get 503 with Retry-After (never a 2xx, never a 500), /readyz says 503, a metric
counts them, the log has a line a minute at most, every acknowledged beacon is in the
database, and ingest resumes by itself once there is room again.

Two ways to run out of room: a small tmpfs that a filler file fills (where the machine
lets the test mount one: root, and a kernel that allows it), and otherwise a file-size
limit (``RLIMIT_FSIZE``, set from outside with ``prlimit``) on the server's writer process,
whose writes past it then fail as on a full disk (SQLite's disk I/O error). SQLite's
``max_page_count`` would be a third, but it holds for one connection only: a running
server's cannot be set from outside without putting test code into it."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import resource
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from collector.ingest.buffer import LOG_EVERY_S, RETRY_AFTER_S
from tests.integration.load import Beacons
from tests.integration.server import Server

pytestmark = pytest.mark.slow

ENV = {"COLLECTOR_ACCESS_LOG": "false", "COLLECTOR_SECRET_KEY": "disk-full-test"}
FULL_FOR_S = 3.0  # how long the server is kept without room, under load


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@contextlib.contextmanager
def _tmpfs(where: Path, size: str) -> Iterator[None]:
    if not _mount_tmpfs(where, size):
        pytest.skip("this machine does not let the test mount a tmpfs (the file-size case runs instead)")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(path: Path) -> int:
    """Write ``path`` until the file system has no room left; the bytes written."""
    written = 0
    chunk = b"\0" * 65536
    with path.open("wb", buffering=0) as filler:
        while True:
            try:
                written += filler.write(chunk) or 0
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break
    return written


def _ready(server: Server) -> int:
    return httpx.get(server.url + "/readyz", timeout=10).status_code


def _wait(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _metric(server: Server, name: str) -> int:
    text = httpx.get(server.url + "/metrics", timeout=10).text
    found = re.search(rf"^{name} (\d+)$", text, re.MULTILINE)
    assert found is not None, text
    return int(found.group(1))


def _stored_paths(database: Path) -> set[str]:
    conn = sqlite3.connect(database)
    try:
        return {r[0] for r in conn.execute("SELECT path FROM events WHERE path LIKE '/load/%'")}
    finally:
        conn.close()


class NoRoom:
    """Takes the server's room away and gives it back."""

    def __init__(self, how: str, tmp_path: Path) -> None:
        self.how = how
        self.mount = tmp_path / "small-fs"
        self.filler = self.mount / "filler"
        self.database = self.mount / "collector.sqlite3" if how == "tmpfs" else None
        self.limited: list[tuple[int, tuple[int, int]]] = []

    def take(self, server: Server) -> None:
        if self.how == "tmpfs":
            assert _fill(self.filler) > 0
            return
        wal = Path(f"{server.database}-wal")
        limit = max(server.database.stat().st_size, wal.stat().st_size if wal.exists() else 0)
        for pid in server.writer_pids():
            before = resource.prlimit(pid, resource.RLIMIT_FSIZE)
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (limit, before[1]))
            self.limited.append((pid, before))
        assert self.limited, "no writer process found"

    def give_back(self) -> None:
        if self.how == "tmpfs":
            self.filler.unlink()
            return
        for pid, before in self.limited:
            resource.prlimit(pid, resource.RLIMIT_FSIZE, before)


@pytest.mark.parametrize("how", ["tmpfs", "file-size limit"])
def test_a_full_disk_gets_503s_loses_nothing_acknowledged_and_ingest_resumes(
    tmp_path: Path, how: str
) -> None:
    room = NoRoom(how, tmp_path)
    with contextlib.ExitStack() as stack:
        if how == "tmpfs":
            stack.enter_context(_tmpfs(room.mount, "16m"))  # the WAL needs ~4 MB between checkpoints
        server = stack.enter_context(Server(tmp_path / "data", ENV, database=room.database))
        server.add_site("Shop", "shop.example")
        server.start()
        started = time.monotonic()
        with Beacons(server.url) as load:
            load.wait_for(204, count=20)
            room.take(server)
            load.wait_for(503, count=20)
            refused_from = time.monotonic()
            _wait(lambda: _ready(server) == 503)
            time.sleep(FULL_FOR_S)
            assert _ready(server) == 503
            room.give_back()
            load.wait_for(204, count=50)
            _wait(lambda: _ready(server) == 200)
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        refused = [r for r in load.replies if r.status == 503]
        assert load.statuses() == {204, 503} and load.errors == []
        assert {r.retry_after for r in refused} == {str(RETRY_AFTER_S)}
        assert len(refused) >= 20 and refused[-1].at >= refused_from
        assert _metric(server, "collector_store_unavailable_total") == len(refused)
        server.stop()
        log = server.log_text()
        stored = _stored_paths(server.database)  # (before the small file system goes)

    acked = {r.path for r in load.acked}
    assert acked <= stored, f"{len(acked - stored)} acknowledged beacons are not in the database"
    assert not {r.path for r in refused} & stored  # a 503 is a beacon not stored
    about_it = [line for line in log.splitlines() if " collector.writer: store " in line]
    assert 1 <= len(about_it) <= 1 + elapsed // LOG_EVERY_S, about_it
    assert "Traceback" not in log and "unhandled" not in log
    assert [line for line in log.splitlines() if " ERROR " in line] == about_it[:1]
