"""A real ``python -m collector serve`` process on a free loopback port, for integration tests.

Sites and tokens are made with the CLI (:meth:`Server.cli`) before :meth:`Server.start`.
Everything the process prints (stdout and stderr: its own access log and any traceback)
goes to ``server.log`` in the data directory, so a privacy scan of that directory covers
the log too. Only 127.0.0.1 is ever used.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx

HOST = "127.0.0.1"
PROJECT = Path(__file__).resolve().parents[2]  # the checkout under test: the server imports from it
CLI_TIMEOUT_S = 60.0
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0


def free_port() -> int:
    """A port nothing listens on right now (the kernel's choice for an ephemeral bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class ServerError(RuntimeError):
    """The server did not start, or a CLI command failed; the message holds its output."""


class Server:
    """One collector process bound to ``data_dir`` (database, secret key file, log);
    ``database`` puts the database elsewhere (a copy, a small file system), the log
    staying in ``data_dir``."""

    def __init__(
        self, data_dir: Path, env: Mapping[str, str] | None = None, database: Path | None = None
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.database = database.resolve() if database is not None else self.data_dir / "collector.sqlite3"
        self.log_path = self.data_dir / "server.log"
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        # A clean environment: no COLLECTOR_* setting leaks in from the shell running pytest.
        base = {k: v for k, v in os.environ.items() if not k.startswith("COLLECTOR_")}
        python_path = os.pathsep.join(p for p in (str(PROJECT), base.get("PYTHONPATH", "")) if p)
        self.env: dict[str, str] = {
            **base,
            "PYTHONPATH": python_path,
            "COLLECTOR_DATABASE": f"sqlite:///{self.database}",  # absolute: sqlite:////…
            "COLLECTOR_HOST": HOST,
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    # -- the CLI -----------------------------------------------------------------------
    def cli(self, *args: str, input_text: str | None = None) -> str:
        """Run ``python -m collector ARGS`` against this data directory; its stdout."""
        done = subprocess.run(
            [sys.executable, "-m", "collector", *args],
            env=self.env,
            input=input_text,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
            cwd=self.data_dir,
            check=False,
        )
        if done.returncode != 0:
            raise ServerError(
                f"collector {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done.stdout.strip()

    def add_site(self, name: str, *domains: str, timezone: str = "UTC") -> int:
        args = ["site", "add", name, "--timezone", timezone]
        for domain in domains:
            args += ["--domain", domain]
        return int(self.cli(*args).splitlines()[-1])

    def create_token(self, site_id: int, scope: str) -> str:
        return self.cli("token", "create", "--site", str(site_id), "--scope", scope).splitlines()[-1]

    # -- the process -------------------------------------------------------------------
    def start(self, timeout: float = START_TIMEOUT_S) -> None:
        """Start ``serve`` on a free port and wait until ``/readyz`` answers 200."""
        if self.running:
            raise ServerError("already running")
        for _attempt in range(3):  # a free port can be taken between the check and the bind
            self.port = free_port()
            with self.log_path.open("ab") as log:
                log.write(f"--- start on port {self.port} ---\n".encode())
                log.flush()
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "collector", "serve", "--host", HOST, "--port", str(self.port)],
                    env=self.env,
                    cwd=self.data_dir,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            if self._wait_ready(timeout):
                return
            if "address already in use" not in self.log_text().lower():
                break
        self.stop(kill=True)
        raise ServerError(f"the server did not become ready; its log:\n{self.log_text()[-4000:]}")

    def _wait_ready(self, timeout: float) -> bool:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if httpx.get(self.url + "/readyz", timeout=1.0).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        return False

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise ServerError("not started")
        return self.proc.pid

    def writer_pids(self) -> list[int]:
        """The server's SQLite writer processes (children running collector.storage.writer_child)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            parent = int(stat.rsplit(") ", 1)[1].split()[1])
            if parent == self.pid and b"collector.storage.writer_child" in cmdline:
                found.append(int(entry.name))
        return found

    def stop(self, kill: bool = False, timeout: float = STOP_TIMEOUT_S) -> int | None:
        """SIGTERM (graceful: uvicorn drains, the writer commits) or SIGKILL; the exit code."""
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=timeout)
        return proc.returncode

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop(kill=exc_type is not None)
