"""The stats queries on SQLite (read-only connection; daily tables only, except realtime)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import aiosqlite

from collector.stats.period import Period
from collector.stats.reports import BreakdownRow, Dimension, Totals
from collector.storage.sql import query
from collector.storage.sqlite_topn import SqliteTopReads
from collector.storage.topn import Row, top_rows


def _totals(row: Sequence[Any]) -> Totals:
    return Totals(*(int(v or 0) for v in row))


def _breakdown_rows(rows: Sequence[Sequence[Any]]) -> list[BreakdownRow]:
    return [
        BreakdownRow(
            value=str(r[0]),
            totals=Totals(int(r[1]), int(r[2]), int(r[3]), int(r[6]), int(r[7]), int(r[8])),
            entries=int(r[4]),
            exits=int(r[5]),
        )
        for r in rows
    ]


class SqliteStats:
    """:class:`collector.stats.reports.StatsReader` for SQLite."""

    use_months = True  # top-N over long ranges via monthly_dimension (topn)

    def __init__(self, connection: Callable[[], Awaitable[aiosqlite.Connection]]) -> None:
        self._connection = connection

    async def _rows(self, name: str, params: dict[str, Any]) -> list[Sequence[Any]]:
        conn = await self._connection()
        return list(await conn.execute_fetchall(query(f"stats/{name}"), params))

    async def totals(self, site_id: int, period: Period) -> Totals:
        rows = await self._rows("summary", {"site": site_id, **period.bind()})
        return _totals(rows[0])

    async def series(self, site_id: int, period: Period, interval: str) -> list[tuple[str, Totals]]:
        rows = await self._rows(f"timeseries_{interval}", {"site": site_id, **period.bind()})
        return [(str(r[0]), _totals(r[1:])) for r in rows]

    async def _top_rows(
        self, site_id: int, dimension: Dimension, period: Period, limit: int, offset: int
    ) -> list[Row] | None:
        if not self.use_months:
            return None
        conn = await self._connection()

        async def fetch(sql: str, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
            return list(await conn.execute_fetchall(sql, params))

        return await top_rows(
            SqliteTopReads(fetch),
            site_id,
            dimension.stored,
            dimension.order,
            period.start,
            period.end,
            1 if dimension.entry_only else 0,
            1 if dimension.exit_only else 0,
            limit,
            offset,
        )

    async def breakdown(
        self, site_id: int, dimension: Dimension, period: Period, limit: int, offset: int
    ) -> list[BreakdownRow]:
        top = await self._top_rows(site_id, dimension, period, limit, offset)
        if top is not None:
            return _breakdown_rows(top)
        rows = await self._rows(
            "breakdown",
            {
                "site": site_id,
                "dimension": dimension.stored,
                **period.bind(),
                "order": dimension.order,
                "min_entries": 1 if dimension.entry_only else 0,
                "min_exits": 1 if dimension.exit_only else 0,
                "limit": limit,
                "offset": offset,
            },
        )
        return _breakdown_rows(rows)

    async def hour_grid(self, site_id: int, period: Period) -> list[tuple[int, int, Totals]]:
        rows = await self._rows("hour_grid", {"site": site_id, **period.bind()})
        return [(int(r[0]), int(r[1]), _totals(r[2:])) for r in rows]

    async def realtime(self, site_id: int, since_ms: int) -> tuple[int, int]:
        rows = await self._rows("realtime", {"site": site_id, "since_ms": since_ms})
        return int(rows[0][0]), int(rows[0][1])

    async def dropped(self, site_id: int, period: Period) -> list[tuple[str, int]]:
        rows = await self._rows("dropped", {"site": site_id, **period.bind()})
        return [(str(r[0]), int(r[1])) for r in rows]
