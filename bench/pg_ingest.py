"""Ingest on PostgreSQL next to SQLite and the bare-Starlette floor, in one run:

    python -m bench.pg_ingest [--duration 10] [--connections 50] [--rounds 1]

Every server runs what ``collector serve`` runs by default (1 worker, the access log on,
the rollup every 60 s); the only difference between the two collectors is
``COLLECTOR_DATABASE``. PostgreSQL is a throw-away cluster started here with its default
durability (fsync and synchronous_commit on: a 2xx means the beacon is on disk), on the
same 2 cores, so its own CPU use competes with the collector's and is reported.

Then two collector nodes on the one PostgreSQL database, each loaded with half the
connections at the same time: their combined rate next to one node's. Afterwards the
stored events are counted next to the 2xx replies wrk saw, for every collector.

Targets (issue 13): PostgreSQL at least 0.8 of SQLite, p99 under 15 ms at 50 connections.
Needs ``wrk``, and PostgreSQL's binaries (Debian: ``postgresql``).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import asyncpg

from bench.harness import (
    HOST,
    BenchError,
    WrkResult,
    bench_env,
    count_rows,
    create_site,
    free_port,
    median_run,
    run_wrk,
    server,
)
from collector.storage import pg_cluster

TARGET_OF_SQLITE = 0.8
TARGET_P99_MS = 15.0


def _serve(port: int) -> list[str]:
    return [sys.executable, "-m", "collector", "serve", "--host", HOST, "--port", str(port)]


def _floor(port: int) -> list[str]:
    return [sys.executable, "-m", "bench.baseline_app", "--host", HOST, "--port", str(port)]


def _line(name: str, result: WrkResult, floor: WrkResult | None, note: str = "") -> str:
    share = f"{result.rate / floor.rate:5.2f}" if floor and floor.rate else "    -"
    return (
        f"{name:<34} {result.rate:>9,.0f} {result.p50_ms:>7.2f} {result.p99_ms:>7.2f} {share}  "
        f"server {result.server_cpu:.2f} CPU, other {result.other_cpu:.2f} CPU{note}"
    )


async def _pg_rows(url: str) -> tuple[int, int]:
    """Events stored, and the bytes their partitions take (tables and indexes)."""
    conn = await asyncpg.connect(url)
    try:
        rows = int(await conn.fetchval("SELECT count(*) FROM events"))
        size = await conn.fetchval(
            "SELECT COALESCE(SUM(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits "
            "WHERE inhparent = 'events'::regclass"
        )
        return rows, int(size)
    finally:
        await conn.close()


def _both(srvs: Sequence[object], site: int, duration: float, connections: int) -> list[WrkResult]:
    with concurrent.futures.ThreadPoolExecutor(len(srvs)) as pool:
        runs = [pool.submit(run_wrk, s, site, duration, connections) for s in srvs]  # type: ignore[arg-type]
        return [r.result() for r in runs]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pg_ingest",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of measured load (10)")
    parser.add_argument("--connections", type=int, default=50, help="open connections (50)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per server (2)")
    parser.add_argument("--rounds", type=int, default=1, help="measured runs per server, alternating (1)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench: wrk is not installed; on Debian/Ubuntu: apt-get install wrk", file=sys.stderr)
        return 2
    try:
        cluster = pg_cluster.start(durable=True)
    except pg_cluster.ClusterError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    try:
        with tempfile.TemporaryDirectory(prefix="collector-bench-pg-") as tmp:
            return _run(args, Path(tmp), cluster)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    finally:
        cluster.remove()


def _run(args: argparse.Namespace, tmp: Path, cluster: pg_cluster.Cluster) -> int:
    (tmp / "sqlite").mkdir()
    sqlite_env = bench_env(tmp / "sqlite")
    pg_env = {**bench_env(tmp / "pg"), "COLLECTOR_DATABASE": cluster.url()}
    site = create_site(sqlite_env)
    if create_site(pg_env) != site:
        raise BenchError("the two databases gave the bench site different ids")
    ports = [free_port() for _ in range(4)]
    floors: list[WrkResult] = []
    sqlites: list[WrkResult] = []
    pgs: list[WrkResult] = []
    replied = {"sqlite": 0, "pg": 0}
    print(f"floor :{ports[0]}, SQLite :{ports[1]}, PostgreSQL :{ports[2]} (+ :{ports[3]}) …", flush=True)
    with (
        server(_floor(ports[0]), sqlite_env, ports[0], "/", tmp / "floor.log") as floor_srv,
        server(_serve(ports[1]), sqlite_env, ports[1], "/healthz", tmp / "sqlite.log") as sqlite_srv,
        server(_serve(ports[2]), pg_env, ports[2], "/healthz", tmp / "pg.log") as pg_srv,
    ):
        for srv, key in ((floor_srv, ""), (sqlite_srv, "sqlite"), (pg_srv, "pg")):
            if args.warmup > 0:
                done = run_wrk(srv, site, args.warmup, args.connections)
                if key:
                    replied[key] += done.ok
        for _ in range(args.rounds):
            floors.append(run_wrk(floor_srv, site, args.duration, args.connections))
            sqlites.append(run_wrk(sqlite_srv, site, args.duration, args.connections))
            pgs.append(run_wrk(pg_srv, site, args.duration, args.connections))
        replied["sqlite"] += sum(r.ok for r in sqlites)
        replied["pg"] += sum(r.ok for r in pgs)
        with server(_serve(ports[3]), pg_env, ports[3], "/healthz", tmp / "pg2.log") as second:
            pair = _both([pg_srv, second], site, args.duration, max(1, args.connections // 2))
        replied["pg"] += sum(r.ok for r in pair)
    pg_rows, pg_bytes = asyncio.run(_pg_rows(cluster.url()))
    stored = {"sqlite": count_rows(tmp / "sqlite"), "pg": pg_rows}
    floor, sqlite, pg = median_run(floors), median_run(sqlites), median_run(pgs)
    print()
    print(f"wrk -t1 -c{args.connections} -d{args.duration:g}s, 1 worker each, default configuration")
    print(f"{'':<34} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} floor")
    print(_line("bare Starlette (floor)", floor, None))
    print(_line("collector, SQLite", sqlite, floor))
    print(_line("collector, PostgreSQL", pg, floor, f"  ({pg.rate / sqlite.rate:.2f} of SQLite)"))
    combined = sum(r.rate for r in pair)
    worst = max(r.p99_ms for r in pair)
    print(
        f"{'two PostgreSQL nodes, -c' + str(max(1, args.connections // 2)) + ' each':<34} {combined:>9,.0f} "
        f"{'':>7} {worst:>7.2f} {combined / floor.rate:5.2f}  ({combined / pg.rate:.2f} of one node; "
        "2 cores shared by both nodes, PostgreSQL and wrk)"
    )
    ok = pg.rate >= TARGET_OF_SQLITE * sqlite.rate and pg.p99_ms < TARGET_P99_MS
    print(
        f"target: PostgreSQL ≥ {TARGET_OF_SQLITE} of SQLite and p99 < {TARGET_P99_MS:g} ms: "
        f"{'met' if ok else 'MISSED'}"
    )
    if pg_rows:
        print(f"PostgreSQL disk: {pg_bytes / pg_rows * 1e6 / 2**20:,.0f} MiB per million raw events")
    # wrk stops with up to one request per connection in flight: those may be stored
    # without wrk counting the reply, so rows may exceed the replies by that much.
    runs = {"sqlite": 1 + args.rounds, "pg": 2 + args.rounds}
    fine = {k: replied[k] <= stored[k] <= replied[k] + runs[k] * args.connections for k in stored}
    for key, name in (("sqlite", "SQLite"), ("pg", "PostgreSQL")):
        verdict = "ok" if fine[key] else "MISMATCH"
        print(
            f"{name}: {stored[key]:,} events stored, {replied[key]:,} beacons acknowledged "
            f"(at most one a connection more may be stored): {verdict}"
        )
    return 0 if all(fine.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
