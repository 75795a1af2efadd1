"""Visitor ids: a keyed hash of (daily salt, site, masked IP, User-Agent, language).

Salts are 32 random bytes per calendar day (the day of the event in the site's time
zone, so an id holds for exactly the site's day), kept in the database so every worker and node
agrees, and deleted once two days old (``SaltRing.purge``): an id cannot be linked
across days and no salt outlives 48 hours past its day. A back-dated request for a day
whose salt is gone gets a throw-away salt held in memory only.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class SaltStore(Protocol):
    async def get_or_create_salt(self, day: str, candidate: bytes, now: float) -> bytes: ...
    async def delete_salts_before(self, day: str) -> int: ...


def utc_day(ts: float) -> date:
    return datetime.fromtimestamp(ts, UTC).date()


class SaltRing:
    """Salts by day, cached in memory, created on demand in the store."""

    def __init__(self, store: SaltStore) -> None:
        self._store = store
        self._cache: dict[str, bytes] = {}

    def cached(self, day: date) -> bytes | None:
        """The day's salt if it is in memory (the usual case: no await needed)."""
        return self._cache.get(day.isoformat())

    async def salt_for(self, day: date, now: float) -> bytes:
        key = day.isoformat()
        salt = self._cache.get(key)
        if salt is not None:
            return salt
        today = utc_day(now)
        if not today - timedelta(days=1) <= day <= today + timedelta(days=1):
            salt = os.urandom(32)  # outside the live window: never stored
        else:
            salt = await self._store.get_or_create_salt(key, os.urandom(32), now)
        self._cache[key] = salt
        if len(self._cache) > 8:
            self._cache.pop(min(self._cache))
        return salt

    async def purge(self, now: float) -> int:
        """Delete salts of days before yesterday (UTC), here and in the store."""
        cutoff = (utc_day(now) - timedelta(days=1)).isoformat()
        for key in [k for k in self._cache if k < cutoff]:
            del self._cache[key]
        return await self._store.delete_salts_before(cutoff)


def visitor_id(salt: bytes, site_id: int, masked_ip: str, user_agent: str, language: str) -> int:
    """8 bytes of keyed BLAKE2b as a signed 64-bit integer (SQLite's INTEGER)."""
    message = f"{site_id}\x1f{masked_ip}\x1f{user_agent}\x1f{language}".encode()
    digest = hashlib.blake2b(message, key=salt, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
