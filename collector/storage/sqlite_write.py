"""The group commit on SQLite: one batch of tracked and dropped requests written as one
call, on the writing connection's own thread or in the writer process
(:mod:`collector.storage.writer_process`).

A batch travels as :data:`Row` tuples (plain values, so the same function serves both and
a batch crosses a pipe as one JSON document)."""

from __future__ import annotations

import functools
import operator
import os
import sqlite3
from collections import Counter
from collections.abc import Sequence
from itertools import chain
from typing import Any

import orjson

from collector.model import EVENT_COLUMNS, DropReason
from collector.storage.base import StoreUnavailable, WriteItem
from collector.storage.sql import query

# An event's ``insert_event`` parameters, in column order (``new_visit``, a bool, is
# stored by sqlite3 as the integer 0 or 1).
_event_values = operator.attrgetter(*EVENT_COLUMNS)
_MOST_ROWS_A_STATEMENT = 256  # and never more variables than the SQLite build allows

# One request for the writer: site id, day, drop reason (its value) or None, the uid hash
# to check against ``optouts`` or None, and the event's values in ``EVENT_COLUMNS`` order
# (None when there is no event).
Row = tuple[int, str, str | None, str | None, Sequence[Any] | None]

# SQLite's primary result codes that mean "the database cannot take writes now", not "this
# batch is wrong": the batch was rolled back whole and may be sent again later. Each one's
# few words are what the log and the error say (never a stored value).
UNAVAILABLE = {
    sqlite3.SQLITE_FULL: "disk full",
    sqlite3.SQLITE_READONLY: "database read-only",
    sqlite3.SQLITE_IOERR: "disk I/O error",
    sqlite3.SQLITE_CANTOPEN: "database file cannot be opened",
    sqlite3.SQLITE_PERM: "database file not permitted",
    sqlite3.SQLITE_BUSY: "database locked",
    sqlite3.SQLITE_LOCKED: "database locked",
    sqlite3.SQLITE_PROTOCOL: "database locked",
    sqlite3.SQLITE_CORRUPT: "database file corrupt",
    sqlite3.SQLITE_NOTADB: "database file corrupt",
}
FILE_GONE = "database file deleted or replaced (restart the collector)"

# A file's identity: (device, inode).
FileId = tuple[int, int]


def unavailable(exc: BaseException) -> str | None:
    """Why the store is unavailable, if ``exc`` says it is (see :data:`UNAVAILABLE`);
    None for an error of the batch itself (a bug, a bad value)."""
    if isinstance(exc, StoreUnavailable):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return UNAVAILABLE.get(code & 0xFF) if isinstance(code, int) else None
    return None


def as_store_error(exc: BaseException) -> BaseException:
    """``exc`` as :class:`StoreUnavailable` when it is one of those, else itself."""
    if isinstance(exc, StoreUnavailable):
        return exc
    reason = unavailable(exc)
    return StoreUnavailable(reason) if reason is not None else exc


