"""What the SQLite role objects (accounts, the login throttle) share: the store's read-only
connection for reads, its writing connection under its lock for writes, and named
statements of one folder of ``queries/``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiosqlite

from collector.storage.sql import query


class SqliteRole:
    folder = ""  # the role's folder in queries/

    def __init__(
        self,
        reader: Callable[[], Awaitable[aiosqlite.Connection]],
        writer: Callable[[], aiosqlite.Connection],
        lock: asyncio.Lock,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._lock = lock

    def _q(self, name: str) -> str:
        return query(f"{self.folder}/{name}")

    async def _rows(self, name: str, args: Sequence[Any]) -> list[Sequence[Any]]:
        conn = await self._reader()
        return list(await conn.execute_fetchall(self._q(name), args))

    async def _transaction(self, steps: Sequence[tuple[str, Sequence[Any]]]) -> list[aiosqlite.Cursor]:
        """Each named statement with its arguments, in one transaction on the writing
        connection; their cursors (rolled back whole on any error)."""
        async with self._lock:
            conn = self._writer()
            cursors = []
            try:
                for name, args in steps:
                    cursors.append(await conn.execute(self._q(name), args))
                await conn.commit()
            except BaseException:
                if conn.in_transaction:
                    await conn.rollback()
                raise
            return cursors
