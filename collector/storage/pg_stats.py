"""The stats queries on PostgreSQL (the pool; daily tables only, except realtime), with
top-N over long ranges from the month sums (:mod:`collector.storage.topn`).

The queries are ``queries/stats/*.sql``, with a ``.postgresql.sql`` variant where SQLite's
functions differ; sums of BIGINT columns come back as ``Decimal`` and leave here as int."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from collector.stats.period import Period
from collector.stats.reports import BreakdownRow, Dimension, Totals
from collector.storage.pg_conn import Sql, refusals
from collector.storage.sql import bind, query
from collector.storage.topn import Row, top_rows

PG = "postgresql"


def _int(value: Any) -> int:
    return int(value or 0)


def _totals(row: Sequence[Any]) -> Totals:
    return Totals(*(_int(v) for v in row))


def _breakdown_rows(rows: Sequence[Any]) -> list[BreakdownRow]:
    return [
        BreakdownRow(
            value=str(r[0]),
            totals=Totals(_int(r[1]), _int(r[2]), _int(r[3]), _int(r[6]), _int(r[7]), _int(r[8])),
            entries=_int(r[4]),
            exits=_int(r[5]),
        )
        for r in rows
    ]


class PgTopReads:
    """:class:`collector.storage.topn.TopReads` on PostgreSQL."""

    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def month_heads(
        self, site: int, dimension: str, metric: str, months: Sequence[str], k: int
    ) -> dict[str, list[tuple[str, int]]]:
        # {metric} is one of topn.METRICS, each with its own index
        text = query("stats/breakdown_month_heads", PG).replace("{metric}", metric)
        params = {"site": site, "dimension": dimension, "months": list(months), "k": k}
        statement, args = bind(text, params)
        with refusals():
            rows = await self._sql.pool.fetch(statement, *args)
        heads: dict[str, list[tuple[str, int]]] = {}
        for r in rows:
            heads.setdefault(str(r[0]), []).append((str(r[1]), _int(r[2])))
        return heads

    async def candidates(
        self, site: int, dimension: str, months: Sequence[str], days: Sequence[str], values: Sequence[str]
    ) -> list[Row]:
        params = {
            "site": site,
            "dimension": dimension,
            "months": list(months),
            "days": list(days),
            "values": list(values),
        }
        rows = await self._sql.fetch("stats/breakdown_candidates", params)
        return [(str(r[0]), *(_int(v) for v in tuple(r)[1:])) for r in rows]


class PgStats:
    """:class:`collector.stats.reports.StatsReader` for PostgreSQL."""

    use_months = True  # top-N over long ranges via monthly_dimension (topn)

    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def _rows(self, name: str, params: dict[str, Any]) -> list[Any]:
        return await self._sql.fetch(f"stats/{name}", params)

    async def totals(self, site_id: int, period: Period) -> Totals:
        rows = await self._rows("summary", {"site": site_id, **period.bind()})
        return _totals(rows[0])

    async def series(self, site_id: int, period: Period, interval: str) -> list[tuple[str, Totals]]:
        rows = await self._rows(f"timeseries_{interval}", {"site": site_id, **period.bind()})
        return [(str(r[0]), _totals(r[1:])) for r in rows]

    async def breakdown(
        self, site_id: int, dimension: Dimension, period: Period, limit: int, offset: int
    ) -> list[BreakdownRow]:
        min_entries, min_exits = int(dimension.entry_only), int(dimension.exit_only)
        if self.use_months:
            top = await top_rows(
                PgTopReads(self._sql),
                site_id,
                dimension.stored,
                dimension.order,
                period.start,
                period.end,
                min_entries,
                min_exits,
                limit,
                offset,
            )
            if top is not None:
                return _breakdown_rows(top)
        rows = await self._rows(
            "breakdown",
            {
                "site": site_id,
                "dimension": dimension.stored,
                **period.bind(),
                "order": dimension.order,
                "min_entries": min_entries,
                "min_exits": min_exits,
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
        return _int(rows[0][0]), _int(rows[0][1])

    async def dropped(self, site_id: int, period: Period) -> list[tuple[str, int]]:
        rows = await self._rows("dropped", {"site": site_id, **period.bind()})
        return [(str(r[0]), _int(r[1])) for r in rows]
