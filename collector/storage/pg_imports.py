""":class:`collector.storage.imports_base.ImportLedger` on PostgreSQL, behaving as
:class:`collector.storage.sqlite_imports.SqliteImports`: one statement per call, the rows
inserted in sorted order (concurrent claims of overlapping sets cannot deadlock)."""

from __future__ import annotations

from collections.abc import Sequence

from collector.storage.pg_conn import Sql


class PgImports:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    async def claim(self, site_id: int, fingerprints: Sequence[str], day: str) -> set[str]:
        if not fingerprints:
            return set()
        # in one order for every node: two imports of one file never deadlock
        rows = await self.sql.fetch("imports/claim", (site_id, day, sorted(set(fingerprints))))
        return {str(r[0]) for r in rows}

    async def prune(self, site_id: int, before_day: str) -> int:
        return await self.sql.execute("imports/prune", (site_id, before_day))
