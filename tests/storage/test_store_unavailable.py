"""SQLite's "cannot take writes now" errors become the backend-neutral StoreUnavailable, on
the thread and in the writer process: a full disk, a read-only or locked database, a file
that cannot be opened or was deleted. Nothing of a refused batch is stored, and the same
connection takes the next batch once the disk has room (real SQLite errors each time:
``max_page_count`` on the thread's connection, a file-size limit on the writer process)."""

from __future__ import annotations

import resource
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from collector.model import Event, Kind
from collector.storage import sqlite_write
from collector.storage.base import StoreUnavailable, WriteItem
from collector.storage.sqlite import SqliteStore
from collector.storage.writer_process import WriterProcess

NOW = 1795348800.0
DAY = "2026-11-22"


def _events(prefix: str, n: int) -> list[WriteItem]:
    items = []
    for i in range(n):
        path = f"/{prefix}/{i}/" + "x" * 200
        event = Event(site_id=1, ts_ms=int(NOW * 1000), day=DAY, visitor=i, kind=Kind.PAGEVIEW, path=path)
        items.append(WriteItem(1, DAY, event, None))
    return items


def _count(path: Path, prefix: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(
            conn.execute("SELECT count(*) FROM events WHERE path LIKE ?", (f"/{prefix}/%",)).fetchone()[0]
        )
    finally:
        conn.close()


async def _open(path: Path, writer_process: bool) -> SqliteStore:
    store = SqliteStore(path, writer_process=writer_process)
    await store.open()
    await store.migrate()
    await store.add_site("Shop", ["shop.example"], "UTC", NOW)
    return store


@pytest.fixture
async def thread_store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = await _open(tmp_path / "c.sqlite3", writer_process=False)
    yield store
    await store.close()


@pytest.fixture
async def process_store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = await _open(tmp_path / "c.sqlite3", writer_process=True)
    yield store
    await store.close()


# -- which errors ---------------------------------------------------------------------------
@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(tmp_path / "plain.sqlite3")
    conn.execute("CREATE TABLE t (x UNIQUE)")
    conn.commit()
    yield conn
    conn.close()


def _error(conn: sqlite3.Connection, sql: str, *args: object) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as raised:
        conn.execute(sql, args)
        conn.commit()
    conn.rollback()
    return raised.value


def test_full_read_only_locked_and_unopenable_are_unavailable_the_rest_is_not(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    conn.execute("PRAGMA max_page_count = 2")
    assert sqlite_write.unavailable(_error(conn, "INSERT INTO t VALUES (randomblob(50000))")) == "disk full"
    conn.execute("PRAGMA max_page_count = 1000000")
    conn.execute("PRAGMA query_only = 1")
    assert sqlite_write.unavailable(_error(conn, "INSERT INTO t VALUES (1)")) == "database read-only"
    conn.execute("PRAGMA query_only = 0")
    holder = sqlite3.connect(tmp_path / "plain.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    conn.execute("PRAGMA busy_timeout = 0")
    assert sqlite_write.unavailable(_error(conn, "INSERT INTO t VALUES (2)")) == "database locked"
    holder.execute("ROLLBACK")
    holder.close()
    with pytest.raises(sqlite3.Error) as missing:
        sqlite3.connect((tmp_path / "gone" / "x.sqlite3").as_uri() + "?mode=rw", uri=True)
    assert sqlite_write.unavailable(missing.value) == "database file cannot be opened"
    conn.execute("INSERT INTO t VALUES (3)")
    assert sqlite_write.unavailable(_error(conn, "INSERT INTO t VALUES (3)")) is None  # the batch's own fault
    assert sqlite_write.unavailable(_error(conn, "INSERT INTO nowhere VALUES (1)")) is None
    assert sqlite_write.unavailable(ValueError("a bug")) is None
    assert sqlite_write.unavailable(StoreUnavailable("disk full")) == "disk full"


# -- on the thread ------------------------------------------------------------------------
async def test_a_full_database_refuses_the_batch_whole_and_takes_the_next_once_it_has_room(
    thread_store: SqliteStore,
) -> None:
    pages = (await thread_store.w.execute_fetchall("PRAGMA page_count"))[0][0]  # type: ignore[index]
    await thread_store.w.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreUnavailable, match="disk full"):
        await thread_store.write_batch(_events("full", 300))
    assert _count(thread_store.path, "full") == 0
    await thread_store.w.execute("PRAGMA max_page_count = 1073741823")  # space again
    assert await thread_store.write_batch(_events("later", 300)) == [None] * 300
    assert (_count(thread_store.path, "full"), _count(thread_store.path, "later")) == (0, 300)


async def test_a_salt_the_database_cannot_write_is_unavailable_too(thread_store: SqliteStore) -> None:
    """(A new day's first beacon writes its salt before its event.)"""
    await thread_store.w.execute("PRAGMA query_only = 1")
    with pytest.raises(StoreUnavailable, match="read-only"):
        await thread_store.get_or_create_salt("2026-11-23", b"s" * 32, NOW)
    await thread_store.w.execute("PRAGMA query_only = 0")
    assert await thread_store.get_or_create_salt("2026-11-23", b"s" * 32, NOW) == b"s" * 32


async def test_a_deleted_database_file_is_never_acknowledged_into(thread_store: SqliteStore) -> None:
    """SQLite would go on committing into the deleted file: every beacon lost on restart."""
    assert await thread_store.write_batch(_events("before", 1)) == [None]
    thread_store.path.unlink()
    for _ in range(2):
        with pytest.raises(StoreUnavailable, match="deleted or replaced"):
            await thread_store.write_batch(_events("after", 1))


# -- in the writer process ----------------------------------------------------------------
def _child_pid(store: SqliteStore) -> int:
    transport = store._process._transport if store._process else None
    assert transport is not None
    pid = transport.get_pid()
    assert isinstance(pid, int)
    return pid


async def test_the_writer_process_refuses_while_it_cannot_write_and_resumes_by_itself(
    process_store: SqliteStore,
) -> None:
    """A file-size limit on the child stands in for a full disk: its writes past the
    limit fail (EFBIG: SQLite's disk I/O error), as on a file system without room."""
    assert await process_store.write_batch(_events("first", 1)) == [None]
    pid = _child_pid(process_store)
    soft, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    wal = Path(f"{process_store.path}-wal")
    limit = max(process_store.path.stat().st_size, wal.stat().st_size if wal.exists() else 0)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (limit, hard))
    try:
        for _ in range(3):
            with pytest.raises(StoreUnavailable, match="disk I/O error"):
                await process_store.write_batch(_events("refused", 300))
    finally:
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (soft, hard))
    assert await process_store.write_batch(_events("later", 300)) == [None] * 300
    assert _child_pid(process_store) == pid  # the same child: nothing restarted
    assert (_count(process_store.path, "refused"), _count(process_store.path, "later")) == (0, 300)


async def test_the_writer_process_never_acknowledges_into_a_deleted_file(process_store: SqliteStore) -> None:
    assert await process_store.write_batch(_events("before", 1)) == [None]
    process_store.path.unlink()
    for _ in range(2):
        with pytest.raises(StoreUnavailable, match="deleted or replaced"):
            await process_store.write_batch(_events("after", 1))


async def test_a_writer_process_never_makes_a_database_where_there_is_none(tmp_path: Path) -> None:
    path = tmp_path / "missing.sqlite3"
    writer = WriterProcess(path)
    await writer.start()  # it starts, and says what is wrong batch by batch
    try:
        with pytest.raises(StoreUnavailable, match="cannot be opened"):
            await writer.write([sqlite_write.to_row(item) for item in _events("x", 1)])
    finally:
        await writer.close()
    assert not path.exists()
