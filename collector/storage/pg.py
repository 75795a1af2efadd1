"""PostgreSQL backend on asyncpg: many stateless collector nodes on one database.

Every node holds a bounded pool (:mod:`collector.storage.pg_conn`); a batch is one
transaction on one pooled connection (:mod:`collector.storage.pg_write`), and several
batches commit at once on different connections. What nodes must agree on lives in the
database and is made insert-or-get (salts, the instance secret), so the first node to
need one makes it and every other node reads the same. Changes an operator makes on one
node reach the others by ``NOTIFY`` (:mod:`collector.storage.pg_notify`).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

import asyncpg

from collector.model import DropReason, Site, SiteClock, SiteSettings
from collector.privacy.exclusions import Rule
from collector.stats.filters import Filters
from collector.storage import locks, pg_partitions, pg_write, schema
from collector.storage.base import (
    MAX_BATCH_ITEMS,
    AuditEntry,
    ChangeListener,
    Conflict,
    TokenInfo,
    UserRecord,
    WriteItem,
)
from collector.storage.imports_base import ImportLedger
from collector.storage.pg_conn import POOL_SIZE, Sql, create_pool, refusals
from collector.storage.pg_notify import Notices
from collector.storage.rows import audit_entry, domains_json, settings_json, site_from_row, user_record
from collector.storage.throttle_base import ThrottleStore
from collector.storage.urls import PostgresUrl

Done = Callable[[list[DropReason | None] | BaseException], None]


async def _finish(work: Coroutine[Any, Any, list[DropReason | None]], done: Done) -> None:
    try:
        outcome = await work
    except Exception as exc:
        done(exc)
    else:
        done(outcome)


class PgStore:
    """The :class:`collector.storage.base.Store` on PostgreSQL."""

    dialect = "postgresql"

    def __init__(self, url: PostgresUrl, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.partitions = pg_partitions.Partitions()
        self.notices = Notices(url)
        self._sql = Sql(lambda: self.pool)

    # -- lifecycle -------------------------------------------------------------------
    async def open(self) -> None:
        self._pool = await create_pool(self.url, self._pool_size)

    async def close(self) -> None:
        await self.notices.stop()
        for task in list(self._tasks):
            await asyncio.gather(task, return_exceptions=True)
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("store is not open")
        return self._pool

    @property
    def sql(self) -> Sql:
        return self._sql

    async def migrate(self) -> list[str]:
        """Apply the migrations not yet applied, each in its own transaction, while
        holding an advisory lock: nodes starting together apply them once, in order, and
        the others wait, then find nothing to do."""
        applied: list[str] = []
        with refusals():
            async with self.pool.acquire() as conn:
                await conn.execute("SELECT pg_advisory_lock($1)", locks.MIGRATIONS)
                try:
                    await conn.execute(
                        "CREATE TABLE IF NOT EXISTS schema_migrations "
                        "(name TEXT PRIMARY KEY, applied_at BIGINT)"
                    )
                    rows = await conn.fetch("SELECT name FROM schema_migrations")
                    for migration in schema.pending((r[0] for r in rows), schema.known("postgresql")):
                        async with conn.transaction():
                            await conn.execute(migration.script)
                            await conn.execute(
                                "INSERT INTO schema_migrations VALUES ($1, extract(epoch FROM now()))",
                                migration.name,
                            )
                        applied.append(migration.name)
                finally:
                    await conn.execute("SELECT pg_advisory_unlock($1)", locks.MIGRATIONS)
        return applied

    async def ping(self) -> bool:
        with refusals():
            return bool(await self.pool.fetchval("SELECT count(*) > 0 FROM schema_migrations"))

    def subscribe(self, listener: ChangeListener) -> None:
        self.notices.subscribe(listener)

    async def announce(self, kind: str, ident: int) -> None:
        await self.notices.announce(kind, ident)

    async def instance_secret(self, name: str, now: float) -> str | None:
        """The secret every node shares (made by the first node that asks)."""
        candidate = secrets.token_urlsafe(48)
        await self.sql.execute("insert_instance_secret", (name, candidate, int(now)))
        rows = await self.sql.fetch("get_instance_secret", (name,))
        return str(rows[0][0])

    # -- the hot path ----------------------------------------------------------------
    @property
    def batches_in_flight(self) -> int:
        """Batches committing at once, each on its own pooled connection (the rest of the
        pool serves reads)."""
        return max(1, self._pool_size // 2)

    @property
    def batch_items(self) -> int:
        return MAX_BATCH_ITEMS

    def send_batch(self, items: Sequence[WriteItem], done: Done) -> None:
        task = asyncio.create_task(_finish(self.write_batch(items), done))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def write_batch(self, items: Sequence[WriteItem]) -> list[DropReason | None]:
        with refusals():
            async with self.pool.acquire() as conn:
                return await pg_write.write_batch(conn, items, self.partitions)

    async def get_site(self, site_id: int) -> Site | None:
        rows = await self.sql.fetch("get_site", (site_id,))
        return site_from_row(rows[0]) if rows else None

    async def find_token(self, token_hash: bytes) -> TokenInfo | None:
        rows = await self.sql.fetch("find_token", (token_hash,))
        return TokenInfo(site_id=int(rows[0][0]), scope=str(rows[0][1])) if rows else None

    async def get_or_create_salt(self, day: str, candidate: bytes, now: float) -> bytes:
        await self.sql.execute("insert_salt", (day, candidate, int(now)))
        rows = await self.sql.fetch("get_salt", (day,))
        return bytes(rows[0][0])

    async def delete_salts_before(self, day: str) -> int:
        return await self.sql.execute("delete_old_salts", (day,))

    async def delete_salts_created_before(self, ts: float) -> int:
        return await self.sql.execute("delete_expired_salts", (int(ts),))

    # -- administration --------------------------------------------------------------
    async def _insert(self, name: str, args: Sequence[Any]) -> int:
        rows = await self.sql.fetch(name, args)
        return int(rows[0][0])

    async def list_sites(self) -> list[Site]:
        return [site_from_row(r) for r in await self.sql.fetch("list_sites")]

    async def add_site(self, name: str, domains: Sequence[str], timezone: str, now: float) -> Site:
        site_id = await self._insert(
            "insert_site",
            (name, domains_json(domains), timezone, os.urandom(32), settings_json(SiteSettings()), int(now)),
        )
        site = await self.get_site(site_id)
        assert site is not None
        return site

    async def update_site(
        self, site_id: int, name: str, domains: Sequence[str], timezone: str, settings: SiteSettings
    ) -> None:
        await self.sql.execute(
            "update_site", (name, domains_json(domains), timezone, settings_json(settings), site_id)
        )
        await self.notices.announce("site", site_id)

    async def add_user(self, name: str, password_hash: str, is_admin: bool, now: float) -> int:
        try:
            return await self._insert("insert_user", (name, password_hash, int(is_admin), int(now)))
        except asyncpg.UniqueViolationError:
            raise Conflict(f"user {name!r} exists") from None

    async def get_user(self, name: str) -> UserRecord | None:
        rows = await self.sql.fetch("get_user", (name,))
        return user_record(rows[0]) if rows else None

    async def add_token(self, token_hash: bytes, site_id: int, scope: str, label: str, now: float) -> int:
        token_id = await self._insert("insert_token", (token_hash, site_id, scope, label, int(now)))
        await self.announce("token", token_id)
        return token_id

    async def add_optout(self, site_id: int, user_hash: str, now: float) -> None:
        await self.sql.execute("insert_optout", (site_id, user_hash, int(now)))

    async def add_optouts(self, site_id: int, user_hashes: Sequence[str], now: float) -> int:
        return await self.sql.execute(
            "insert_optouts_many", {"site": site_id, "hashes": list(user_hashes), "now": int(now)}
        )

    async def remove_optout(self, site_id: int, user_hash: str) -> None:
        await self.sql.execute("delete_optout", (site_id, user_hash))

    async def has_optout(self, site_id: int, user_hash: str) -> bool:
        return bool(await self.sql.fetch("has_optout", (site_id, user_hash)))

    async def purge_events(self, site_id: int, before_day: str) -> int:
        with refusals():
            async with self.pool.acquire() as conn:
                return await pg_partitions.purge(conn, site_id, before_day)

    async def purge_aggregates(self, site_id: int, before_day: str) -> int:
        from collector.storage.pg_conn import run

        async with self.sql.transaction() as conn:
            total = await run(conn, "purge_aggregates", {"site": site_id, "before": before_day})
            await run(conn, "rebuild_months", {"site": site_id, "first": "0000-01", "last": before_day[:7]})
        return total

    async def audit(self, actor: str, action: str, detail: str, now: float, ip: str = "") -> None:
        await self.sql.execute("audit", (int(now), actor, action, detail, ip))

    async def list_audit(self, prefix: str, before: int, limit: int) -> list[AuditEntry]:
        rows = await self.sql.fetch("list_audit", {"prefix": prefix, "before": before, "limit": limit})
        return [audit_entry(r) for r in rows]

    async def purge_audit(self, before: float) -> int:
        return await self.sql.execute("purge_audit", (int(before),))

    async def count_excluded(self, site_id: int, rule: Rule) -> dict[str, int]:
        from collector.storage import pg_exclusions

        return await pg_exclusions.matching_days(self.sql, site_id, rule)

    async def delete_excluded(self, site_id: int, rules: tuple[Rule, ...]) -> dict[str, int]:
        from collector.storage import pg_exclusions

        return await pg_exclusions.delete_matching(self.sql, site_id, rules)

    async def erase(self, site_id: int, first: str, last: str) -> int:
        from collector.storage import pg_exclusions

        return await pg_exclusions.erase_period(self.sql, site_id, first, last)

    # -- daily tables and stats ------------------------------------------------------
    async def rollup(
        self, sites: Mapping[int, SiteClock], now: float, only: Sequence[tuple[int, str]] | None
    ) -> list[tuple[int, str]]:
        from collector.storage import pg_rollup

        return await pg_rollup.run_rollup(self.sql, sites, now, only)

    async def days_with_events(self, site_id: int | None, day: str | None) -> list[tuple[int, str]]:
        rows = await self.sql.fetch("rollup_days_with_events", {"site": site_id, "day": day})
        return [(int(r[0]), str(r[1])) for r in rows]

    def stats(self) -> Any:
        from collector.storage.pg_stats import PgStats

        return PgStats(self.sql)

    def filtered_stats(self, filters: Filters, sites: Mapping[int, SiteClock]) -> Any:
        from collector.storage.pg_filtered import PgFilteredStats

        return PgFilteredStats(self.sql, filters, sites)

    def accounts(self) -> Any:
        from collector.storage.pg_accounts import PgAccounts

        return PgAccounts(self.sql)

    def throttle(self) -> ThrottleStore:
        from collector.storage.pg_throttle import PgThrottle

        return PgThrottle(self.sql)

    def imports(self) -> ImportLedger:
        from collector.storage.pg_imports import PgImports

        return PgImports(self.sql)
