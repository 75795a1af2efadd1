""":class:`collector.storage.imports_base.ImportLedger` on SQLite: one statement per
claim (``queries/imports/``) on the writing connection, under its lock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import aiosqlite
import orjson

from collector.storage.sql import query


class SqliteImports:
    def __init__(self, writer: Callable[[], aiosqlite.Connection], lock: asyncio.Lock) -> None:
        self._writer = writer
        self._lock = lock

    async def claim(self, site_id: int, fingerprints: Sequence[str], day: str) -> set[str]:
        if not fingerprints:
            return set()
        async with self._lock:
            conn = self._writer()
            try:
                rows = await conn.execute_fetchall(
                    query("imports/claim"), (site_id, day, orjson.dumps(list(fingerprints)).decode())
                )
                await conn.commit()
            except BaseException:
                if conn.in_transaction:
                    await conn.rollback()
                raise
        return {str(r[0]) for r in rows}

    async def prune(self, site_id: int, before_day: str) -> int:
        async with self._lock:
            conn = self._writer()
            try:
                cursor = await conn.execute(query("imports/prune"), (site_id, before_day))
                await conn.commit()
            except BaseException:
                if conn.in_transaction:
                    await conn.rollback()
                raise
        return max(0, int(cursor.rowcount))
