"""Visitor ids: a keyed hash of (daily salt, site, masked IP, User-Agent, language).

Salts are 32 random bytes per calendar day (the day of the event in the site's time
zone, so an id holds for exactly the site's day), kept in the database so every worker,
node and log import agrees. A day's salt is made when first needed — a live beacon, a
back-dated one or an imported log line — and destroyed 48 hours after it was made
(``SaltRing.purge``): an id cannot be linked across days and no salt outlives 48 hours.
A day needed again after its salt was destroyed gets a new salt, so its later hits are
not linked to the earlier ones.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, date, datetime
from typing import Protocol

SALT_LIFETIME_S = 48 * 3600


class SaltStore(Protocol):
    async def get_or_create_salt(self, day: str, candidate: bytes, now: float) -> bytes: ...
    async def delete_salts_before(self, day: str) -> int: ...
    async def delete_salts_created_before(self, ts: float) -> int: ...


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
        """The day's salt: the stored one, or a new one stored now (insert-or-get, so
        concurrent workers, nodes and imports agree)."""
        key = day.isoformat()
        salt = self._cache.get(key)
        if salt is not None:
            return salt
        salt = await self._store.get_or_create_salt(key, os.urandom(32), now)
        self._cache[key] = salt
        if len(self._cache) > 8:
            self._cache.pop(min(self._cache))
        return salt

    async def purge(self, now: float) -> int:
        """Destroy salts made 48 hours ago or more, in the store; this cache is emptied
        (read again on the next request), so it holds no salt the store has destroyed for
        longer than one maintenance interval."""
        self._cache.clear()
        return await self._store.delete_salts_created_before(now - SALT_LIFETIME_S)

    async def drop_days_before(self, day: date) -> int:
        """Destroy the salts of days before ``day`` now (the demo's past days)."""
        self._cache.clear()
        return await self._store.delete_salts_before(day.isoformat())


def visitor_id(salt: bytes, site_id: int, masked_ip: str, user_agent: str, language: str) -> int:
    """8 bytes of keyed BLAKE2b as a signed 64-bit integer (SQLite's INTEGER)."""
    message = f"{site_id}\x1f{masked_ip}\x1f{user_agent}\x1f{language}".encode()
    digest = hashlib.blake2b(message, key=salt, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
