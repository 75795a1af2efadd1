"""Steady beacons at a real server, for the backup and disk-full tests: one connection
sending as fast as it is answered, each beacon with its own path, every reply kept."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from types import TracebackType

import httpx

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36"
)


@dataclass(frozen=True)
class Reply:
    at: float  # time.monotonic() when it came
    path: str
    status: int
    retry_after: str | None
    waited: float  # seconds from sending to the reply


class Beacons:
    """``with Beacons(url) as load:`` sends ``GET /matomo.php`` page views to site 1
    (``https://shop.example/load/N``) until the block ends."""

    def __init__(self, server_url: str, pause_s: float = 0.0) -> None:
        self.url = server_url + "/matomo.php"
        self.pause_s = pause_s
        self.replies: list[Reply] = []
        self.errors: list[str] = []  # transport errors (a connection refused, a timeout)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Beacons:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    @property
    def acked(self) -> list[Reply]:
        return [r for r in self.replies if 200 <= r.status < 300]

    def statuses(self) -> set[int]:
        return {r.status for r in self.replies}

    def wait_for(self, status: int, count: int = 1, timeout: float = 30.0) -> None:
        """Until ``count`` replies in a row had ``status``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = self.replies[-count:]
            if len(last) == count and all(r.status == status for r in last):
                return
            time.sleep(0.02)
        raise AssertionError(f"no {count} replies {status} in a row within {timeout} s: {self.statuses()}")

    def _run(self) -> None:
        n = 0
        with httpx.Client(headers={"User-Agent": CHROME}, timeout=30) as client:
            while not self._stop.is_set():
                n += 1
                path = f"/load/{n}"
                params = {"idsite": "1", "rec": "1", "url": f"https://shop.example{path}", "send_image": "0"}
                sent = time.monotonic()
                try:
                    reply = client.get(self.url, params=params)
                except httpx.HTTPError as exc:
                    self.errors.append(repr(exc))
                    continue
                now = time.monotonic()
                self.replies.append(
                    Reply(now, path, reply.status_code, reply.headers.get("retry-after"), now - sent)
                )
                if self.pause_s:
                    time.sleep(self.pause_s)
