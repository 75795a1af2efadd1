"""Stats and rollup benchmark: a year of daily tables, and one day of a million raw events.

    python -m bench.stats [--days 365] [--pageviews 100000] [--paths 10000] [--events 1000000]
                          [--repeat 20] [--quick] [--profile] [--db PATH]

1. A temporary SQLite file is migrated with the collector's own store, then ``--days`` days
   (from 2025-01-01) of one site are generated straight into ``daily_site``,
   ``hourly_site`` and ``daily_dimension``: ``--pageviews`` page views and ``--paths``
   distinct paths a day, page popularity Zipf-like over a catalogue of ``--catalogue``
   paths (a stable core every day, a long tail that changes from day to day), several
   referrers, channels, campaigns, browsers, OS, devices, screens, languages, countries,
   events, outlinks, downloads and site searches, each with its own skew.
2. The API's report functions (``collector.stats.reports``: summary, daily timeseries and
   five top-10 breakdowns) are timed over the whole range through ``store.stats()``, the
   read-only aiosqlite connection the API uses: the first call on a fresh connection
   ("cold": SQLite's page cache empty; the OS cache is warm) and then ``--repeat`` warm
   calls (p50, p99). The same is done for a year-long range that does not start on the
   first of a month (what a "last 365 days" view asks for).
3. ``--events`` raw events of one day (page views, heartbeats, events, outlinks,
   downloads, searches; ~200,000 visits at full scale) are inserted into ``events`` and
   the rollup of that day (``collector.storage.sqlite_rollup.run_rollup``) is timed;
   ``--profile`` also times each SQL statement of the rollup and prints the query plans
   of the stats queries.

``--quick`` is a small scale (90 days, 2,000 paths a day, 100,000 raw events) that runs in
well under a minute. Nothing is installed and nothing outside the temporary file is
written (``--db PATH`` keeps the database at PATH instead).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.stats_data import FIRST_DAY, SITE, Scale, fill_daily_tables
from bench.stats_events import fill_events, raw_events
from collector.model import SiteClock
from collector.stats import reports, times
from collector.stats.period import Period
from collector.storage.sql import query
from collector.storage.sqlite import SqliteStore
from collector.storage.sqlite_rollup import (
    PYTHON_STEPS,
    STEPS_BEFORE,
    STEPS_PUBLISH,
    STEPS_WRITE,
    connect,
    day_params,
    run_rollup,
    run_steps,
)

TARGET_DASHBOARD_MS = 100.0  # summary + daily timeseries + five top-10 breakdowns, one year
TARGET_ROLLUP_S = 30.0  # one day of 1,000,000 raw events, 2 cores
BREAKDOWNS = ("pages", "entry_pages", "referrers", "browsers", "devices")

# -- timing -------------------------------------------------------------------------------


def pct(samples: Sequence[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Timing:
    name: str
    cold_ms: float
    warm_ms: list[float]
    rows: int

    @property
    def p50(self) -> float:
        return statistics.median(self.warm_ms)

    @property
    def p99(self) -> float:
        return pct(self.warm_ms, 99)


Call = Callable[[reports.StatsReader], Awaitable[dict[str, Any]]]


def dashboard(period: Period, breakdowns: Sequence[str]) -> list[tuple[str, Call]]:
    calls: list[tuple[str, Call]] = [
        ("summary", lambda r: reports.summary(r, SITE, period)),
        ("timeseries (day)", lambda r: reports.timeseries(r, SITE, period, "day")),
        ("times of day (hour x weekday)", lambda r: times.times_of_day(r, SITE, period)),
    ]
    for name in breakdowns:
        calls.append(
            (f"breakdown {name} top 10", lambda r, n=name: reports.breakdown(r, SITE, n, period, 10, 0))
        )  # type: ignore[misc]
    return calls


def _size(result: dict[str, Any]) -> int:
    for key in ("points", "rows"):
        if key in result:
            return len(result[key])
    return 1


Opener = Callable[[], Awaitable[Any]]  # a new, open store (anything with stats() and close())


def sqlite_opener(path: Path) -> Opener:
    async def opened() -> SqliteStore:
        store = SqliteStore(path)
        await store.open()
        return store

    return opened


async def time_reports(
    path: Path | Opener, period: Period, breakdowns: Sequence[str], repeat: int
) -> tuple[list[Timing], Timing, list[dict[str, Any]]]:
    """The dashboard's reports over ``period``: each first on a fresh store ("cold"), then
    ``repeat`` warm rounds on one. ``path``: a SQLite file, or an opener of any store."""
    opener = sqlite_opener(path) if isinstance(path, Path) else path
    calls = dashboard(period, breakdowns)
    timings: list[Timing] = []
    results: list[dict[str, Any]] = []
    for name, call in calls:  # cold: each report first on a fresh store (empty page cache)
        store = await opener()
        try:
            reader = store.stats()
            await reader.totals(SITE, Period(date(1970, 1, 1), date(1970, 1, 1)))  # connect first
            t0 = time.perf_counter()
            result = await call(reader)
            timings.append(Timing(name, (time.perf_counter() - t0) * 1000, [], _size(result)))
            results.append(result)
        finally:
            await store.close()
    store = await opener()
    total = Timing("dashboard, all of the above", 0.0, [], 0)
    try:
        reader = store.stats()
        t0 = time.perf_counter()
        for _, call in calls:
            await call(reader)
        total.cold_ms = (time.perf_counter() - t0) * 1000
        for _ in range(repeat):
            t0 = time.perf_counter()
            for timing, (_, call) in zip(timings, calls, strict=True):
                t1 = time.perf_counter()
                await call(reader)
                timing.warm_ms.append((time.perf_counter() - t1) * 1000)
            total.warm_ms.append((time.perf_counter() - t0) * 1000)
    finally:
        await store.close()
    return timings, total, results


def rollup_profile(path: Path, day: date) -> list[tuple[str, float]]:
    """The rollup of one day statement by statement (as ``rollup_day`` runs it)."""
    site = SiteClock(ZoneInfo("UTC"), 10_000)
    params = day_params(SITE, day, site)
    conn = connect(path)
    out = []
    try:
        steps = (
            "rollup/06_shadow_tables",
            *STEPS_BEFORE,
            *STEPS_WRITE,
            *STEPS_PUBLISH,
            "rollup/90_drop_temp",
            "rollup/91_clear_shadows",
        )
        for name in steps:
            if name == STEPS_PUBLISH[0]:
                conn.execute("BEGIN IMMEDIATE")
                locked = time.perf_counter()
            if name in PYTHON_STEPS:
                t0 = time.perf_counter()
                run_steps(conn, (name,), params)
                out.append((f"{name} (python)", time.perf_counter() - t0))
                continue
            for n, sql in enumerate(s for s in query(name).split(";\n") if _has_code(s)):
                t0 = time.perf_counter()
                conn.execute(sql, params)
                out.append((f"{name}#{n + 1}", time.perf_counter() - t0))
            if name == STEPS_PUBLISH[-1]:
                conn.execute("COMMIT")
                out.append(("write lock held (BEGIN IMMEDIATE .. COMMIT)", time.perf_counter() - locked))
    finally:
        conn.close()
    return out


def _has_code(sql: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in sql.splitlines())


def explain(path: Path, period: Period) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    base = {"site": SITE, **period.bind()}
    plans = {
        "summary": ("stats/summary", base),
        "timeseries_day": ("stats/timeseries_day", base),
        "breakdown pages": (
            "stats/breakdown",
            {
                **base,
                "dimension": "pages",
                "order": "pageviews",
                "min_entries": 0,
                "min_exits": 0,
                "limit": 10,
                "offset": 0,
            },
        ),
    }
    for label, (name, params) in plans.items():
        print(f"\nEXPLAIN QUERY PLAN {label}:")
        for row in conn.execute("EXPLAIN QUERY PLAN " + query(name), params):
            print(f"  {row[0]:>3} {row[1]:>3}  {row[3]}")
    conn.close()


# -- the run ------------------------------------------------------------------------------


def _ms(x: float) -> str:
    return f"{x:9.1f}"


def print_reports(title: str, timings: list[Timing], total: Timing) -> None:
    print(f"\n{title}")
    print(f"  {'report':<34}{'rows':>6}{'cold ms':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for t in timings:
        print(f"  {t.name:<34}{t.rows:>6}{_ms(t.cold_ms)}{_ms(t.p50)}{_ms(t.p99)}")
    verdict = "ok" if total.p50 < TARGET_DASHBOARD_MS else "MISSED"
    print(
        f"  {total.name:<34}{'':>6}{_ms(total.cold_ms)}{_ms(total.p50)}{_ms(total.p99)}"
        f"   target < {TARGET_DASHBOARD_MS:.0f} ms (p50): {verdict}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stats", description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--pageviews", type=int, default=100_000, help="page views a day")
    parser.add_argument("--paths", type=int, default=10_000, help="distinct paths a day")
    parser.add_argument(
        "--catalogue", type=int, default=0, help="distinct paths over the whole range (default: 3 × --paths)"
    )
    parser.add_argument("--events", type=int, default=1_000_000, help="raw events of the rolled-up day")
    parser.add_argument("--repeat", type=int, default=20, help="warm calls per report")
    parser.add_argument("--breakdowns", default=",".join(BREAKDOWNS))
    parser.add_argument(
        "--quick", action="store_true", help="small scale: 90 days, 2,000 paths a day, 100,000 raw events"
    )
    parser.add_argument(
        "--profile", action="store_true", help="time each rollup statement and print the stats query plans"
    )
    parser.add_argument("--skip-rollup", action="store_true")
    parser.add_argument("--db", type=Path, help="keep the database here (must not exist)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.quick:
        args.days, args.paths, args.events = (
            min(args.days, 90),
            min(args.paths, 2_000),
            min(args.events, 100_000),
        )
    scale = Scale(args.days, args.pageviews, args.paths, args.catalogue or 3 * args.paths, args.events)
    breakdowns = [b for b in args.breakdowns.split(",") if b]
    unknown = [b for b in breakdowns if b not in reports.DIMENSIONS]
    if unknown:
        parser.error(f"unknown breakdown(s): {', '.join(unknown)}")
    if args.db is not None and args.db.exists():
        parser.error(f"{args.db} exists")
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as tmp:
        path = args.db or Path(tmp) / "stats.sqlite3"
        return asyncio.run(run(path, scale, breakdowns, args))


async def run(path: Path, scale: Scale, breakdowns: list[str], args: argparse.Namespace) -> int:
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}"
    )
    print(
        f"scale: {scale.days} days × {scale.pageviews:,} page views/day, {scale.paths:,} distinct "
        f"paths/day ({scale.catalogue:,} over the range); rollup of {scale.events:,} raw events"
    )
    store = SqliteStore(path)
    await store.open()
    await store.migrate()
    await store.add_site("Bench", ["bench.example"], "UTC", time.time())
    await store.close()

    t0 = time.perf_counter()
    n = fill_daily_tables(path, scale, args.seed)
    with sqlite3.connect(path) as conn:
        conn.execute("ANALYZE")
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("daily_site", "hourly_site", "daily_dimension")
        }
        distinct = conn.execute(
            "SELECT count(DISTINCT value) FROM daily_dimension WHERE dimension='pages'"
        ).fetchone()[0]
    print(
        f"generated {n:,} daily_dimension rows in {time.perf_counter() - t0:.1f} s: "
        + ", ".join(f"{t} {c:,}" for t, c in counts.items())
        + f"; {distinct:,} distinct paths"
    )

    last = FIRST_DAY + timedelta(days=scale.days - 1)
    year = Period(FIRST_DAY, last)
    rolling = Period(FIRST_DAY + timedelta(days=14), last + timedelta(days=14))  # unaligned to months
    results: dict[str, tuple[list[Timing], Timing]] = {}
    for label, period in (
        (f"whole range {year.start} .. {year.end}", year),
        (f"same length, not month-aligned {rolling.start} .. {rolling.end}", rolling),
    ):
        timings, total, _ = await time_reports(path, period, breakdowns, args.repeat)
        results[label] = (timings, total)
        print_reports(label, timings, total)
    if args.profile:
        explain(path, year)

    rollup_s: float | None = None
    if not args.skip_rollup:
        day = last + timedelta(days=1)
        t0 = time.perf_counter()
        rows = raw_events(day, scale, args.seed)
        fill_events(path, rows)
        del rows
        print(f"\ngenerated {scale.events:,} raw events for {day} in {time.perf_counter() - t0:.1f} s")
        sites = {SITE: SiteClock(ZoneInfo("UTC"), 10_000)}
        t0 = time.perf_counter()
        done = run_rollup(path, sites, time.time(), [(SITE, day.isoformat())])
        rollup_s = time.perf_counter() - t0
        assert done == [(SITE, day.isoformat())], done
        with sqlite3.connect(path) as conn:
            site_row = conn.execute(
                "SELECT visitors, visits, pageviews, bounces, events FROM daily_site "
                "WHERE site_id = ? AND day = ?",
                (SITE, day.isoformat()),
            ).fetchone()
            kinds = dict(conn.execute("SELECT kind, count(*) FROM events GROUP BY kind").fetchall())
            dims = conn.execute(
                "SELECT count(*) FROM daily_dimension WHERE day = ?", (day.isoformat(),)
            ).fetchone()[0]
        print(f"  events by kind: {kinds}")
        print(
            f"  rolled up: visitors {site_row[0]:,}, visits {site_row[1]:,}, page views {site_row[2]:,}, "
            f"bounces {site_row[3]:,}, events {site_row[4]:,}; {dims:,} dimension rows"
        )
        verdict = "ok" if rollup_s < TARGET_ROLLUP_S else "MISSED"
        print(
            f"  rollup of {scale.events:,} events: {rollup_s:.1f} s   target < {TARGET_ROLLUP_S:.0f} s: "
            f"{verdict}"
        )
        if args.profile:
            print("\nrollup statement by statement (a second run of the same day):")
            for name, seconds in rollup_profile(path, day):
                print(f"  {name:<40}{seconds:8.2f} s")

    print("\nsummary")
    for label, (_, total) in results.items():
        print(
            f"  dashboard, {label[:32]:<32} p50 {total.p50:7.1f} ms  p99 {total.p99:7.1f} ms"
            f"  (target < {TARGET_DASHBOARD_MS:.0f} ms)"
        )
    if rollup_s is not None:
        print(
            f"  rollup, {scale.events:,} events{'':<17} {rollup_s:7.1f} s{'':<17}"
            f"(target < {TARGET_ROLLUP_S:.0f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
