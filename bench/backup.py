"""Backup benchmark: how long the collector's commits stall while a backup copies a
year-sized database, for `collector backup` and the ways it could have been done.

    python -m bench.backup [--db PATH] [--interval-ms 2] [--batch 12] [--baseline 5]
                           [--after 5] [--methods collector,vacuum,steps] [--quick]

1. The database: ``--db PATH`` (made by ``python -m bench.stats --db PATH``; the run adds
   its beacons to it), else the same year built into a temporary file the way
   ``bench.stats`` builds it (365 days of daily tables, 100,000 page views and 10,000
   paths a day, and a day of 1,000,000 raw events; ``--quick``: 90 days, 2,000 paths,
   100,000 raw events).
2. A writer process commits a batch of ``--batch`` page views every ``--interval-ms``
   through the group commit's own transaction (``sqlite_write.write_rows`` on a
   connection with the collector's pragmas, as the writer process does), and records
   when each commit started and ended.
3. While it writes: ``--baseline`` seconds without a backup, then each method in turn,
   each followed by ``--after`` seconds (the checkpoint that catches up once the backup's
   read transaction ends runs in a commit too):

   - ``collector``: ``collector.cli.backup.copy_database`` (the online backup API in one
     step, the copy's integrity check, fsync, rename);
   - ``vacuum``: ``VACUUM INTO`` on a read-only connection;
   - ``steps``: the backup API in steps (``Connection.backup(pages=1024, sleep=0.005)``),
     given up after 60 s or 1,000 restarts (a step that finds the database changed by
     another connection starts the copy over).

For each phase: commits, the longest commit (start to end) and its p99, the longest gap
between two commits' ends less the interval ("stall": what a beacon waiting for its commit
would have waited longer than usual) and how many such gaps reached 10 ms. ``--rounds N``
runs the methods N times; ``--nice N`` runs the backups at that niceness (default: what
``collector backup`` runs at, 10; the writer keeps its own). Nothing outside the temporary
directory (or ``--db``) is written.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import orjson

from bench.stats_data import Scale, fill_daily_tables
from bench.stats_events import fill_events, raw_events
from collector.cli.backup import NICENESS, copy_database
from collector.model import Event, Kind
from collector.storage.base import WriteItem
from collector.storage.sql import PRAGMAS
from collector.storage.sqlite_write import to_row, write_rows

STEP_PAGES = 1024
STEP_SLEEP_S = 0.005
STEPS_GIVE_UP_S = 60.0
STEPS_GIVE_UP_RESTARTS = 1000


# -- the writer process ----------------------------------------------------------------------
def writer(path: str, interval_s: float, batch: int) -> int:
    """Commit ``batch`` page views every ``interval_s`` until stdin closes; then print the
    (start, end) monotonic times of every commit as JSON."""
    conn = sqlite3.connect(path)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    times: list[tuple[float, float]] = []
    n = 0
    print("ready", flush=True)
    next_at = time.monotonic()
    while not stop.is_set():
        rows = []
        for _ in range(batch):
            n += 1
            event = Event(
                site_id=1,
                ts_ms=int(time.time() * 1000),
                day="2026-01-02",
                visitor=n % 5000,
                kind=Kind.PAGEVIEW,
                path=f"/bench/backup/{n % 997}",
                title="Backup bench",
                browser="Firefox",
                os="Linux",
                device="desktop",
            )
            rows.append(to_row(WriteItem(1, event.day, event, None)))
        wire = orjson.loads(orjson.dumps(rows))  # as the rows reach the writer process
        started = time.monotonic()
        write_rows(conn, wire, shares_gil=False)
        times.append((started, time.monotonic()))
        next_at += interval_s
        pause = next_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        else:
            next_at = time.monotonic()
    conn.close()
    sys.stdout.write(json.dumps(times))
    return 0


# -- the methods ---------------------------------------------------------------------------
@dataclass
class Run:
    method: str
    started: float
    ended: float
    note: str
    parts: list[tuple[str, float]]  # (name, seconds) of its steps, in order, when known


def _ro(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


Parts = list[tuple[str, float]]


def by_collector(source: Path, target: Path) -> tuple[str, Parts]:
    done = copy_database(source, target)
    parts = [("copy", done.copy_s), ("integrity check", done.check_s), ("fsync, rename", done.flush_s)]
    return f"{done.size / 2**20:,.0f} MiB", parts


def by_vacuum(source: Path, target: Path) -> tuple[str, Parts]:
    conn = _ro(source)
    try:
        conn.execute("VACUUM INTO ?", (str(target),))
    finally:
        conn.close()
    return f"{target.stat().st_size / 2**20:,.0f} MiB (no check, no fsync)", []


class GaveUp(Exception):
    pass


def by_steps(source: Path, target: Path) -> tuple[str, Parts]:
    src, dst = _ro(source), sqlite3.connect(target)
    started = time.monotonic()
    restarts = 0
    last = math.inf

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal restarts, last
        if remaining > last:
            restarts += 1
        last = remaining
        if restarts >= STEPS_GIVE_UP_RESTARTS or time.monotonic() - started > STEPS_GIVE_UP_S:
            raise GaveUp

    try:
        src.backup(dst, pages=STEP_PAGES, sleep=STEP_SLEEP_S, progress=progress)
        return f"finished after {restarts} restart(s)", []
    except GaveUp:
        return f"given up after {time.monotonic() - started:.0f} s, {restarts} restart(s), never finished", []
    finally:
        src.close()
        dst.close()


METHODS: dict[str, Callable[[Path, Path], tuple[str, Parts]]] = {
    "collector": by_collector,
    "vacuum": by_vacuum,
    "steps": by_steps,
}


# -- measuring -----------------------------------------------------------------------------
@dataclass
class Phase:
    name: str
    commits: int
    longest_ms: float
    p99_ms: float
    stall_ms: float  # longest gap between two commits' ends, less the interval
    stalls: int  # gaps of 10 ms or more past the interval


def phase(
    name: str, times: Sequence[tuple[float, float]], start: float, end: float, interval_s: float
) -> Phase:
    inside = [(s, e) for s, e in times if start <= e <= end]
    if len(inside) < 2:
        return Phase(name, len(inside), math.nan, math.nan, math.nan, 0)
    durations = sorted(e - s for s, e in inside)
    ends = [e for _, e in inside]
    gaps = [b - a for a, b in itertools.pairwise(ends)]
    p99 = durations[max(0, math.ceil(0.99 * len(durations)) - 1)]
    stalls = sum(1 for g in gaps if g - interval_s >= 0.010)
    return Phase(name, len(inside), durations[-1] * 1e3, p99 * 1e3, (max(gaps) - interval_s) * 1e3, stalls)


def build(path: Path, quick: bool) -> None:
    import asyncio

    from collector.storage.sqlite import SqliteStore

    scale = (
        Scale(90, 100_000, 2_000, 6_000, 100_000) if quick else Scale(365, 100_000, 10_000, 30_000, 1_000_000)
    )

    async def schema() -> None:
        store = SqliteStore(path)
        await store.open()
        await store.migrate()
        await store.add_site("Bench", ["bench.example"], "UTC", time.time())
        await store.close()

    t0 = time.perf_counter()
    asyncio.run(schema())
    fill_daily_tables(path, scale, 7)
    fill_events(path, raw_events(date(2026, 1, 1), scale, 7))  # the day bench.stats rolls up
    print(f"built {path.stat().st_size / 2**20:,.0f} MiB ({scale}) in {time.perf_counter() - t0:.0f} s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.backup", description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="a database made by bench.stats --db (default: build one)")
    parser.add_argument("--interval-ms", type=float, default=2.0, help="a commit every so many ms (2)")
    parser.add_argument(
        "--batch", type=int, default=12, help="page views a commit (12, the writer process's)"
    )
    parser.add_argument("--baseline", type=float, default=5.0, help="seconds without a backup first (5)")
    parser.add_argument("--after", type=float, default=5.0, help="seconds measured after each backup (5)")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma list of: " + ", ".join(METHODS))
    parser.add_argument("--quick", action="store_true", help="a small database (90 days) when building one")
    parser.add_argument("--rounds", type=int, default=1, help="run the methods this many times (1)")
    parser.add_argument(
        "--nice",
        type=int,
        default=NICENESS,
        help=f"the backups' niceness ({NICENESS}, collector backup's own); the writer keeps 0",
    )
    parser.add_argument("--writer", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    interval_s = args.interval_ms / 1000
    if args.writer:
        return writer(args.writer, interval_s, args.batch)
    methods = [m for m in args.methods.split(",") if m]
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        parser.error(f"unknown method(s): {', '.join(unknown)}")
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
        db = args.db or Path(tmp) / "year.sqlite3"
        if args.db is None:
            build(db, args.quick)
        elif not db.is_file():
            parser.error(f"no database at {db}")
        print(f"database: {db} ({db.stat().st_size / 2**20:,.0f} MiB)")
        return measure(db, Path(tmp), methods, args, interval_s)


def measure(db: Path, tmp: Path, methods: list[str], args: argparse.Namespace, interval_s: float) -> int:
    import subprocess

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.backup",
            "--writer",
            str(db),
            "--interval-ms",
            str(args.interval_ms),
            "--batch",
            str(args.batch),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    if args.nice:
        os.nice(args.nice)  # this process only: the writer was started before
    runs: list[Run] = []
    t0 = time.monotonic()
    time.sleep(args.baseline)
    baseline = (t0, time.monotonic())
    for method in [m for _ in range(args.rounds) for m in methods]:
        target = tmp / f"copy-{method}.sqlite3"
        started = time.monotonic()
        note, parts = METHODS[method](db, target)
        ended = time.monotonic()
        runs.append(Run(method, started, ended, note, parts))
        time.sleep(args.after)
        for leftover in tmp.glob(f"copy-{method}.sqlite3*"):
            leftover.unlink()
    proc.stdin.close()
    times = [tuple(t) for t in json.loads(proc.stdout.read())]
    proc.wait()

    print(
        f"writer: a commit of {args.batch} page views every {args.interval_ms:g} ms "
        f"(group commit transaction, WAL, synchronous=NORMAL)\n"
    )
    print(f"{'phase':<34}{'s':>6}{'commits':>9}{'longest ms':>12}{'p99 ms':>9}{'stall ms':>10}{'≥10 ms':>8}")
    rows = [(phase("no backup", times, *baseline, interval_s), baseline[1] - baseline[0], "")]
    for run in runs:
        rows.append(
            (
                phase(f"{run.method}: during", times, run.started, run.ended, interval_s),
                run.ended - run.started,
                run.note,
            )
        )
        at = run.started
        for name, seconds in run.parts:
            rows.append((phase(f"  {name}", times, at, at + seconds, interval_s), seconds, ""))
            at += seconds
        rows.append(
            (
                phase(
                    f"{run.method}: {args.after:g} s after",
                    times,
                    run.ended,
                    run.ended + args.after,
                    interval_s,
                ),
                args.after,
                "",
            )
        )
    for p, seconds, note in rows:
        print(
            f"{p.name:<34}{seconds:>6.1f}{p.commits:>9}{p.longest_ms:>12.1f}{p.p99_ms:>9.1f}{p.stall_ms:>10.1f}"
            f"{p.stalls:>8}" + (f"   {note}" if note else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
