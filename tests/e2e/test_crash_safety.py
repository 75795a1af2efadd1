"""Group commit keeps the reply after the commit: every beacon acknowledged before a
`kill -9` is in the database afterwards."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import Server

pytestmark = pytest.mark.slow

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/130.0.0.0 Safari/537.36")


async def _load(server: Server, acknowledged: set[int], stop_at: float) -> None:
    counter = iter(range(10**9))

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < stop_at:
            n = next(counter)
            try:
                reply = await client.get("/matomo.php", params={
                    "idsite": "1", "rec": "1", "send_image": "0", "url": f"https://shop.example/p/{n}"},
                    headers={"User-Agent": CHROME})
            except httpx.HTTPError:
                return  # the server is gone
            if reply.status_code == 204:
                acknowledged.add(n)

    limits = httpx.Limits(max_connections=32)
    async with httpx.AsyncClient(base_url=server.url, timeout=5, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(32)))


async def test_acknowledged_beacons_survive_kill_9(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", COLLECTOR_ACCESS_LOG="false")
    server.data_dir.mkdir()
    server.cli("site", "add", "Shop", "--domain", "shop.example")
    server.start()
    acknowledged: set[int] = set()
    stop_at = time.monotonic() + 6
    load = asyncio.create_task(_load(server, acknowledged, stop_at))
    await asyncio.sleep(1.5)
    server.stop(kill=True)  # SIGKILL mid-load: no shutdown, no drain
    await asyncio.wait_for(load, timeout=20)
    assert len(acknowledged) > 50, "too little load reached the server to prove anything"

    conn = sqlite3.connect(tmp_path / "data" / "collector.sqlite3")
    paths = {row[0] for row in conn.execute("SELECT path FROM events")}
    conn.close()
    stored = {int(p.rsplit("/", 1)[1]) for p in paths}
    missing = acknowledged - stored
    assert missing == set(), f"{len(missing)} of {len(acknowledged)} acknowledged beacons were lost"
