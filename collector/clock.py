"""The clock is injected everywhere (tests freeze it); this is the real one."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]  # Unix time in seconds


def system_clock() -> float:
    return time.time()


class FrozenClock:
    """A clock that moves only when told: ``clock.advance(60)``."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
