"""SQLite backend on aiosqlite: WAL, one writing connection, a separate read-only one.

Every write goes through the writing connection under one lock, so the group-commit
writer's batch is one transaction; reads never wait for it (WAL readers see the last
commit). A batch is one awaited call whatever its size: never one per row.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from collector.model import DropReason, Site, SiteClock, SiteSettings
from collector.privacy.exclusions import Rule
from collector.stats.filters import Filters
from collector.storage import schema, sqlite_exclusions, sqlite_write
from collector.storage.base import (
    MAX_BATCH_ITEMS,
    AuditEntry,
    ChangeListener,
    Conflict,
    TokenInfo,
    UserRecord,
    WriteItem,
)
from collector.storage.rows import audit_entry, domains_json, settings_json, site_from_row, user_record
from collector.storage.sql import PRAGMAS, query
from collector.storage.sqlite_accounts import SqliteAccounts
from collector.storage.sqlite_filtered import SqliteFilteredStats
from collector.storage.sqlite_imports import SqliteImports
from collector.storage.sqlite_rollup import days_with_events, run_rollup
from collector.storage.sqlite_stats import SqliteStats
from collector.storage.sqlite_throttle import SqliteThrottle
from collector.storage.sqlite_write import FileId
from collector.storage.writer_process import Answer, WriterProcess

T = TypeVar("T")
Done = Callable[[list[DropReason | None] | BaseException], None]


async def _on_thread(conn: aiosqlite.Connection, fn: Callable[..., T], *args: Any) -> T:
    """``fn(sqlite3 connection, *args)`` on the connection's own thread, as one awaited call
    (aiosqlite's public methods each cost a thread hop; this is what they use)."""
    result = await conn._execute(fn, conn._conn, *args)  # type: ignore[no-untyped-call]
    return cast(T, result)


async def _finish(work: Awaitable[list[DropReason | None]], done: Done) -> None:
    try:
        outcome = await work
    except Exception as exc:
        done(exc)
    else:
        done(outcome)


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """SQLite's errors that mean "cannot take writes now" (disk full, read-only, locked,
    gone: :func:`sqlite_write.unavailable`) as the backend-neutral
    :class:`collector.storage.base.StoreUnavailable`; any other error as it is."""
    try:
        yield
    except sqlite3.Error as exc:
        error = sqlite_write.as_store_error(exc)
        if error is exc:
            raise
        raise error from exc


def _reasons(done: Done, answer: Answer) -> None:
    """The writer process's answer (reason values) as drop reasons."""
    done(
        answer
        if isinstance(answer, BaseException)
        else [DropReason(r) if r is not None else None for r in answer]
    )


class SqliteStore:
    """The :class:`collector.storage.base.Store` on one SQLite file."""

    def __init__(self, path: Path, writer_process: bool = False) -> None:
        self.path = path
        self._process = WriterProcess(path) if writer_process else None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._opened: FileId | None = None  # the file the writing connection opened
        self._listeners: list[ChangeListener] = []

    # -- lifecycle -------------------------------------------------------------------
    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await aiosqlite.connect(self.path)
        for pragma in PRAGMAS:
            await self._writer.execute(pragma)
        self._opened = sqlite_write.file_id(self.path)
        if self.path.exists():
            os.chmod(self.path, 0o600)
        if self._process is not None:
            await self._process.start()

    async def _read_conn(self) -> aiosqlite.Connection:
        if self._reader is None:
            uri = f"file:{self.path.resolve()}?mode=ro"
            self._reader = await aiosqlite.connect(uri, uri=True)
            await self._reader.execute("PRAGMA busy_timeout = 10000")
        return self._reader

    async def close(self) -> None:
        if self._process is not None:
            await self._process.close()
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    @property
    def w(self) -> aiosqlite.Connection:
        if self._writer is None:
            raise RuntimeError("store is not open")
        return self._writer

    async def migrate(self) -> list[str]:
        """Apply numbered migrations not yet applied; return their names."""
        applied: list[str] = []
        async with self._lock:
            await self.w.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER)"
            )
            rows = await self.w.execute_fetchall("SELECT name FROM schema_migrations")
            for migration in schema.pending((r[0] for r in rows), schema.known()):
                try:
                    await self.w.executescript(
                        f"BEGIN;\n{migration.script}\nINSERT INTO schema_migrations VALUES "
                        f"('{migration.name}', strftime('%s','now'));\nCOMMIT;"
                    )
                except sqlite3.Error:
                    if self.w.in_transaction:
                        await self.w.rollback()  # a failed migration leaves nothing behind
                    raise
                applied.append(migration.name)
        return applied

    async def instance_secret(self, name: str, now: float) -> str | None:
        return None  # one machine: the secret key file next to the database

    def subscribe(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    async def announce(self, kind: str, ident: int) -> None:
        """This process only: other processes on the file see a change when their caches
        expire (seconds)."""
        for listener in self._listeners:
            listener(kind, ident)

    async def ping(self) -> bool:
        conn = await self._read_conn()
        rows = list(await conn.execute_fetchall("SELECT count(*) FROM schema_migrations"))
        return bool(rows and rows[0][0] > 0)

    # -- the hot path ----------------------------------------------------------------
    @property
    def batches_in_flight(self) -> int:
        """The writer process takes the next batches while it commits one; the thread does
        one at a time."""
        return 3 if self._process is not None else 1

    @property
    def batch_items(self) -> int:
        """Small batches for the writer process (each commit answers its requests sooner;
        12 measured best of 8-24 and unlimited); the thread takes all that waits, since
        every extra commit costs it more hand-overs of the GIL."""
        return 12 if self._process is not None else MAX_BATCH_ITEMS

    def send_batch(self, items: Sequence[WriteItem], done: Done) -> None:
        """The group-commit writer's call: ``done`` gets the outcome once committed."""
        process = self._process
        if process is None:
            self._spawn(_finish(self.write_batch(items), done))
        elif process.running:
            process.send([sqlite_write.to_row(i) for i in items], partial(_reasons, done))
        else:  # the child died: a new one, then the batch
            self._spawn(_finish(self._restart_and_write(items), done))

    async def write_batch(self, items: Sequence[WriteItem]) -> list[DropReason | None]:
        """Raises :class:`collector.storage.base.StoreUnavailable` when the database cannot
        take the batch now (nothing of it is acknowledged)."""
        if self._process is None:
            async with self._lock:
                with _refusals():
                    written = await self._in_writer_thread(sqlite_write.write_batch, items)
                sqlite_write.check_file(self.path, self._opened)  # committed into a deleted file?
                return written
        if not self._process.running:
            return await self._restart_and_write(items)
        outcome = await self._process.write([sqlite_write.to_row(i) for i in items])
        return [DropReason(r) if r is not None else None for r in outcome]

    async def _restart_and_write(self, items: Sequence[WriteItem]) -> list[DropReason | None]:
        assert self._process is not None
        async with self._lock:
            if not self._process.running:
                await self._process.close()
                await self._process.start()
        return await self.write_batch(items)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _in_writer_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(connection, *args)`` on the writing connection's own thread."""
        return await _on_thread(self.w, fn, *args)

    async def get_site(self, site_id: int) -> Site | None:
        with _refusals():
            conn = await self._read_conn()
            rows = list(await conn.execute_fetchall(query("get_site"), (site_id,)))
        return site_from_row(rows[0]) if rows else None

    async def find_token(self, token_hash: bytes) -> TokenInfo | None:
        with _refusals():
            conn = await self._read_conn()
            rows = list(await conn.execute_fetchall(query("find_token"), (token_hash,)))
        return TokenInfo(site_id=int(rows[0][0]), scope=str(rows[0][1])) if rows else None

    async def get_or_create_salt(self, day: str, candidate: bytes, now: float) -> bytes:
        async with self._lock:
            with _refusals():  # on the tracking path: a full disk is a 503, not a 500
                try:
                    await self.w.execute(query("insert_salt"), (day, candidate, int(now)))
                    await self.w.commit()
                except sqlite3.Error:
                    if self.w.in_transaction:
                        await self.w.rollback()
                    raise
                rows = list(await self.w.execute_fetchall(query("get_salt"), (day,)))
        return bytes(rows[0][0])

    async def delete_salts_before(self, day: str) -> int:
        return await self._write(query("delete_old_salts"), (day,))

    async def delete_salts_created_before(self, ts: float) -> int:
        return await self._write(query("delete_expired_salts"), (int(ts),))

    # -- administration --------------------------------------------------------------
    async def _write(self, sql: str, args: Sequence[Any]) -> int:
        async with self._lock:
            cursor = await self.w.execute(sql, args)
            await self.w.commit()
            if sql.lstrip().upper().startswith("INSERT"):
                return int(cursor.lastrowid or 0)
            return int(cursor.rowcount)

    async def list_sites(self) -> list[Site]:
        conn = await self._read_conn()
        return [site_from_row(r) for r in await conn.execute_fetchall(query("list_sites"))]

    async def add_site(self, name: str, domains: Sequence[str], timezone: str, now: float) -> Site:
        site_id = await self._write(
            query("insert_site"),
            (
                name,
                domains_json(domains),
                timezone,
                os.urandom(32),
                settings_json(SiteSettings()),
                int(now),
            ),
        )
        site = await self.get_site(site_id)
        assert site is not None
        return site

    async def update_site(
        self,
        site_id: int,
        name: str,
        domains: Sequence[str],
        timezone: str,
        settings: SiteSettings,
    ) -> None:
        await self._write(
            query("update_site"),
            (name, domains_json(domains), timezone, settings_json(settings), site_id),
        )
        await self.announce("site", site_id)

    async def add_user(self, name: str, password_hash: str, is_admin: bool, now: float) -> int:
        try:
            return await self._write(query("insert_user"), (name, password_hash, int(is_admin), int(now)))
        except sqlite3.IntegrityError:
            raise Conflict(f"user {name!r} exists") from None

    async def get_user(self, name: str) -> UserRecord | None:
        conn = await self._read_conn()
        rows = list(await conn.execute_fetchall(query("get_user"), (name,)))
        if not rows:
            return None
        return user_record(rows[0])

    async def add_token(self, token_hash: bytes, site_id: int, scope: str, label: str, now: float) -> int:
        token_id = await self._write(query("insert_token"), (token_hash, site_id, scope, label, int(now)))
        await self.announce("token", token_id)
        return token_id

    async def add_optout(self, site_id: int, user_hash: str, now: float) -> None:
        await self._write(query("insert_optout"), (site_id, user_hash, int(now)))

    async def add_optouts(self, site_id: int, user_hashes: Sequence[str], now: float) -> int:
        async with self._lock:
            before = self.w.total_changes
            await self.w.executemany(query("insert_optout"), [(site_id, h, int(now)) for h in user_hashes])
            await self.w.commit()
            return self.w.total_changes - before

    async def remove_optout(self, site_id: int, user_hash: str) -> None:
        await self._write(query("delete_optout"), (site_id, user_hash))

    async def has_optout(self, site_id: int, user_hash: str) -> bool:
        conn = await self._read_conn()
        return bool(list(await conn.execute_fetchall(query("has_optout"), (site_id, user_hash))))

    async def purge_events(self, site_id: int, before_day: str) -> int:
        return await self._write(query("purge_events"), (site_id, before_day))

    async def purge_aggregates(self, site_id: int, before_day: str) -> int:
        async with self._lock:
            total = 0
            for sql in query("purge_aggregates").split(";\n"):
                cursor = await self.w.execute(sql, {"site": site_id, "before": before_day})
                total += cursor.rowcount
            for sql in query("rebuild_months").split(";\n"):
                await self.w.execute(sql, {"site": site_id, "first": "0000-01", "last": before_day[:7]})
            await self.w.commit()
            return total

    async def audit(self, actor: str, action: str, detail: str, now: float, ip: str = "") -> None:
        await self._write(query("audit"), (int(now), actor, action, detail, ip))

    async def list_audit(self, prefix: str, before: int, limit: int) -> list[AuditEntry]:
        conn = await self._read_conn()
        rows = await conn.execute_fetchall(
            query("list_audit"), {"prefix": prefix, "before": before, "limit": limit}
        )
        return [audit_entry(r) for r in rows]

    async def purge_audit(self, before: float) -> int:
        return await self._write(query("purge_audit"), (int(before),))

    async def count_excluded(self, site_id: int, rule: Rule) -> dict[str, int]:
        return await _on_thread(await self._read_conn(), sqlite_exclusions.matching_days, site_id, rule)

    async def delete_excluded(self, site_id: int, rules: tuple[Rule, ...]) -> dict[str, int]:
        async with self._lock:
            return await self._in_writer_thread(sqlite_exclusions.delete_matching, site_id, rules)

    async def erase(self, site_id: int, first: str, last: str) -> int:
        async with self._lock:
            return await self._in_writer_thread(sqlite_exclusions.erase_period, site_id, first, last)

    # -- daily tables and stats ------------------------------------------------------
    async def rollup(
        self, sites: Mapping[int, SiteClock], now: float, only: Sequence[tuple[int, str]] | None
    ) -> list[tuple[int, str]]:
        """Heavy work on its own connection in a thread: ingest keeps committing."""
        return await asyncio.to_thread(run_rollup, self.path, sites, now, only)

    async def days_with_events(self, site_id: int | None, day: str | None) -> list[tuple[int, str]]:
        return await asyncio.to_thread(days_with_events, self.path, site_id, day)

    def stats(self) -> SqliteStats:
        return SqliteStats(self._read_conn)

    def filtered_stats(self, filters: Filters, sites: Mapping[int, SiteClock]) -> SqliteFilteredStats:
        return SqliteFilteredStats(self.path, filters, sites)

    def accounts(self) -> SqliteAccounts:
        return SqliteAccounts(self._read_conn, lambda: self.w, self._lock)

    def throttle(self) -> SqliteThrottle:
        return SqliteThrottle(self._read_conn, lambda: self.w, self._lock)

    def imports(self) -> SqliteImports:
        return SqliteImports(lambda: self.w, self._lock)
