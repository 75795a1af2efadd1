"""Top-N breakdowns over long ranges without reading every day's rows (both backends).

A year of a busy site holds millions of ``daily_dimension`` rows for pages alone, and
summing them all to show ten takes seconds. Instead (a threshold algorithm, exact):

1. For each month the range touches, read the head of ``monthly_dimension`` by the
   report's metric (an index per metric; every month in one read): the ``k`` best values of that month and the
   ``k``-th value's metric, ``kth(month)``.
2. The union of those heads are the candidates. Their exact totals over the range come
   from whole months (``monthly_dimension``) plus the range's days in partial months
   (``daily_dimension``), looked up by value.
3. A value outside every head has, in each month, at most ``kth(month)``; so over the range
   at most ``T = Σ kth(month)``. If the N-th best candidate is above ``T``, no other value
   can reach the top N and the answer is exact. If not (short ranges, flat distributions),
   ``k`` grows, and past a bound the caller falls back to summing the days.

The answer is the plain query's, ties ordered by value (by code point, as SQLite's binary
collation and PostgreSQL's ``"C"`` order them), as the property test checks. The two
reads are the backend's (:class:`TopReads`: ``collector/storage/sqlite_topn.py`` on SQLite,
``collector/storage/pg_stats.py`` on PostgreSQL); the algorithm is here, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Protocol

METRICS = ("visitors", "pageviews", "entries", "exits", "events")
FIRST_K = 24
MAX_K = 1024
MIN_DAYS = 7  # shorter ranges: summing the days is cheap, and month bounds are too loose

Row = tuple[Any, ...]  # value, visitors, visits, pageviews, entries, exits, bounces, duration_s, events
_COLUMN = {"visitors": 1, "pageviews": 3, "entries": 4, "exits": 5, "events": 8}


class TopReads(Protocol):
    """The two reads the algorithm needs from a backend."""

    async def month_heads(
        self, site: int, dimension: str, metric: str, months: Sequence[str], k: int
    ) -> dict[str, list[tuple[str, int]]]:
        """Each month's ``k`` best (value, metric), best first (a month without rows may
        be missing)."""
        ...

    async def candidates(
        self, site: int, dimension: str, months: Sequence[str], days: Sequence[str], values: Sequence[str]
    ) -> list[Row]:
        """Exact totals of ``values``: the whole ``months`` plus the single ``days``."""
        ...


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def split_range(start: date, end: date) -> tuple[list[str], list[tuple[str, str]]]:
    """Whole months inside [start, end] (YYYY-MM) and the day spans left over."""
    months: list[str] = []
    spans: list[tuple[str, str]] = []
    day = start
    while day <= end:
        last = _month_end(day)
        if day.day == 1 and last <= end:
            months.append(day.isoformat()[:7])
        else:
            spans.append((day.isoformat(), min(last, end).isoformat()))
        day = last + timedelta(days=1)
    return months, spans


def touched_months(start: date, end: date) -> list[str]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day.isoformat()[:7])
        day = _month_end(day) + timedelta(days=1)
    return months


def span_days(spans: Sequence[tuple[str, str]]) -> list[str]:
    out = []
    for first, last in spans:
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            out.append(day.isoformat())
            day += timedelta(days=1)
    return out


async def _heads(
    reads: TopReads, site: int, dimension: str, metric: str, months: Sequence[str], k: int
) -> tuple[set[str], int, bool]:
    """The candidates (every month's k best), T (the bound on any other value) and
    whether the heads held every value there is."""
    candidates: set[str] = set()
    bound, complete = 0, True
    heads = await reads.month_heads(site, dimension, metric, months, k)
    for month in months:
        head = heads.get(month, [])
        candidates.update(value for value, _ in head)
        if len(head) == k:
            bound += int(head[-1][1])
            complete = False
    return candidates, bound, complete


async def top_rows(
    reads: TopReads,
    site: int,
    dimension: str,
    metric: str,
    start: date,
    end: date,
    min_entries: int,
    min_exits: int,
    limit: int,
    offset: int,
) -> list[Row] | None:
    """The ``limit`` rows from ``offset`` ranked by ``metric``, or None when this method
    cannot prove its answer cheaply (the caller then sums the days)."""
    if metric not in METRICS or (end - start).days + 1 < MIN_DAYS:
        return None
    wanted = offset + limit
    months, spans = split_range(start, end)
    days = span_days(spans)
    column = _COLUMN[metric]
    k = max(FIRST_K, 2 * wanted)
    while k <= MAX_K:
        candidates, bound, complete = await _heads(
            reads, site, dimension, metric, touched_months(start, end), k
        )
        found = await reads.candidates(site, dimension, months, days, sorted(candidates))
        rows = [r for r in found if r[4] >= min_entries and r[5] >= min_exits]
        rows.sort(key=lambda r: (-int(r[column]), str(r[0])))
        if complete or (len(rows) >= wanted and int(rows[wanted - 1][column]) > bound):
            return rows[offset:wanted]
        k *= 4
    return None
