"""Login throttling: failed attempts counted per (user name, masked IP), per user name and
per masked IP over a sliding window. Kept in memory, per process: with several workers
each counts on its own, which still bounds guessing to a few attempts a minute."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

WINDOW_S = 15 * 60
MAX_KEYS = 10_000


@dataclass(frozen=True, slots=True)
class Limit:
    kind: str  # pair | user | ip
    failures: int


LIMITS = (Limit("pair", 5), Limit("user", 20), Limit("ip", 50))


class LoginThrottle:
    def __init__(self, limits: tuple[Limit, ...] = LIMITS, window_s: int = WINDOW_S) -> None:
        self._limits = limits
        self._window = window_s
        self._failures: dict[tuple[str, str], deque[float]] = {}

    @staticmethod
    def _keys(user: str, ip: str) -> dict[str, tuple[str, str]]:
        name = user.strip().lower()
        return {"pair": ("pair", f"{name}\0{ip}"), "user": ("user", name), "ip": ("ip", ip)}

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        return times

    def retry_after(self, user: str, ip: str, now: float) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        keys = self._keys(user, ip)
        wait = 0.0
        for limit in self._limits:
            times = self._recent(keys[limit.kind], now)
            if len(times) >= limit.failures:
                wait = max(wait, times[-limit.failures] + self._window - now)
        return math.ceil(wait)

    def failed(self, user: str, ip: str, now: float) -> None:
        if len(self._failures) >= MAX_KEYS:
            self._prune(now)
        for key in self._keys(user, ip).values():
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times

    def succeeded(self, user: str, ip: str) -> None:
        self._failures.pop(self._keys(user, ip)["pair"], None)

    def _prune(self, now: float) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
        while len(self._failures) >= MAX_KEYS:  # still full: forget the oldest entries
            del self._failures[next(iter(self._failures))]
