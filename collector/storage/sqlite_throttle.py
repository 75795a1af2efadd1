""":class:`collector.storage.throttle_base.ThrottleStore` on SQLite: reads on the store's
read-only connection, writes on its writing connection under its lock (every process on
the file counts the same failures)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from collector.storage.sqlite_role import SqliteRole
from collector.storage.throttle_base import Key


class SqliteThrottle(SqliteRole):
    folder = "throttle"

    async def _write(self, names: Sequence[str], args: Sequence[Sequence[Any]]) -> int:
        """Each statement with its arguments, in one transaction; the rows changed."""
        cursors = await self._transaction(list(zip(names, args, strict=True)))
        return sum(max(0, int(c.rowcount)) for c in cursors)

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
