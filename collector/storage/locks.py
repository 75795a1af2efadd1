"""PostgreSQL advisory lock keys, in one place so no two uses share one. (64-bit keys;
the high bits spell "COLL" so they do not meet another application's on a shared
server.)"""

from __future__ import annotations

_BASE = 0x434F4C4C << 32

MIGRATIONS = _BASE | 1  # session lock while a node applies migrations
PARTITIONS = _BASE | 2  # transaction lock while raw-event partitions are made or dropped
ROLLUP_SCAN = _BASE | 3  # transaction lock: one node at a time picks dirty days
ROLLUP_DAY = 0x434F4C4D  # with a site-day's hash: one node rolls up that day at a time


def site_day_key(site_id: int, day: str) -> int:
    """A signed 64-bit key for one site-day (its rollup's exclusive lock)."""
    number = int(day.replace("-", "")) if day[:4].isdigit() else 0
    key = (ROLLUP_DAY << 32) ^ (site_id << 27) ^ number
    return key - (1 << 64) if key >= 1 << 63 else key
