"""A real `python -m collector serve` process on a free loopback port, for tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "server.log"
        self.env = {**os.environ, "COLLECTOR_DATABASE": f"sqlite:///{data_dir}/collector.sqlite3",
                    "COLLECTOR_PORT": str(self.port), "COLLECTOR_HOST": "127.0.0.1", **env}
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "collector", *args], env=self.env,
                              capture_output=True, text=True, timeout=60, check=True)
        return done.stdout.strip()

    def start(self) -> None:
        with self.log.open("ab") as handle:
            self.proc = subprocess.Popen([sys.executable, "-m", "collector", "serve"], env=self.env,
                                         stdout=handle, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(self.log.read_text())
            time.sleep(0.1)
        raise TimeoutError("the server did not become ready")

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
