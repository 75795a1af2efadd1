"""Many nodes on one PostgreSQL, as an operator runs them: real ``collector serve``
processes on their own ports, one database.

- A visitor whose page views alternate between two nodes is one visitor with one visit.
- An opt-out made on node A is honoured by node B on the very next beacon.
- A node killed with SIGKILL under load loses no acknowledged beacon.
- PostgreSQL unreachable at start: one line naming host and port (never the password),
  exit code not 0. Unreachable while serving: beacons get 503 with ``Retry-After``,
  ``/readyz`` 503, and ingest resumes by itself when it is back.
"""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from collector.storage import pg_cluster
from tests import pgserver
from tests.integration.load import CHROME, Beacons
from tests.integration.server import Server
from tests.integration.test_crash_safety import HEADERS, REQUEST_TIMEOUT_S, Load, _one

pytestmark = pytest.mark.slow
DAY = time.strftime("%Y-%m-%d", time.gmtime())


def _node(folder: Path, database: str) -> Server:
    return Server(folder, env={"COLLECTOR_DATABASE": database, "COLLECTOR_SECRET_KEY": ""})


@pytest.fixture
def database() -> str:
    return pgserver.new_database()


@pytest.fixture
def nodes(tmp_path: Path, database: str) -> Iterator[list[Server]]:
    a, b = _node(tmp_path / "a", database), _node(tmp_path / "b", database)
    a.cli("migrate")
    yield [a, b]
    for node in (a, b):
        node.stop(kill=True)


def _summary(node: Server, site: int, token: str) -> dict[str, int]:
    node.cli("rollup")
    reply = httpx.get(
        f"{node.url}/api/v1/sites/{site}/summary",
        params={"from": DAY, "to": DAY},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    return {k: int(v) for k, v in reply.json().items() if isinstance(v, int)}


def _pageview(node: Server, path: str, **extra: str) -> int:
    params = {"idsite": "1", "rec": "1", "url": f"https://shop.example{path}", "send_image": "0", **extra}
    reply = httpx.get(
        node.url + "/matomo.php",
        params=params,
        headers={"User-Agent": CHROME, "X-Forwarded-For": "198.51.100.23"},
        timeout=10,
    )
    return reply.status_code


def test_alternating_nodes_count_one_visitor_one_visit(nodes: list[Server]) -> None:
    a, b = nodes
    site = a.add_site("Shop", "shop.example")
    token = a.create_token(site, "stats")
    a.start()
    b.start()
    for n in range(10):
        assert _pageview(nodes[n % 2], f"/page/{n}") in (200, 204)
    totals = _summary(b, site, token)
    assert (totals["visitors"], totals["visits"], totals["pageviews"]) == (1, 1, 10)
    assert _summary(a, site, token) == totals


def test_an_opt_out_on_one_node_is_honoured_by_the_other_on_the_next_beacon(nodes: list[Server]) -> None:
    a, b = nodes
    site = a.add_site("Shop", "shop.example")
    optout = a.create_token(site, "optout")
    stats = a.create_token(site, "stats")
    a.start()
    b.start()
    assert _pageview(b, "/before", uid="user-42") in (200, 204)
    reply = httpx.put(
        f"{a.url}/api/v1/sites/{site}/optouts/user-42",
        headers={"Authorization": f"Bearer {optout}"},
        timeout=10,
    )
    assert reply.status_code == 204
    assert _pageview(b, "/after", uid="user-42") in (200, 204)
    assert _summary(a, site, stats)["pageviews"] == 1
    dropped = httpx.get(
        f"{a.url}/api/v1/sites/{site}/dropped",
        params={"from": DAY, "to": DAY},
        headers={"Authorization": f"Bearer {stats}"},
        timeout=10,
    )
    assert dropped.status_code == 200, dropped.text
    assert "opted_out" in dropped.text


async def _markers(database: str) -> set[int]:
    conn = await asyncpg.connect(database)
    try:
        rows = await conn.fetch("SELECT path FROM events WHERE site_id = 1")
    finally:
        await conn.close()
    return {int(r[0].rsplit("/", 1)[1]) for r in rows if r[0] and r[0].startswith("/p/")}


async def _load_on_both(nodes: list[Server], stop: asyncio.Event, load: Load) -> None:
    counter, markers = itertools.count(), itertools.count()

    async def worker(clients: list[httpx.AsyncClient], first: int) -> None:
        turn = first
        while not stop.is_set():
            for attempt in range(2):  # this node, then the other (a load balancer)
                try:
                    await _one(clients[(turn + attempt) % 2], next(counter), lambda: next(markers), load)
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.005)
            turn += 1

    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    async with (
        httpx.AsyncClient(
            base_url=nodes[0].url, headers=HEADERS, timeout=REQUEST_TIMEOUT_S, limits=limits
        ) as a,
        httpx.AsyncClient(
            base_url=nodes[1].url, headers=HEADERS, timeout=REQUEST_TIMEOUT_S, limits=limits
        ) as b,
    ):
        await asyncio.gather(*(worker([a, b], n % 2) for n in range(8)))


async def test_a_node_killed_under_load_loses_no_acknowledged_beacon(
    nodes: list[Server], database: str
) -> None:
    a, b = nodes
    a.add_site("Shop", "shop.example")
    a.start()
    b.start()
    load, stop = Load(), asyncio.Event()
    running = asyncio.create_task(_load_on_both(nodes, stop, load))
    await asyncio.sleep(1.5)
    a.stop(kill=True)  # SIGKILL: no drain, no goodbye
    await asyncio.sleep(1.0)
    stop.set()
    await running
    stored = await _markers(database)
    assert load.acknowledged, "no beacon was acknowledged"
    lost = load.acknowledged - stored
    assert not lost, f"{len(lost)} acknowledged beacons are not stored"


def test_unreachable_at_start_is_one_line_naming_host_and_port(tmp_path: Path) -> None:
    port = pg_cluster.free_port()
    env = {
        "COLLECTOR_DATABASE": f"postgresql://app:Very-Secret-9@127.0.0.1:{port}/analytics",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-m", "collector", "migrate"],
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"127.0.0.1:{port}" in lines[0] and "Very-Secret-9" not in done.stderr + done.stdout


@pytest.fixture
def own_cluster() -> Iterator[pg_cluster.Cluster]:
    """A cluster of this test's own (it is stopped and started again)."""
    try:
        cluster = pg_cluster.start()
    except pg_cluster.ClusterError as exc:
        pgserver.unavailable(str(exc))
        raise
    yield cluster
    cluster.remove()


def test_postgres_gone_while_serving_gives_503s_and_ingest_resumes(
    tmp_path: Path, own_cluster: pg_cluster.Cluster
) -> None:
    node = _node(tmp_path, own_cluster.url())
    node.add_site("Shop", "shop.example")
    node.start()
    try:
        with Beacons(node.url) as load:
            load.wait_for(204, count=5)
            own_cluster.stop()
            load.wait_for(503, count=3)
            refused = [r for r in load.replies if r.status == 503]
            assert all(r.retry_after for r in refused)
            assert httpx.get(node.url + "/readyz", timeout=5).status_code == 503
            own_cluster.launch()
            load.wait_for(204, count=5, timeout=60)
        errors = [r for r in load.replies if r.status >= 500 and r.status != 503]
        unusual = [ln for ln in node.log_text().splitlines() if " 503 " not in ln and " 204 " not in ln]
        assert not errors, "\n".join(unusual)[-6000:]
        assert "Traceback" not in node.log_text()
    finally:
        node.stop(kill=True)
