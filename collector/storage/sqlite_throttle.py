""":class:`collector.storage.throttle_base.ThrottleStore` on SQLite: reads on the store's
read-only connection, writes on its writing connection under its lock (every process on
the file counts the same failures)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiosqlite

from collector.storage.sql import query
from collector.storage.throttle_base import Key


def _q(name: str) -> str:
    return query(f"throttle/{name}")


class SqliteThrottle:
    def __init__(
        self,
        reader: Callable[[], Awaitable[aiosqlite.Connection]],
        writer: Callable[[], aiosqlite.Connection],
        lock: asyncio.Lock,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._lock = lock

    async def _rows(self, name: str, args: Sequence[Any]) -> list[Sequence[Any]]:
        conn = await self._reader()
        return list(await conn.execute_fetchall(_q(name), args))

    async def _write(self, names: Sequence[str], args: Sequence[Sequence[Any]]) -> int:
        """Each statement with its arguments, in one transaction; the rows changed."""
        async with self._lock:
            conn = self._writer()
            changed = 0
            try:
                for name, values in zip(names, args, strict=True):
                    cursor = await conn.execute(_q(name), values)
                    changed += max(0, int(cursor.rowcount))
                await conn.commit()
            except BaseException:
                if conn.in_transaction:
                    await conn.rollback()
                raise
            return changed

    async def record(self, scope: str, keys: Sequence[Key], at: float) -> None:
        await self._write(["record"] * len(keys), [(scope, kind, value, float(at)) for kind, value in keys])

    async def recent(self, scope: str, keys: Sequence[Key], since: float) -> dict[Key, list[float]]:
        found: dict[Key, list[float]] = {}
        for kind, value in keys:
            rows = await self._rows("recent", (scope, kind, value, float(since)))
            found[(kind, value)] = [float(r[0]) for r in rows]
        return found

    async def forget(self, scope: str, key: Key) -> None:
        await self._write(["forget"], [(scope, *key)])

    async def mark_known(self, scope: str, name: str, ip: str, at: float) -> None:
        await self._write(["mark_known"], [(scope, name, ip, float(at))])

    async def known_since(self, scope: str, name: str, ip: str) -> float | None:
        rows = await self._rows("known_since", (scope, name, ip))
        return float(rows[0][0]) if rows else None

    async def prune(self, failed_before: float, known_before: float) -> int:
        return await self._write(
            ["prune_failures", "prune_known"], [(float(failed_before),), (float(known_before),)]
        )