def file_id(path: str | os.PathLike[str]) -> FileId | None:
    """The identity of the file at ``path`` now, None when there is none."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def check_file(path: str | os.PathLike[str], opened: FileId | None) -> None:
    """Raise :class:`StoreUnavailable` when the file at ``path`` is no longer the one the
    connection opened (``opened``): deleted, or replaced by another. SQLite goes on writing
    to a deleted file as if nothing happened, so every commit after it would be lost with
    the file; called after each commit, before it is acknowledged."""
    if opened is not None and file_id(path) != opened:
        raise StoreUnavailable(FILE_GONE)


def to_row(item: WriteItem) -> Row:
    return (
        item.site_id,
        item.day,
        item.drop.value if item.drop is not None else None,
        item.uid_hash,
        _event_values(item.event) if item.event is not None else None,
    )


def write_batch(conn: sqlite3.Connection, items: Sequence[WriteItem]) -> list[DropReason | None]:
    """:func:`write_rows` of ``items``, its outcome as drop reasons."""
    return [
        DropReason(r) if r is not None else None for r in write_rows(conn, [to_row(item) for item in items])
    ]


def write_rows(
    conn: sqlite3.Connection, batch: Sequence[Row], *, shares_gil: bool = True
) -> list[str | None]:
    """One group commit as a single call: opt-out check, inserts, drop counters and the
    commit (rolled back whole if anything fails). Returns each row's drop reason (its
    value), None for a stored event.

    ``shares_gil``: the caller is a thread of the server (``COLLECTOR_WRITER=thread``). Then
    the usual batch (events only, no ``uid`` to check, nothing to count) is one INSERT of
    every row as one JSON parameter, run as its own transaction: the writer thread then
    takes the GIL back two or three times per batch (after the step, after the reset), not
    after every statement (BEGIN, each INSERT, COMMIT), and binds one string rather than 33
    values a row (binding ``None``, ``bool`` and ``Kind`` goes through sqlite3's adapter
    lookup, ~10 µs a row with the GIL held). Under load the event loop holds the GIL and
    the writer gets it back only when the loop runs out of work (bench/README.md). The
    writer process has the GIL to itself and takes the general path: multi-row INSERTs cost
    a quarter less CPU than SQLite reading the rows out of JSON."""
    if shares_gil and _plain_events(conn, batch):
        rows = [row[4] for row in batch]
        try:  # (every row has values: _plain_events checked)
            payload = orjson.dumps(rows)
        except orjson.JSONEncodeError:  # the general path says what is wrong, as always
            payload = b"\\u0000"
        if b"\\u0000" not in payload:  # SQLite's JSON text ends at a NUL; bind those
            # Only the columns that hold a value in some row are read from the JSON (a
            # page view leaves half of them NULL, and reading a NULL costs as much).
            used = tuple(
                n for n, column in enumerate(zip(*rows, strict=True)) if column.count(None) != len(rows)
            )
            level = conn.isolation_level
            conn.isolation_level = None  # autocommit: the statement is the transaction
            try:
                conn.execute(_insert_json_sql(used), (payload.decode(),))
            finally:
                conn.isolation_level = level
            return [None] * len(batch)
    outcome: list[str | None] = [row[2] for row in batch]
    try:
        opted = _opted_out(conn, batch)
        inserts: list[Sequence[Any]] = []
        drops: Counter[tuple[int, str, str]] = Counter()
        for n, (site_id, day, _, uid_hash, values) in enumerate(batch):
            if values is not None and opted and (site_id, uid_hash) in opted:
                outcome[n] = DropReason.OPTED_OUT.value
            reason = outcome[n]
            if reason is not None:
                drops[(site_id, day, reason)] += 1
            elif values is not None:
                inserts.append(values)
        if inserts:
            _insert_events(conn, inserts)
        if drops:
            conn.executemany(query("count_dropped"), [(s, d, r, n) for (s, d, r), n in drops.items()])
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return outcome


def _plain_events(conn: sqlite3.Connection, batch: Sequence[Row]) -> bool:
    """Events only (one at least): no drop to count, no opt-out to check, no transaction
    open."""
    if not batch or conn.in_transaction:
        return False
    for _, _, drop, uid_hash, values in batch:
        if values is None or drop is not None or uid_hash is not None:
            return False
    return True


@functools.lru_cache(maxsize=64)
def _insert_json_sql(used: tuple[int, ...]) -> str:
    """``insert_event`` for the columns ``used`` (positions in ``EVENT_COLUMNS``; the
    others get their default), their values taken from one JSON array of arrays
    in ``EVENT_COLUMNS`` order (``?``). JSON keeps every type the columns get: integers,
    reals, text, NULL, and ``true``/``false`` as 1/0."""
    head, _, _ = query("insert_event").partition("VALUES")
    table = head.partition("(")[0]  # "INSERT INTO events "
    names = ", ".join(EVENT_COLUMNS[n] for n in used)
    values = ", ".join(f"value ->> {n}" for n in used)
    return f"{table}({names}) SELECT {values} FROM json_each(?)"


@functools.cache
def _insert_events_sql(rows: int) -> str:
    """``insert_event`` with ``rows`` sets of placeholders after its ``VALUES``."""
    head, _, one_row = query("insert_event").partition("VALUES")
    return head + "VALUES " + ", ".join([one_row.strip()] * rows)


def _insert_events(conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> None:
    """A few multi-row INSERTs rather than ``executemany`` (one statement step a row):
    each step gives the GIL away and the writer thread then waits to get it back from a
    busy event loop. Chunks of a power-of-two size keep the prepared statements few."""
    most = min(
        _MOST_ROWS_A_STATEMENT, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(EVENT_COLUMNS)
    )
    start = 0
    while start < len(rows):
        n = min(most, 1 << ((len(rows) - start).bit_length() - 1))
        conn.execute(_insert_events_sql(n), list(chain.from_iterable(rows[start : start + n])))
        start += n


def _opted_out(conn: sqlite3.Connection, batch: Sequence[Row]) -> set[tuple[int, str | None]]:
    by_site: dict[int, set[str]] = {}
    for site_id, _, _, uid_hash, values in batch:
        if uid_hash is not None and values is not None:
            by_site.setdefault(site_id, set()).add(uid_hash)
    found: set[tuple[int, str | None]] = set()
    for site_id, hashes in by_site.items():
        rows = conn.execute(query("find_optouts"), (site_id, orjson.dumps(sorted(hashes)).decode()))
        found.update((site_id, r[0]) for r in rows.fetchall())
    return found
