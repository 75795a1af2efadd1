"""The benchmarks' harness: servers started as a user starts them (their own process
group, a free port on 127.0.0.1), wrk runs, CPU accounting of the server and of the rest of
the machine, and the stored rows counted afterwards. Used by ``bench.ingest``,
``bench.pg_ingest`` and ``bench.accesslog``."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from collector.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().parent / "beacons.lua"
HOST = "127.0.0.1"
DOMAIN = "shop.example"
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
