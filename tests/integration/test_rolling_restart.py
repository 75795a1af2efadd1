"""A rolling restart loses nothing: two collector processes on one database behind a
client that does what a load balancer does (alternate nodes; a node that refuses the
connection or drops it sends the request to the other). Under load, node A gets SIGTERM
and comes back, then node B: every beacon that got a 2xx is in the database, each node
exits by itself (no SIGKILL needed) and logs no traceback."""

from __future__ import annotations

import asyncio
import itertools
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.server import Server
from tests.integration.test_crash_safety import HEADERS, REQUEST_TIMEOUT_S, Load, _one, _stored_markers

pytestmark = pytest.mark.slow

CONCURRENCY = 16
PHASE_S = 1.0
STOP_BOUND_S = 15.0  # README, "Shutdown and restarts": the graceful timeout plus the drain


async def _load(nodes: list[Server], stop: asyncio.Event, load: Load) -> None:
    counter, markers = itertools.count(), itertools.count()
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)

    async def worker(clients: list[httpx.AsyncClient], first: int) -> None:
        turn = first
        while not stop.is_set():
            for attempt in range(2):  # this node, then the other
                client = clients[(turn + attempt) % 2]
                try:
                    await _one(client, next(counter), lambda: next(markers), load)
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.005)
            turn += 1

    async with (
        httpx.AsyncClient(
            base_url=nodes[0].url, headers=HEADERS, timeout=REQUEST_TIMEOUT_S, limits=limits
        ) as a,
        httpx.AsyncClient(
            base_url=nodes[1].url, headers=HEADERS, timeout=REQUEST_TIMEOUT_S, limits=limits
        ) as b,
    ):
        await asyncio.gather(*(worker([a, b], n % 2) for n in range(CONCURRENCY)))


def _restart(node: Server) -> float:
    started = time.monotonic()
    code = node.stop(timeout=STOP_BOUND_S)
    took = time.monotonic() - started
    # uvicorn re-raises SIGTERM after a clean shutdown: -15 is a graceful exit, -9 was killed
    assert code in (0, -signal.SIGTERM), (
        f"the node did not exit by itself ({code}):\n{node.log_text()[-2000:]}"
    )
    node.start()
    return took


async def test_a_rolling_restart_under_load_loses_no_acknowledged_beacon(tmp_path: Path) -> None:
    env = {"COLLECTOR_ACCESS_LOG": "true"}
    nodes = [Server(tmp_path / "data", env=env), Server(tmp_path / "data", env=env)]
    nodes[1].log_path = tmp_path / "data" / "server-b.log"
    nodes[0].cli("migrate")
    assert nodes[0].add_site("Shop", "shop.example") == 1
    for node in nodes:
        node.start()
    load, stop = Load(), asyncio.Event()
    try:
        task = asyncio.create_task(_load(nodes, stop, load))
        await asyncio.sleep(PHASE_S)
        stops = []
        for node in nodes:
            stops.append(await asyncio.to_thread(_restart, node))
            await asyncio.sleep(PHASE_S)
        stop.set()
        await asyncio.wait_for(task, timeout=30)
    finally:
        for node in nodes:
            node.stop()
    stored, integrity = _stored_markers(nodes[0].database)
    print(
        f"\nrolling restart: requests {load.requests}, acknowledged {len(load.acknowledged)}, "
        f"stored {len(stored)}, non-2xx {len(load.refused)}, stops took {[f'{s:.2f} s' for s in stops]}"
    )
    assert integrity == "ok"
    assert len(load.acknowledged) >= 100, "too little load to prove anything"
    assert load.refused == [], load.refused[:5]
    missing = sorted(load.acknowledged - stored)
    assert missing == [], f"{len(missing)} acknowledged beacons lost: {missing[:20]}"
    assert stored <= load.sent
    for node in nodes:
        assert "Traceback" not in node.log_text(), node.log_text()[-3000:]
