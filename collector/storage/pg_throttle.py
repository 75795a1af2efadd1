""":class:`collector.storage.throttle_base.ThrottleStore` on PostgreSQL, behaving as
:class:`collector.storage.sqlite_throttle.SqliteThrottle` does: every node counts the same
failures. Each call is one statement on the store's pool (``queries/throttle/``), or one
transaction where it writes several rows."""

from __future__ import annotations

from collections.abc import Sequence

from collector.storage.pg_conn import Sql, changed
from collector.storage.sql import bind, numbered, query
from collector.storage.throttle_base import Key


def _name(name: str) -> str:
    return f"throttle/{name}"


class PgThrottle:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    async def record(self, scope: str, keys: Sequence[Key], at: float) -> None:
        if not keys:
            return
        statement, _ = numbered(query(_name("record"), "postgresql"))
        async with self.sql.transaction() as conn:
            await conn.executemany(statement, [(scope, kind, value, float(at)) for kind, value in keys])

    async def recent(self, scope: str, keys: Sequence[Key], since: float) -> dict[Key, list[float]]:
        found: dict[Key, list[float]] = {}
        for kind, value in keys:
            rows = await self.sql.fetch(_name("recent"), (scope, kind, value, float(since)))
            found[(kind, value)] = [float(r[0]) for r in rows]
        return found

    async def forget(self, scope: str, key: Key) -> None:
        await self.sql.execute(_name("forget"), (scope, *key))

    async def mark_known(self, scope: str, name: str, ip: str, at: float) -> None:
        await self.sql.execute(_name("mark_known"), (scope, name, ip, float(at)))

    async def known_since(self, scope: str, name: str, ip: str) -> float | None:
        rows = await self.sql.fetch(_name("known_since"), (scope, name, ip))
        return float(rows[0][0]) if rows else None

    async def prune(self, failed_before: float, known_before: float) -> int:
        total = 0
        async with self.sql.transaction() as conn:
            for name, before in (("prune_failures", failed_before), ("prune_known", known_before)):
                statement, args = bind(query(_name(name), "postgresql"), (float(before),))
                total += changed(await conn.execute(statement, *args))
        return total
