"""The collector's own access log, in place of uvicorn's. What it is for is finding errors
and attacks, so every request is a line — masked client IP, method, path without its
query string (tracking parameters never reach a log) and without secret path segments,
status, duration — except beacons that were answered as tracked: those are counted and
written as one summary line a minute (``BeaconTally``), which keeps the log's cost off
the hot path. Control characters in a path are escaped, so a path cannot forge a line."""

from __future__ import annotations

import logging
import logging.handlers
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from collector.ingest.endpoint import BEACON_PATHS
from collector.ingest.ipaddr import masked_client_ip
from collector.settings import Network

log = logging.getLogger("collector.access")

SUMMARY_INTERVAL_S = 60.0
MAX_PATH = 200

# Path segments that are secrets or a site's user reference: never logged.
_SECRET_SEGMENTS = re.compile(r"(/optouts/|^/share/)[^/]+")
# Control characters (C0, DEL, C1) and the backslash that escapes them.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")


def safe_path(path: str) -> str:
    """The path as it may be written: secret segments replaced by ``-``, capped, control
    characters and non-ASCII escaped (``\\x0a``, ``\\u00e9``)."""
    path = _SECRET_SEGMENTS.sub(r"\1-", path[:MAX_PATH])
    path = _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}", path)
    return path.encode("ascii", "backslashreplace").decode("ascii")


class BeaconTally:
    """Beacons answered below 400, counted; one line a minute says how many."""

    def __init__(self, interval_s: float = SUMMARY_INTERVAL_S, now: Callable[[], float] = time.monotonic):
        self.interval_s = interval_s
        self._now = now
        self._count = 0
        self._since = now()

    def add(self) -> None:
        self._count += 1
        if self._now() - self._since >= self.interval_s:
            self.flush()

    def flush(self) -> None:
        moment = self._now()
        if self._count:
            log.info("beacons: %d answered 2xx/3xx in the last %.0f s", self._count, moment - self._since)
        self._count = 0
        self._since = moment


class AccessLog:
    def __init__(self, app: ASGIApp, proxies: Sequence[Network], mask_bytes: int, tally: BeaconTally) -> None:
        self.app = app
        self.proxies = tuple(proxies)
        self.mask_bytes = mask_bytes
        self.tally = tally

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if status < 400 and scope.get("path") in BEACON_PATHS:
                self.tally.add()
            else:
                self._line(scope, status, started)

    def _line(self, scope: Scope, status: int, started: float) -> None:
        forwarded = b",".join(v for k, v in scope["headers"] if k == b"x-forwarded-for")
        client = scope.get("client")
        masked = masked_client_ip(
            client[0] if client else None,
            forwarded.decode("latin-1") or None,
            self.proxies,
            self.mask_bytes,
        )
        log.info(
            '%s "%s %s" %d %.1fms',
            masked,
            safe_path(str(scope.get("method", "-"))),
            safe_path(scope.get("path", "")),
            status,
            (time.perf_counter() - started) * 1000,
        )


def log_to_file(path: Path) -> None:
    """Send the access log to its own file, reopened when logrotate (or anything) moves
    it away, and not to the process's standard error."""
    target = str(path.resolve())
    if any(getattr(h, "baseFilename", None) == target for h in log.handlers):
        return
    handler = logging.handlers.WatchedFileHandler(target, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(handler)
    log.propagate = False
