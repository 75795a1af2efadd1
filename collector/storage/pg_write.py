"""The group commit on PostgreSQL: one batch of tracked and dropped requests as one
transaction on one pooled connection: the opt-out check, the events (``COPY``), the drop
counters and the batch's dirty days, committed or rolled back whole.

Several batches may be in flight at once (each on its own connection), and several nodes
write the same tables: a batch's dirty-day marks are only inserted (no row another batch
waits on: ``0004_dirty_marks.sql``); the drop counters are upserted in a fixed order
(site, day, reason), so two transactions never wait on each other in a cycle, and last in
the transaction, so their row locks are held only for the commit."""

from __future__ import annotations

import functools
import operator
from collections import Counter
from collections.abc import Sequence
from typing import Any

from collector.model import EVENT_COLUMNS, DropReason
from collector.storage import pg_partitions
from collector.storage.base import WriteItem
from collector.storage.pg_conn import Conn
from collector.storage.sql import query

_event_values = operator.attrgetter(*EVENT_COLUMNS)
_NEW_VISIT = EVENT_COLUMNS.index("new_visit")
_KIND = EVENT_COLUMNS.index("kind")


def _record(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """An event's values as the COPY wants them: ``kind`` as its text, ``new_visit`` as
    0 or 1 (an INTEGER column, as on SQLite)."""
    row = list(values)
    row[_KIND] = str(row[_KIND].value if hasattr(row[_KIND], "value") else row[_KIND])
    row[_NEW_VISIT] = int(bool(row[_NEW_VISIT]))
    return tuple(row)


# The one-statement insert up to this many rows; COPY in a transaction above. Measured
# (python -m bench.pg_driver): the statement costs the client ~260 µs + ~13 µs a row
# (asyncpg encoding 33 arrays), COPY ~1 ms (its extra round trips) + ~3 µs a row.
MOST_UNNESTED = 64

# Each event column's type for the one-statement insert (the schema's, as arrays).
_INTEGER = {"site_id", "ts_ms", "visitor", "search_count", "goal_id"}
_REAL = {"event_value", "revenue"}


def _array_type(column: str) -> str:
    if column == "new_visit":
        return "integer[]"
    if column in _INTEGER:
        return "bigint[]"
    return "double precision[]" if column in _REAL else "text[]"


@functools.cache
def insert_plain_sql() -> str:
    """``insert_events_plain`` for ``EVENT_COLUMNS``."""
    arrays = ", ".join(f"${n + 1}::{_array_type(c)}" for n, c in enumerate(EVENT_COLUMNS))
    template = query("insert_events_plain", "postgresql")
    return template.replace("{arrays}", arrays).replace("{columns}", ", ".join(EVENT_COLUMNS))


def _plain(items: Sequence[WriteItem]) -> bool:
    """Events only: no drop to count, no opt-out to check."""
    return bool(items) and all(i.event is not None and i.drop is None and i.uid_hash is None for i in items)


async def write_batch(
    conn: Conn, items: Sequence[WriteItem], partitions: pg_partitions.Partitions
) -> list[DropReason | None]:
    """Each item's drop reason (None: stored). The caller gives a connection outside any
    transaction; this opens and commits one."""
    outcome: list[DropReason | None] = [item.drop for item in items]
    events = [(n, item) for n, item in enumerate(items) if item.drop is None and item.event is not None]
    await partitions.ensure(conn, {item.day for _, item in events})
    if len(items) <= MOST_UNNESTED and _plain(items):
        columns = zip(*(_record(_event_values(item.event)) for item in items), strict=True)
        await conn.execute(insert_plain_sql(), *(list(c) for c in columns))
        return outcome
    async with conn.transaction():
        opted = await _opted_out(conn, [item for _, item in events])
        records: list[tuple[Any, ...]] = []
        days: set[tuple[int, str]] = set()
        for n, item in events:
            if item.uid_hash is not None and (item.site_id, item.uid_hash) in opted:
                outcome[n] = DropReason.OPTED_OUT
                continue
            records.append(_record(_event_values(item.event)))
            days.add((item.site_id, item.day))
        drops: Counter[tuple[int, str, str]] = Counter(
            (item.site_id, item.day, reason.value)
            for item, reason in zip(items, outcome, strict=True)
            if reason is not None
        )
        if records:
            await conn.copy_records_to_table("events", records=records, columns=EVENT_COLUMNS)
        if drops:
            keys = sorted(drops)
            await conn.execute(
                query("count_dropped_many", "postgresql"),
                [k[0] for k in keys],
                [k[1] for k in keys],
                [k[2] for k in keys],
                [drops[k] for k in keys],
            )
        if days:
            marks = sorted(days)
            await conn.execute(
                query("mark_dirty_days", "postgresql"), [m[0] for m in marks], [m[1] for m in marks]
            )
    return outcome


async def _opted_out(conn: Conn, items: Sequence[WriteItem]) -> set[tuple[int, str]]:
    pairs = sorted({(i.site_id, i.uid_hash) for i in items if i.uid_hash is not None})
    if not pairs:
        return set()
    rows = await conn.fetch(
        query("find_optouts_many", "postgresql"), [p[0] for p in pairs], [p[1] for p in pairs]
    )
    return {(int(r[0]), str(r[1])) for r in rows}
