"""Ingest benchmark: the collector's ``/matomo.php`` next to a bare Starlette 204 route.

    python -m bench.ingest [--duration 10] [--connections 50] [--workers 1] [--rounds 1] [--unique-ua]

Both servers run in the same run on 127.0.0.1 with the same uvicorn settings
(``collector serve`` for the collector, ``bench.baseline_app`` for the floor) and get
the same wrk load: ``bench/beacons.lua`` rotates 1,000 realistic page-view beacons
(varied URLs, campaign keys, titles, referrers, real browser User-Agents,
Accept-Language). They are loaded one after the other (a warm-up, then the measured
run; ``--rounds`` alternates more measured runs and reports the median). The table
gives requests/s, p50 and p99, and the collector's share of the floor. Afterwards the
collector's ``events`` table is counted next to the 2xx replies wrk saw, so stored
beacons are checked, not assumed.

``--unique-ua`` loads the collector once more per round, right after its repeated-UA run,
with a User-Agent never seen before on every request (a botnet's flood: every string a
parse, none a cache hit), and reports that rate next to the repeated one (target: at least
half of it, p99 under 25 ms) with the User-Agent cache's counters from ``/metrics``.

CPU use is reported too: the server's, and that of everything else on the machine
during the run (on a shared machine, other load makes the numbers unreliable).

Needs ``wrk`` on the PATH (Debian/Ubuntu: ``apt-get install wrk``); installs nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from bench.harness import (
    DEFAULT_ROLLUP_S,
    DOMAIN,
    HOST,
    NOISY_LOAD,
    BenchError,
    WrkResult,
    bench_env,
    count_rows,
    create_site,
    free_port,
    median_run,
    run_wrk,
    server,
    tail,
)
from collector import native

TARGET_RATIO = 0.45  # collector req/s over the bare-Starlette floor, one worker, default configuration
TARGET_P99_MS = 10.0  # at 50 connections
TARGET_UNIQUE_SHARE = 0.5  # --unique-ua: its rate over the repeated-UA rate of the same run
TARGET_UNIQUE_P99_MS = 25.0


def report(
    bases: Sequence[WrkResult],
    colls: Sequence[WrkResult],
    rows: int,
    replied: int,
    args: argparse.Namespace,
    uniques: Sequence[WrkResult] = (),
    ua_cache: str = "",
) -> bool:
    base, coll = median_run(bases), median_run(colls)
    rounds = f", median of {args.rounds} alternating rounds" if args.rounds > 1 else ""
    print()
    print(
        f"wrk -t1 -c{args.connections} -d{args.duration:g}s after a {args.warmup:g} s warm-up{rounds}; "
        f"{args.workers} uvicorn worker(s), writer {args.writer}; 127.0.0.1; {os.cpu_count()} CPUs"
    )
    print(f"collector configuration: {configuration(args)}")
    print(f"collector build: {native.summary()}")
    print(
        f"{'app':<24}{'requests/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'sock err':>9}"
        f"{'server CPU':>12}{'other load':>12}"
    )
    rows_shown = [("bare Starlette 204", base), ("collector /matomo.php", coll)]
    if uniques:
        rows_shown.append(("collector, unique UAs", median_run(uniques)))
    for name, r in rows_shown:
        print(
            f"{name:<24}{r.rate:>12,.0f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}{r.non_2xx:>9}"
            f"{r.socket_errors:>9}{r.server_cpu:>12.2f}{r.other_cpu:>12.2f}"
        )
    ratio = coll.rate / base.rate if base.rate else 0.0
    print(
        f"{'collector / baseline':<24}{ratio:>12.2f}{coll.p50_ms / base.p50_ms:>9.1f}"
        f"{coll.p99_ms / base.p99_ms:>9.1f}"
    )
    if args.rounds > 1:
        ratios = (f"{c.rate / b.rate:.2f}" for b, c in zip(bases, colls, strict=True))
        print("ratio by round: " + ", ".join(ratios))
    print()
    if max(r.other_cpu for r in (*bases, *colls)) > NOISY_LOAD:
        print(
            f"warning: other processes used more than {NOISY_LOAD} CPU during a run "
            "(see 'other load'); numbers are unreliable, run again on a quiet machine"
        )
    ratio_ok = ratio >= TARGET_RATIO
    p99_ok = coll.p99_ms < TARGET_P99_MS
    print(
        f"throughput ratio {ratio:.2f} with {args.workers} worker(s) (target >= {TARGET_RATIO} "
        f"with 1): {'ok' if ratio_ok else 'MISSED'}"
    )
    print(
        f"collector p99 {coll.p99_ms:.1f} ms at {args.connections} connections (target < "
        f"{TARGET_P99_MS:g} ms at 50): {'ok' if p99_ok else 'MISSED'}"
    )
    unique_ok = True
    if uniques:
        unique = median_run(uniques)
        share = unique.rate / coll.rate if coll.rate else 0.0
        unique_ok = share >= TARGET_UNIQUE_SHARE and unique.p99_ms < TARGET_UNIQUE_P99_MS
        print(
            f"unique User-Agents: {unique.rate:,.0f}/s, {share:.2f} of the repeated ones' rate "
            f"(target >= {TARGET_UNIQUE_SHARE}), p99 {unique.p99_ms:.1f} ms (target < "
            f"{TARGET_UNIQUE_P99_MS:g} ms): {'ok' if unique_ok else 'MISSED'}"
        )
        if ua_cache:
            print(f"User-Agent cache after the runs (/metrics): {ua_cache}")
    # wrk stops with up to one request per connection in flight: those may be stored
    # without wrk counting the reply, so rows may exceed the replies by that much.
    slack = (1 + args.rounds + len(uniques)) * args.connections
    stored_ok = replied <= rows <= replied + slack and all(c.non_2xx == 0 for c in (*colls, *uniques))
    print(
        f"rows in events: {rows:,}; 2xx replies counted by wrk (warm-up included): {replied:,}: "
        f"{'ok' if stored_ok else 'MISMATCH'}"
    )
    return ratio_ok and p99_ok and stored_ok and unique_ok


def ua_cache_line(port: int) -> str:
    """The User-Agent cache's counters from the collector's ``/metrics`` (one worker's)."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/metrics", timeout=5) as reply:
            text = reply.read().decode()
    except OSError:
        return ""
    found = [line.removeprefix("collector_ua_cache_") for line in text.splitlines()]
    return ", ".join(line for line in found if line.startswith(("hits", "misses", "hit_ratio", "entries")))


def configuration(args: argparse.Namespace) -> str:
    changed = []
    if not args.access_log:
        changed.append("access log off")
    if args.rollup_interval != DEFAULT_ROLLUP_S:
        changed.append(f"rollup every {args.rollup_interval} s")
    if args.writer != "process":
        changed.append(f"writer {args.writer}")
    if not changed:
        return f"default (access log on, rollup every {DEFAULT_ROLLUP_S} s, writer process)"
    return "TUNED, not what `collector serve` runs by default: " + ", ".join(changed)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ingest",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of measured load (10)")
    parser.add_argument("--connections", type=int, default=50, help="open connections (50)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per app (1)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up load per app (2)")
    parser.add_argument("--rounds", type=int, default=1, help="measured runs per app, alternating (1)")
    parser.add_argument(
        "--rollup-interval",
        type=int,
        default=DEFAULT_ROLLUP_S,
        help=f"seconds between the collector's rollups during the run ({DEFAULT_ROLLUP_S}, the default)",
    )
    parser.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_false",
        help="a tuned run: the access log off (it is on by default)",
    )
    parser.add_argument(
        "--writer",
        choices=("process", "thread"),
        default="process",
        help="the collector's COLLECTOR_WRITER (process)",
    )
    parser.add_argument(
        "--unique-ua",
        action="store_true",
        help="also load the collector with a never-seen User-Agent per request (a botnet's flood), "
        "each round right after its repeated-UA run, and report the two rates side by side",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a target is missed or rows and replies disagree"
    )
    args = parser.parse_args(argv)
    if min(args.duration, args.connections, args.workers, args.rounds) < 1 or args.warmup < 0:
        parser.error("--duration, --connections, --workers and --rounds must be at least 1")
    if shutil.which("wrk") is None:
        print("bench: wrk is not installed; on Debian/Ubuntu: apt-get install wrk", file=sys.stderr)
        return 2
    try:
        with tempfile.TemporaryDirectory(prefix="collector-bench-") as tmp:
            data_dir = Path(tmp)
            env = bench_env(data_dir, args.rollup_interval, args.writer, args.access_log)
            site_id = create_site(env)
            workers = str(args.workers)
            base_port, coll_port = free_port(), free_port()
            print(
                f"bare Starlette on :{base_port}, collector on :{coll_port} "
                f"(site {site_id}, {DOMAIN}); {args.duration:g} s of load each …",
                flush=True,
            )
            with (
                server(
                    [
                        sys.executable,
                        "-m",
                        "bench.baseline_app",
                        "--host",
                        HOST,
                        "--port",
                        str(base_port),
                        "--workers",
                        workers,
                    ],
                    env,
                    base_port,
                    "/",
                    data_dir / "baseline.log",
                ) as base_srv,
                server(
                    [
                        sys.executable,
                        "-m",
                        "collector",
                        "serve",
                        "--host",
                        HOST,
                        "--port",
                        str(coll_port),
                        "--workers",
                        workers,
                    ],
                    env,
                    coll_port,
                    "/healthz",
                    data_dir / "collector.log",
                ) as coll_srv,
            ):
                replied = 0
                if args.warmup > 0:
                    run_wrk(base_srv, site_id, args.warmup, args.connections)
                    replied += run_wrk(coll_srv, site_id, args.warmup, args.connections).ok
                bases: list[WrkResult] = []
                colls: list[WrkResult] = []
                uniques: list[WrkResult] = []
                for _ in range(args.rounds):
                    bases.append(run_wrk(base_srv, site_id, args.duration, args.connections))
                    colls.append(run_wrk(coll_srv, site_id, args.duration, args.connections))
                    if args.unique_ua:
                        uniques.append(run_wrk(coll_srv, site_id, args.duration, args.connections, True))
                replied += sum(c.ok for c in (*colls, *uniques))
                ua_cache = ua_cache_line(coll_port) if args.unique_ua else ""
            rows = count_rows(data_dir)  # after the stop: the writer has drained
            log = [
                line for line in tail(data_dir / "collector.log").splitlines() if "listening on" not in line
            ]
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    if log:
        print("collector log (last lines):\n" + "\n".join(log))
    met = report(bases, colls, rows, replied, args, uniques, ua_cache)
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
