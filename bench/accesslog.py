"""What the access log costs: two collectors side by side, one in the default
configuration (access log on) and one with it off, loaded in alternating rounds by the
same wrk script as ``bench.ingest``; the figure is the median of the pairwise ratios, so
the machine's drift from minute to minute cancels out.

    python -m bench.accesslog [--rounds 6] [--duration 6] [--connections 50]

Target (issue 14): the default configuration keeps ≥ 0.95 of the tuned one's throughput.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from bench.harness import BenchError, WrkResult, bench_env, create_site, free_port, run_wrk, server
from collector import native

TARGET = 0.95


def serve_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "collector", "serve", "--host", "127.0.0.1", "--port", str(port)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.accesslog", description=__doc__)
    parser.add_argument("--rounds", type=int, default=6, help="alternating pairs of runs (6)")
    parser.add_argument("--duration", type=float, default=6.0, help="seconds of load per run (6)")
    parser.add_argument("--connections", type=int, default=50, help="open connections (50)")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="collector-bench-log-") as tmp, ExitStack() as stack:
            servers = {}
            for name, logged in (("default (access log on)", True), ("tuned (access log off)", False)):
                data_dir = Path(tmp) / ("on" if logged else "off")
                data_dir.mkdir()
                env = bench_env(data_dir, access_log=logged)
                site = create_site(env)
                port = free_port()
                srv = stack.enter_context(server(serve_argv(port), env, port, "/healthz", data_dir / "log"))
                run_wrk(srv, site, 2, args.connections)  # warm-up
                servers[name] = (srv, site)
            runs: dict[str, list[WrkResult]] = {name: [] for name in servers}
            for _ in range(args.rounds):
                for name, (srv, site) in servers.items():
                    runs[name].append(run_wrk(srv, site, args.duration, args.connections))
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    on, off = runs.values()
    ratios = [a.rate / b.rate for a, b in zip(on, off, strict=True) if b.rate]
    print(f"collector build: {native.summary()}; {args.rounds} alternating pairs, {args.duration:g} s each")
    for name, results in runs.items():
        rates = ", ".join(f"{r.rate:,.0f}" for r in results)
        p99 = statistics.median(r.p99_ms for r in results)
        print(f"{name:<26} beacons/s by round: {rates}; median p99 {p99:.1f} ms")
    ratio = statistics.median(ratios)
    print("pairwise ratio on/off by round: " + ", ".join(f"{r:.2f}" for r in ratios))
    print(f"access log on / off: {ratio:.2f} (target >= {TARGET}): {'ok' if ratio >= TARGET else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
