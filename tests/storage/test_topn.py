"""The month-head top-N (topn, with SQLite's reads from sqlite_topn) gives exactly the plain
query's rows: same values, same totals, same order (ties by value), for any range, metric,
limit and offset."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.storage.sql import query
from collector.storage.sqlite import SqliteStore
from collector.storage.sqlite_topn import SqliteTopReads
from collector.storage.topn import Row, split_range, top_rows, touched_months

FIRST = date(2025, 1, 1)
DAYS = 130  # into mid-May: whole months and a partial one
SITE = 1


def _fill(conn: sqlite3.Connection, seed: int) -> None:
    rng = random.Random(seed)
    catalogue = [f"/p/{n:04d}" for n in range(400)]
    rows = []
    for n in range(DAYS):
        day = (FIRST + timedelta(days=n)).isoformat()
        for rank, value in enumerate(rng.sample(catalogue[:40], 30) + rng.sample(catalogue[40:], 60)):
            views = max(1, int(2000 / (rank + 1) * rng.uniform(0.5, 1.5)))
            if rng.random() < 0.1:
                views = 7  # plenty of ties
            entries = rng.choice([0, 0, 1, views // 3])
            rows.append(
                (
                    SITE,
                    "pages",
                    day,
                    value,
                    views // 2 + 1,
                    views // 2 + 1,
                    views,
                    entries,
                    rng.choice([0, entries]),
                    entries // 2,
                    views,
                    0,
                )
            )
    conn.executemany("INSERT INTO daily_dimension VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    for sql in query("rebuild_months").split(";\n"):
        conn.execute(sql, {"site": SITE, "first": "0000-01", "last": "9999-12"})
    conn.commit()


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path: Path = tmp_path_factory.mktemp("topn") / "t.sqlite3"

    async def migrate() -> None:
        store = SqliteStore(path)
        await store.open()
        await store.migrate()
        await store.close()

    asyncio.run(migrate())
    connection = sqlite3.connect(path)
    _fill(connection, seed=3)
    yield connection
    connection.close()


def _top(conn: sqlite3.Connection, *args: Any) -> list[Row] | None:
    """top_rows with SQLite's reads on the test's plain connection."""

    async def fetch(sql: str, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        return conn.execute(sql, params).fetchall()

    return asyncio.run(top_rows(SqliteTopReads(fetch), *args))


def _plain(
    conn: sqlite3.Connection,
    metric: str,
    start: date,
    end: date,
    min_entries: int,
    min_exits: int,
    limit: int,
    offset: int,
) -> list[tuple[object, ...]]:
    found = conn.execute(
        query("stats/breakdown"),
        {
            "site": SITE,
            "dimension": "pages",
            "from": start.isoformat(),
            "to": end.isoformat(),
            "order": metric,
            "min_entries": min_entries,
            "min_exits": min_exits,
            "limit": limit,
            "offset": offset,
        },
    ).fetchall()
    return [tuple(r) for r in found]


def test_ranges_split_into_whole_months_and_day_spans() -> None:
    assert split_range(date(2025, 1, 1), date(2025, 12, 31)) == ([f"2025-{m:02d}" for m in range(1, 13)], [])
    assert split_range(date(2025, 1, 15), date(2025, 4, 14)) == (
        ["2025-02", "2025-03"],
        [("2025-01-15", "2025-01-31"), ("2025-04-01", "2025-04-14")],
    )
    assert split_range(date(2025, 2, 3), date(2025, 2, 20)) == ([], [("2025-02-03", "2025-02-20")])
    assert touched_months(date(2024, 12, 30), date(2025, 2, 1)) == ["2024-12", "2025-01", "2025-02"]


@pytest.mark.parametrize(
    "metric, min_entries, min_exits",
    [("pageviews", 0, 0), ("entries", 1, 0), ("exits", 0, 1), ("visitors", 0, 0)],
)
def test_a_long_range_is_answered_from_months_and_equals_the_plain_query(
    conn: sqlite3.Connection, metric: str, min_entries: int, min_exits: int
) -> None:
    start, end = date(2025, 1, 10), date(2025, 5, 5)
    found = _top(conn, SITE, "pages", metric, start, end, min_entries, min_exits, 10, 0)
    assert found is not None, "a skewed long range must not need the fallback"
    assert found == _plain(conn, metric, start, end, min_entries, min_exits, 10, 0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.integers(0, DAYS - 1),
    length=st.integers(1, DAYS),
    limit=st.integers(1, 40),
    offset=st.integers(0, 60),
    metric=st.sampled_from(["pageviews", "entries", "exits", "visitors"]),
)
def test_any_range_equals_the_plain_query_or_falls_back(
    conn: sqlite3.Connection, first: int, length: int, limit: int, offset: int, metric: str
) -> None:
    start = FIRST + timedelta(days=first)
    end = min(start + timedelta(days=length - 1), FIRST + timedelta(days=DAYS + 20))
    min_entries, min_exits = int(metric == "entries"), int(metric == "exits")
    found = _top(conn, SITE, "pages", metric, start, end, min_entries, min_exits, limit, offset)
    if found is not None:
        assert found == _plain(conn, metric, start, end, min_entries, min_exits, limit, offset)
