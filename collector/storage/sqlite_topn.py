"""Top-N over long ranges on SQLite: the two reads of :mod:`collector.storage.topn` (a
month's head from ``monthly_dimension``, the candidates' exact totals), on whatever runs
SQLite's statements for the caller (the stats reader's aiosqlite connection, or a plain
``sqlite3`` connection in tests)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import orjson

from collector.storage.sql import query
from collector.storage.topn import Row

Fetch = Callable[[str, Mapping[str, Any]], Awaitable[Sequence[Sequence[Any]]]]


class SqliteTopReads:
    """:class:`collector.storage.topn.TopReads` over SQLite statements run by ``fetch``."""

    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch

    async def month_heads(
        self, site: int, dimension: str, metric: str, months: Sequence[str], k: int
    ) -> dict[str, list[tuple[str, int]]]:
        sql = query("stats/breakdown_month_head").replace("{metric}", metric)
        heads = {}
        for month in months:  # month by month: a local read has no round trip to save
            rows = await self._fetch(sql, {"site": site, "dimension": dimension, "month": month, "k": k})
            heads[month] = [(str(r[0]), int(r[1])) for r in rows]
        return heads

    async def candidates(
        self, site: int, dimension: str, months: Sequence[str], days: Sequence[str], values: Sequence[str]
    ) -> list[Row]:
        # months, days and values as JSON lists: every lookup is a primary-key seek
        params = {
            "site": site,
            "dimension": dimension,
            "values": orjson.dumps(list(values)).decode(),
            "months": orjson.dumps(list(months)).decode(),
            "days": orjson.dumps(list(days)).decode(),
        }
        return [tuple(r) for r in await self._fetch(query("stats/breakdown_candidates"), params)]
