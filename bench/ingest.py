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
import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from collector import native
from collector.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().parent / "beacons.lua"
HOST = "127.0.0.1"
DOMAIN = "shop.example"
TARGET_RATIO = 0.45  # collector req/s over the bare-Starlette floor, one worker, default configuration
TARGET_P99_MS = 10.0  # at 50 connections
TARGET_UNIQUE_SHARE = 0.5  # --unique-ua: its rate over the repeated-UA rate of the same run
TARGET_UNIQUE_P99_MS = 25.0
DEFAULT_ROLLUP_S = Settings().rollup_interval_s
NOISY_LOAD = 0.15  # CPUs used by other processes during a run that make it unreliable
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 20.0
TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    """The benchmark could not run; printed without a traceback."""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int  # replies with a status of 400 or more (wrk's "status errors")
    socket_errors: int  # connect, read, write and timeout errors
    server_cpu: float  # CPUs used by the server's processes during the run
    other_cpu: float  # CPUs used by anything but the server and wrk

    @property
    def rate(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def ok(self) -> int:
        """Replies below 400 (all 204 here: the beacons ask for no image)."""
        return self.requests - self.non_2xx


# -- CPU accounting (Linux /proc; zeros elsewhere) -----------------------------------------
def machine_busy_s() -> float:
    """CPU-seconds spent by processes (and taken by the hypervisor) since boot; interrupt
    time is left out, as the loopback traffic of the benchmark itself shows there."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, _irq, _softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + steal) * TICK_S


def group_cpu_s(pgid: int) -> float:
    """CPU-seconds used so far by the live processes of one process group."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            after_name = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(after_name[2]) == pgid:
            total += int(after_name[11]) + int(after_name[12])
    return total * TICK_S


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# -- servers -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def bench_env(
    data_dir: Path, rollup_interval_s: int = 60, writer: str = "process", access_log: bool = True
) -> dict[str, str]:
    """The collector's environment: the defaults a user who runs ``collector serve`` gets
    (access log on, at the info level, the periodic rollup every 60 s), but for what the
    options change, which the report labels."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLECTOR_")}
    env.update(
        {
            "COLLECTOR_DATABASE": f"sqlite:///{data_dir / 'collector.sqlite3'}",
            "COLLECTOR_ACCESS_LOG": "true" if access_log else "false",
            "COLLECTOR_ROLLUP_INTERVAL_S": str(rollup_interval_s),
            "COLLECTOR_WRITER": writer,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        }
    )
    return env


def create_site(env: dict[str, str]) -> int:
    done = subprocess.run(
        [sys.executable, "-m", "collector", "site", "add", "Bench shop", "--domain", DOMAIN],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"`collector site add` failed:\n{done.stderr.strip()}")
    return int(done.stdout.strip().splitlines()[-1])


def tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_until_up(port: int, path: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    url = f"http://{HOST}:{port}{path}"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"server exited with {proc.returncode}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise BenchError(f"server did not answer {url} within {START_TIMEOUT_S:.0f} s:\n{tail(log)}")


@dataclass(frozen=True)
class Server:
    port: int
    pgid: int  # the server runs in its own session: its process group holds every worker


@contextlib.contextmanager
def server(
    argv: Sequence[str], env: dict[str, str], port: int, ready_path: str, log: Path
) -> Iterator[Server]:
    """Run a server in its own process group; always stop it (SIGINT, then SIGKILL)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            list(argv),
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        wait_until_up(port, ready_path, proc, log)
        yield Server(port, proc.pid)
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """A graceful stop first: the collector drains its writer on shutdown."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=STOP_TIMEOUT_S)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # leftover workers, if any
    proc.wait(timeout=STOP_TIMEOUT_S)


# -- load ----------------------------------------------------------------------------------
def run_wrk(
    srv: Server, site_id: int, duration: float, connections: int, unique_ua: bool = False
) -> WrkResult:
    """One wrk run of ``bench/beacons.lua``; ``unique_ua``: every request with a User-Agent
    never seen before."""
    seconds = max(1, round(duration))
    argv = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(SCRIPT),
        f"http://{HOST}:{srv.port}",
        "--",
        str(site_id),
        *(["unique-ua"] if unique_ua else []),
    ]
    cpu0 = (machine_busy_s(), group_cpu_s(srv.pgid), children_cpu_s(), time.monotonic())
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30, check=False)
    except subprocess.TimeoutExpired as exc:
        raise BenchError("wrk did not finish in time") from exc
    wall = time.monotonic() - cpu0[3]
    busy, server_s, wrk_s = (
        machine_busy_s() - cpu0[0],
        group_cpu_s(srv.pgid) - cpu0[1],
        children_cpu_s() - cpu0[2],
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            data = json.loads(line.removeprefix("BENCH_RESULT "))
            return WrkResult(
                requests=int(data["requests"]),
                duration_s=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
                non_2xx=int(data["errors_status"]),
                socket_errors=sum(
                    int(data[k]) for k in ("errors_connect", "errors_read", "errors_write", "errors_timeout")
                ),
                server_cpu=server_s / wall,
                other_cpu=max(0.0, busy - server_s - wrk_s) / wall,
            )
    raise BenchError(f"no BENCH_RESULT line in wrk's output:\n{done.stdout}\n{done.stderr}")


def median_run(runs: Sequence[WrkResult]) -> WrkResult:
    return sorted(runs, key=lambda r: r.rate)[(len(runs) - 1) // 2]


def count_rows(data_dir: Path) -> int:
    conn = sqlite3.connect(f"file:{data_dir / 'collector.sqlite3'}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


# -- report --------------------------------------------------------------------------------
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
