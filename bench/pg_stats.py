"""Stats and rollup on PostgreSQL, next to SQLite on the same data in the same run.

    python -m bench.pg_stats [--days 365] [--pageviews 100000] [--paths 10000]
                             [--events 1000000] [--repeat 20] [--quick]

1. The year of daily tables of ``bench.stats`` (same generator, same seed) is made in a
   temporary SQLite file, with ``--events`` raw events of the following day (not yet
   rolled up).
2. ``collector copy`` (the product's own command, ``copy_into_postgres``) moves all of it
   into a throw-away PostgreSQL cluster started here (``collector.storage.pg_cluster``,
   durable: fsync on, PostgreSQL's default settings otherwise), then ``ANALYZE``.
3. The dashboard's reports over the year (summary, daily timeseries, times of day, five
   top-10 breakdowns) are timed through each backend's ``store.stats()``: first on a
   fresh store ("cold": a new connection; the database's own cache is warm on both),
   then ``--repeat`` warm rounds (p50, p99).
4. The raw day is rolled up on each (SQLite: ``run_rollup``; PostgreSQL:
   ``PgStore.rollup``, in parts on pooled connections for a big day) and timed; both
   must give the same ``daily_site`` row.

``--quick``: 90 days, 2,000 paths a day, 100,000 raw events.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from bench.stats import (
    BREAKDOWNS,
    TARGET_DASHBOARD_MS,
    TARGET_ROLLUP_S,
    Timing,
    print_reports,
    time_reports,
)
from bench.stats_data import FIRST_DAY, SITE, Scale, fill_daily_tables
from bench.stats_events import fill_events, raw_events
from collector.cli.copy import copy_into_postgres
from collector.model import SiteClock
from collector.stats.period import Period
from collector.storage import pg_cluster, urls
from collector.storage.pg import PgStore
from collector.storage.sqlite import SqliteStore
from collector.storage.sqlite_rollup import run_rollup

TARGET_PG_ROLLUP_S = 10.0  # issue 13: the 1,000,000-event day on PostgreSQL
SITE_ROW = "SELECT visitors, visits, pageviews, bounces, duration_s, events FROM daily_site"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pg_stats", description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--pageviews", type=int, default=100_000, help="page views a day")
    parser.add_argument("--paths", type=int, default=10_000, help="distinct paths a day")
    parser.add_argument("--events", type=int, default=1_000_000, help="raw events of the rolled-up day")
    parser.add_argument("--repeat", type=int, default=20, help="warm calls per report")
    parser.add_argument("--quick", action="store_true", help="90 days, 2,000 paths a day, 100,000 events")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.quick:
        args.days, args.paths, args.events = (
            min(args.days, 90),
            min(args.paths, 2_000),
            min(args.events, 100_000),
        )
    scale = Scale(args.days, args.pageviews, args.paths, 3 * args.paths, args.events)
    try:
        cluster = pg_cluster.start(durable=True)
    except pg_cluster.ClusterError as exc:
        print(f"bench.pg_stats: {exc}", file=sys.stderr)
        return 2
    try:
        with tempfile.TemporaryDirectory(prefix="bench-pg-stats-") as tmp:
            return asyncio.run(_run(Path(tmp) / "stats.sqlite3", cluster, scale, args))
    finally:
        cluster.remove()


async def _run(path: Path, cluster: pg_cluster.Cluster, scale: Scale, args: argparse.Namespace) -> int:
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}"
    )
    print(
        f"scale: {scale.days} days × {scale.pageviews:,} page views/day, {scale.paths:,} distinct "
        f"paths/day; rollup of {scale.events:,} raw events"
    )
    store = SqliteStore(path)
    await store.open()
    await store.migrate()
    await store.add_site("Bench", ["bench.example"], "UTC", time.time())
    await store.close()
    t0 = time.perf_counter()
    rows = fill_daily_tables(path, scale, args.seed)
    day = FIRST_DAY + timedelta(days=scale.days)
    fill_events(path, raw_events(day, scale, args.seed))
    with sqlite3.connect(path) as lite:
        lite.execute("ANALYZE")
    seconds = time.perf_counter() - t0
    print(f"generated {rows:,} daily_dimension rows and {scale.events:,} raw events in {seconds:.1f} s")

    target = urls.parse(cluster.url())
    assert isinstance(target, urls.PostgresUrl)
    copied = await copy_into_postgres(path, target, replace=True)
    admin = await asyncpg.connect(target.url)
    try:
        version = await admin.fetchval("SHOW server_version")
        await admin.execute("ANALYZE")
    finally:
        await admin.close()
    total_rows = sum(copied.tables.values())
    print(f"copied {total_rows:,} rows into PostgreSQL {version} in {copied.seconds:.1f} s (collector copy)")

    year = Period(FIRST_DAY, day - timedelta(days=1))

    async def pg_opened() -> PgStore:
        pg = PgStore(target)
        await pg.open()
        return pg

    results: dict[str, Timing] = {}
    for label, opener in (("SQLite", path), ("PostgreSQL", pg_opened)):
        timings, total, _ = await time_reports(opener, year, BREAKDOWNS, args.repeat)
        print_reports(f"{label}: the year {year.start} .. {year.end}", timings, total)
        results[label] = total

    sites = {SITE: SiteClock(ZoneInfo("UTC"), 10_000)}
    only = [(SITE, day.isoformat())]
    t0 = time.perf_counter()
    assert run_rollup(path, sites, time.time(), only) == only
    sqlite_s = time.perf_counter() - t0
    pg = await pg_opened()
    try:
        t0 = time.perf_counter()
        assert await pg.rollup(sites, time.time(), only) == only
        pg_s = time.perf_counter() - t0
    finally:
        await pg.close()
    same = await _same_day(path, target.url, day.isoformat())

    print("\nsummary (the same data on both; ratios from this run)")
    for label, total in results.items():
        verdict = "ok" if total.p50 < TARGET_DASHBOARD_MS else "MISSED"
        print(
            f"  dashboard year, {label:<11} p50 {total.p50:7.1f} ms  p99 {total.p99:7.1f} ms"
            f"  (target < {TARGET_DASHBOARD_MS:.0f} ms: {verdict})"
        )
    for label, seconds, target_s in (
        ("SQLite", sqlite_s, TARGET_ROLLUP_S),
        ("PostgreSQL", pg_s, TARGET_PG_ROLLUP_S),
    ):
        verdict = "ok" if seconds < target_s else "MISSED"
        print(
            f"  rollup of {scale.events:,} events, {label:<11} {seconds:6.1f} s"
            f"  (target < {target_s:.0f} s: {verdict})"
        )
    ratio = results["PostgreSQL"].p50 / results["SQLite"].p50
    print(
        f"  PostgreSQL / SQLite: dashboard p50 ×{ratio:.2f}, rollup ×{pg_s / sqlite_s:.2f}; "
        f"the rolled-up day identical on both: {same}"
    )
    return 0 if same else 1


async def _same_day(path: Path, url: str, day: str) -> bool:
    with sqlite3.connect(path) as conn:
        lite: Any = conn.execute(SITE_ROW + " WHERE site_id = ? AND day = ?", (SITE, day)).fetchone()
    conn_pg = await asyncpg.connect(url)
    try:
        row = await conn_pg.fetchrow(SITE_ROW + " WHERE site_id = $1 AND day = $2", SITE, day)
    finally:
        await conn_pg.close()
    print(f"  {day}: SQLite {tuple(lite)}, PostgreSQL {tuple(row) if row else None}")
    return row is not None and tuple(lite) == tuple(row)


if __name__ == "__main__":
    raise SystemExit(main())
