"""Filtered reports on PostgreSQL: the daily tables recomputed from raw events for the
visits that match the filters, by the rollup's own SQL (:func:`pg_rollup.compute_day`),
into TEMP tables named like the daily tables, so the stats SQL reads them unchanged.

A reader holds one pooled connection in one transaction from its first query until it is
closed (the TEMP tables are that connection's, and go with the transaction); its queries
run one at a time on it. :meth:`PgFilteredStats.close` is synchronous, as the
:class:`collector.stats.reports.FilteredReader` protocol wants: it hands the connection
back (rolled back) in a task of the running loop; the pool's close waits for it. The stats
queries are prepared on it afresh, so they read the TEMP tables, not the real ones."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import date
from typing import Any

from asyncpg.transaction import Transaction

from collector.model import SiteClock
from collector.stats.filters import Filters
from collector.storage.pg_conn import DRIVER_ERRORS, Conn, Sql, refusals
from collector.storage.pg_rollup import compute_day, run_steps
from collector.storage.pg_stats import PG, PgStats
from collector.storage.sql import bind, query
from collector.storage.sqlite_rollup import day_params

_closing: set[asyncio.Task[None]] = set()  # releases under way (a task needs a reference)


class PgFilteredStats(PgStats):
    """A :class:`PgStats` whose tables hold only the filtered visits."""

    use_months = False  # the TEMP shadows have no monthly sums; filtered data is small

    def __init__(self, sql: Sql, filters: Filters, sites: Mapping[int, SiteClock]) -> None:
        super().__init__(sql)
        self._filters = filters
        self._sites = sites
        self._conn: Conn | None = None  # lent by the pool until close()
        self._transaction: Transaction | None = None
        self._built: tuple[int, str, str] | None = None
        self._lock = asyncio.Lock()

    async def _connection(self) -> Conn:
        if self._conn is None:
            conn = await self._sql.pool.acquire()
            try:
                transaction = conn.transaction()
                await transaction.start()
                await run_steps(conn, ("rollup/00_session", "rollup/06_shadow_tables"), {})
            except BaseException:
                await self._sql.pool.release(conn)
                raise
            self._conn, self._transaction = conn, transaction
        return self._conn

    async def _rows(self, name: str, params: dict[str, Any]) -> list[Any]:
        async with self._lock:
            with refusals():
                conn = await self._connection()
                if name != "realtime" and "from" in params:
                    await self._build(conn, int(params["site"]), str(params["from"]), str(params["to"]))
                sql, args = bind(query(f"stats/{name}", PG), params)
                # prepared anew, not from the connection's cache: a cached plan of this
                # query names the real tables (a plan is not redone when a TEMP table of the
                # same name appears)
                statement = await conn.prepare(sql)
                return list(await statement.fetch(*args))

    async def _build(self, conn: Conn, site_id: int, start: str, end: str) -> None:
        if self._built == (site_id, start, end):
            return
        await run_steps(conn, ("rollup/91_clear_shadows",), {})
        site = self._sites.get(site_id)
        if site is not None:
            statement, args = bind(
                query("stats/days_with_events", PG), {"site": site_id, "from": start, "to": end}
            )
            for (day,) in await conn.fetch(statement, *args):
                params = {**day_params(site_id, date.fromisoformat(day), site), **self._filters.bind()}
                await compute_day(conn, params, filtered=True)
                await run_steps(conn, ("rollup/90_drop_temp",), {})
        self._built = (site_id, start, end)

    def close(self) -> None:
        conn, transaction = self._conn, self._transaction
        self._conn = self._transaction = None
        self._built = None
        if conn is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop to hand it back on: the connection goes
            conn.terminate()
            return
        task = loop.create_task(self._release(conn, transaction))
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    async def _release(self, conn: Conn, transaction: Transaction | None) -> None:
        async with self._lock:  # after a query still running
            try:
                if transaction is not None:
                    with contextlib.suppress(*DRIVER_ERRORS):
                        await transaction.rollback()
            finally:
                await self._sql.pool.release(conn)
