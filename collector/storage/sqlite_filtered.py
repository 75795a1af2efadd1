"""Filtered reports on SQLite: the daily tables recomputed from raw events for the
visits that match the filters, into TEMP tables that shadow the real ones on a private
connection, so the same rollup and stats SQL serve both paths."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from collector.model import SiteClock
from collector.stats.filters import Filters
from collector.storage.sql import query
from collector.storage.sqlite_rollup import STEPS_BEFORE, STEPS_WRITE, connect, day_params, run_steps
from collector.storage.sqlite_stats import SqliteStats

SHADOWS = ("daily_site", "hourly_site", "daily_dimension")


class SqliteFilteredStats(SqliteStats):
    """A :class:`SqliteStats` whose tables hold only the filtered visits."""

    use_months = False  # the TEMP shadows have no monthly sums; filtered data is small

    def __init__(self, path: Path, filters: Filters, sites: Mapping[int, SiteClock]) -> None:
        super().__init__(self._unused)
        self._path = path
        self._filters = filters
        self._sites = sites
        self._conn: sqlite3.Connection | None = None
        self._built: tuple[int, str, str] | None = None

    async def _unused(self) -> Any:  # pragma: no cover - the async connection is not used here
        raise RuntimeError("filtered stats read through their own connection")

    async def _rows(self, name: str, params: dict[str, Any]) -> list[Sequence[Any]]:
        return await asyncio.to_thread(self._rows_sync, name, params)

    def _rows_sync(self, name: str, params: dict[str, Any]) -> list[Sequence[Any]]:
        conn = self._connection_sync()
        site_id = int(params["site"])
        if name != "realtime" and "from" in params:
            self._build(conn, site_id, str(params["from"]), str(params["to"]))
        return list(conn.execute(query(f"stats/{name}"), params).fetchall())

    def _connection_sync(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self._path, check_same_thread=False)
            run_steps(self._conn, ("rollup/06_shadow_tables",), {})
        return self._conn

    def _build(self, conn: sqlite3.Connection, site_id: int, start: str, end: str) -> None:
        if self._built == (site_id, start, end):
            return
        for table in SHADOWS:
            conn.execute(f"DELETE FROM temp.{table}")
        site = self._sites.get(site_id)
        days = conn.execute(query("stats/days_with_events"), {"site": site_id, "from": start, "to": end})
        for (day,) in days.fetchall() if site is not None else []:
            assert site is not None
            params = {**day_params(site_id, date.fromisoformat(day), site), **self._filters.bind()}
            run_steps(conn, (*STEPS_BEFORE, "rollup/05_filter_visits", *STEPS_WRITE), params)
            run_steps(conn, ("rollup/90_drop_temp",), params)
        self._built = (site_id, start, end)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
