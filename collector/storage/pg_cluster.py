"""A throw-away PostgreSQL cluster: ``initdb`` in a temporary directory, the server on a
free port of 127.0.0.1 and a socket in that directory, never the system cluster.

For the test suites, the benchmarks and CI (``python -m collector.storage.pg_cluster``
prints the URL and keeps the server running until it is told to stop). When run as root
(as CI is), the cluster belongs to the ``postgres`` user, since PostgreSQL refuses to run
as root. Nothing here is used by a collector that serves: operators bring their own
PostgreSQL."""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SEARCH = ("/usr/lib/postgresql/*/bin",)
# Settings for a test cluster: small, quiet. ``durable=False`` also turns off fsync (a
# crash of the machine would lose the cluster; the tests kill collectors, never it).
BASE = ("-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "log_min_messages=warning")


class ClusterError(RuntimeError):
    """The cluster could not be made or started; the message says why."""


def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found is not None:
        return found
    for pattern in SEARCH:
        for folder in sorted(glob.glob(pattern), reverse=True):
            candidate = os.path.join(folder, name)
            if os.access(candidate, os.X_OK):
                return candidate
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    folder: Path
    port: int
    user: str
    process: subprocess.Popen[bytes] | None = None
    command: list[str] = field(default_factory=list)

    def launch(self) -> None:
        """Start the server (again, after :meth:`stop`: same data, same port)."""
        with open(self.folder / "server.log", "ab") as log:  # the server keeps its own copy
            self.process = subprocess.Popen(_as_owner(self.command), stdout=log, stderr=subprocess.STDOUT)
        _wait_ready(self)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def stop(self) -> None:
        """A fast shutdown (SIGINT to the postmaster, whose pid is in ``postmaster.pid``:
        the process started may be ``runuser``, which does not pass signals on)."""
        if self.process is not None and self.process.poll() is None:
            postmaster = self._postmaster()
            with contextlib.suppress(ProcessLookupError):
                os.kill(postmaster or self.process.pid, signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(postmaster or self.process.pid, signal.SIGKILL)
                self.process.kill()
                self.process.wait()
        self.process = None

    def _postmaster(self) -> int | None:
        try:
            first = (self.data / "postmaster.pid").read_text().splitlines()[0]
        except (OSError, IndexError):
            return None
        return int(first) if first.strip().isdigit() else None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _as_owner(command: Sequence[str]) -> list[str]:
    if os.geteuid() != 0:
        return list(command)
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ClusterError("running as root without runuser: cannot start PostgreSQL as 'postgres'")
    return [runuser, "-u", "postgres", "--", *command]


def start(durable: bool = False, settings: Sequence[str] = ()) -> Cluster:
    """Make and start a cluster; the caller stops it (``remove()`` also deletes it)."""
    initdb, postgres = find_binary("initdb"), find_binary("postgres")
    if initdb is None or postgres is None:
        raise ClusterError("PostgreSQL's initdb/postgres not found (Debian: apt-get install postgresql)")
    user = "postgres" if os.geteuid() == 0 else (os.environ.get("USER") or "postgres")
    folder = Path(tempfile.mkdtemp(prefix="collector-pg-"))
    cluster = Cluster(folder=folder, port=free_port(), user=user)
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        os.chmod(folder, 0o700)
        made = subprocess.run(
            _as_owner(
                [initdb, "-D", str(cluster.data), "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync"]
            ),
            capture_output=True,
        )
        if made.returncode != 0:
            raise ClusterError(f"initdb failed: {made.stderr.decode(errors='replace').strip()[-400:]}")
        extra = [] if durable else ["-c", "fsync=off", "-c", "full_page_writes=off"]
        cluster.command = [postgres, "-D", str(cluster.data), "-p", str(cluster.port), "-k", str(folder)]
        cluster.command += [*BASE, *extra, *settings]
        cluster.launch()
    except BaseException:
        cluster.remove()
        raise
    return cluster


def _wait_ready(cluster: Cluster, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cluster.process is not None and cluster.process.poll() is not None:
            tail = (cluster.folder / "server.log").read_text(errors="replace")[-400:]
            raise ClusterError(f"postgres exited: {tail.strip()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", cluster.port), 0.2):
            time.sleep(0.1)  # listening; give it a moment to accept logins
            return
        time.sleep(0.05)
    raise ClusterError("postgres did not start within 30 s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m collector.storage.pg_cluster",
        description="Start a throw-away PostgreSQL cluster; print its URL; stop it on SIGTERM/SIGINT.",
    )
    parser.add_argument("--durable", action="store_true", help="keep fsync on (benchmarks)")
    parser.add_argument("--url-file", help="also write the URL to this file")
    args = parser.parse_args(argv)
    try:
        cluster = start(durable=args.durable)
    except ClusterError as exc:
        print(f"pg_cluster: {exc}", file=sys.stderr)
        return 1
    url = cluster.url()
    if args.url_file:
        Path(args.url_file).write_text(url + "\n")
    print(url, flush=True)
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        while not stopping and cluster.process is not None and cluster.process.poll() is None:
            time.sleep(0.2)
    finally:
        cluster.remove()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
