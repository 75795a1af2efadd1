"""Group commit keeps the reply after the commit (docs/contract.md, "Durability"): every
tracking request that got a 2xx before the server died is in the events table afterwards.

32 concurrent clients (asyncio + httpx, 127.0.0.1 only) send beacons as GET, sendBeacon
POSTs (empty body), form POSTs and bulk bodies; every tracked item carries a unique marker
in its URL path (``/p/<n>``). After about 1.5 s the server gets SIGKILL mid-load (no
shutdown, no drain); the SQLite file is then opened directly, and the server restarted
on the same data directory.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.integration.server import Server

pytestmark = pytest.mark.slow

CONCURRENCY = 32
LOAD_S = 1.5
REQUEST_TIMEOUT_S = 5.0
OVERALL_TIMEOUT_S = 30.0
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36"
)
AFTER_RESTART = 99_999_999  # the marker sent after the restart (8 digits: longer runs are redacted)
HEADERS = {"User-Agent": CHROME, "Accept-Language": "en-GB,en;q=0.9"}


def _page(marker: int) -> str:
    return f"https://shop.example/p/{marker}"


@dataclass
class Load:
    acknowledged: set[int] = field(default_factory=set)  # markers whose request got a 2xx
    sent: set[int] = field(default_factory=set)  # markers of every request started
    refused: list[tuple[int, str]] = field(default_factory=list)  # non-2xx replies
    lost_in_flight: int = 0  # requests with no reply (the server died under them)
    requests: int = 0


async def _one(client: httpx.AsyncClient, n: int, markers: Callable[[], int], load: Load) -> None:
    """Request number ``n``: the shape cycles through the ways real clients send."""
    shape = n % 10
    if shape == 9:  # bulk, as matomo.js sends queued requests (form content type)
        batch = [markers() for _ in range(5)]
        body = json.dumps(
            {"requests": [f"?idsite=1&rec=1&url=https%3A%2F%2Fshop.example%2Fp%2F{m}" for m in batch]}
        )
        request = client.build_request(
            "POST",
            "/matomo.php",
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
        )
    else:
        batch = [markers()]
        params = {
            "idsite": "1",
            "rec": "1",
            "url": _page(batch[0]),
            "action_name": f"Product {batch[0]}",
            "send_image": "0" if shape % 2 else "1",
            "res": "1920x1080",
        }
        if shape in (3, 7):  # sendBeacon: POST, params in the query string, empty body
            request = client.build_request("POST", "/matomo.php", params=params, content=b"")
        elif shape == 5:  # XHR POST with a form body
            request = client.build_request("POST", "/matomo.php", data=params)
        else:  # image GET
            request = client.build_request("GET", "/matomo.php", params=params)
    load.sent.update(batch)
    load.requests += 1
    try:
        reply = await client.send(request)
    except httpx.HTTPError:
        load.lost_in_flight += 1
        raise
    if not 200 <= reply.status_code < 300:
        load.refused.append((reply.status_code, reply.text[:200]))
        return
    if shape == 9:
        result = reply.json()
        if result.get("tracked") != len(batch) or result.get("invalid") != 0:
            load.refused.append((reply.status_code, reply.text[:200]))
            return
    load.acknowledged.update(batch)


async def _run_load(server: Server, stop: asyncio.Event, load: Load) -> None:
    counter = itertools.count()
    marker_counter = itertools.count()

    async def worker(client: httpx.AsyncClient) -> None:
        while not stop.is_set():
            try:
                await _one(client, next(counter), lambda: next(marker_counter), load)
            except httpx.HTTPError:
                if stop.is_set() or not server.running:
                    return
                await asyncio.sleep(0.01)  # a transient error under load: go on

    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(
        base_url=server.url, headers=HEADERS, timeout=REQUEST_TIMEOUT_S, limits=limits
    ) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))


def _stored_markers(database: Path) -> tuple[set[int], str]:
    conn = sqlite3.connect(database, timeout=10)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        paths = [r[0] for r in conn.execute("SELECT path FROM events WHERE site_id = 1")]
    finally:
        conn.close()
    return {int(p.rsplit("/", 1)[1]) for p in paths if p and p.startswith("/p/")}, check


async def _load_then_signal(server: Server, sig: signal.Signals) -> Load:
    load = Load()
    stop = asyncio.Event()
    task = asyncio.create_task(_run_load(server, stop, load))
    await asyncio.sleep(LOAD_S)
    assert server.running, f"the server died under load:\n{server.log_text()[-3000:]}"
    # mid-load: 32 requests are in flight now
    await asyncio.to_thread(server.stop, kill=sig is signal.SIGKILL)
    stop.set()
    await asyncio.wait_for(task, timeout=OVERALL_TIMEOUT_S)
    return load


@pytest.fixture
def server(tmp_path: Path) -> Server:
    srv = Server(tmp_path / "data", env={"COLLECTOR_ACCESS_LOG": "true", "COLLECTOR_LOG_LEVEL": "info"})
    srv.cli("migrate")
    assert srv.add_site("Shop", "shop.example") == 1
    return srv


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except OSError:
        return False


async def _gone(pids: list[int], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p for p in pids if _running(p)]
        if not alive:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"writer processes outlived the server: {alive}")


def _report(name: str, load: Load, stored: set[int], record: Callable[[str, object], None]) -> None:
    summary = {
        "requests": load.requests,
        "markers sent": len(load.sent),
        "acknowledged": len(load.acknowledged),
        "stored": len(stored),
        "stored, not acknowledged": len(stored - load.acknowledged),
        "requests without a reply": load.lost_in_flight,
        "non-2xx": len(load.refused),
    }
    for key, value in summary.items():
        record(key, value)
    print(f"\n{name}: " + ", ".join(f"{k} {v}" for k, v in summary.items()))


async def test_acknowledged_beacons_survive_sigkill(
    server: Server, record_property: Callable[[str, object], None]
) -> None:
    started = time.monotonic()
    server.start()
    writers = server.writer_pids()
    assert len(writers) == 1, "one SQLite writer process per worker (COLLECTOR_WRITER=process)"
    load = await _load_then_signal(server, signal.SIGKILL)
    await _gone(writers)  # the writer ends when the server dies, however it dies

    stored, integrity = _stored_markers(server.database)
    _report("SIGKILL", load, stored, record_property)
    assert integrity == "ok"
    assert load.refused == [], f"non-2xx replies under load: {load.refused[:5]}"
    assert len(load.acknowledged) >= 100, "too little load reached the server to prove anything"
    assert load.lost_in_flight > 0, "no request went unanswered: the kill did not happen under load"
    assert stored <= load.sent, "events were stored that no request carried"
    missing = sorted(load.acknowledged - stored)
    assert missing == [], (
        f"{len(missing)} of {len(load.acknowledged)} acknowledged markers were lost: {missing[:20]}"
    )

    # the server comes back on the same files, keeps every acknowledged event and tracks again
    server.start()
    async with httpx.AsyncClient(base_url=server.url, headers=HEADERS, timeout=REQUEST_TIMEOUT_S) as client:
        reply = await client.get(
            "/matomo.php", params={"idsite": "1", "rec": "1", "send_image": "0", "url": _page(AFTER_RESTART)}
        )
    assert reply.status_code == 204
    assert server.stop() is not None
    after, integrity = _stored_markers(server.database)
    assert integrity == "ok"
    assert load.acknowledged | {AFTER_RESTART} <= after
    assert time.monotonic() - started < 60


async def test_acknowledged_beacons_survive_sigterm(
    server: Server, record_property: Callable[[str, object], None]
) -> None:
    """A graceful stop under load: in-flight requests finish, the writer drains, nothing
    acknowledged is lost and the process exits within the stop timeout."""
    server.start()
    writers = server.writer_pids()
    load = await _load_then_signal(server, signal.SIGTERM)
    await _gone(writers)
    stored, integrity = _stored_markers(server.database)
    _report("SIGTERM", load, stored, record_property)
    assert integrity == "ok"
    assert len(load.acknowledged) >= 100
    assert load.refused == [], f"non-2xx replies under load: {load.refused[:5]}"
    assert stored <= load.sent
    missing = sorted(load.acknowledged - stored)
    assert missing == [], f"{len(missing)} of {len(load.acknowledged)} acknowledged markers were lost"
    assert "Traceback" not in server.log_text(), server.log_text()[-3000:]
