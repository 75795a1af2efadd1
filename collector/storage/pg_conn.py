"""PostgreSQL connections for the store: one bounded asyncpg pool per process, the
named SQL run on it, and the driver's errors as the backend-neutral ones.

Why asyncpg (and not psycopg 3 with its pool): measured on this machine for the group
commit (``python -m bench.pg_driver``), asyncpg's COPY and ``executemany`` are faster and
its protocol runs without a thread; the figures are in docs/postgresql.md."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any

import asyncpg

from collector.storage.base import StoreUnavailable
from collector.storage.sql import bind, query
from collector.storage.urls import PostgresUrl

Params = Mapping[str, Any] | Sequence[Any]
# A connection: one of the pool's (lent) or one of its own (the notices, the filtered
# reports); the same methods either way (Any: asyncpg-stubs types the two apart, and the
# pool's proxy forwards every call to the connection).
Conn = Any
POOL_SIZE = 10  # connections per process at most
CONNECT_TIMEOUT_S = 5.0
STATEMENT_TIMEOUT_MS = 60_000  # a stuck query fails instead of holding a pooled connection

# SQLSTATE classes that mean "the database cannot take this now", not "this is wrong":
# 08 connection exception, 53 insufficient resources (disk full, out of connections),
# 57 operator intervention (shutdown, cannot connect now), 58 system error (I/O), and
# 25006 read-only transaction (a standby after a failover).
_UNAVAILABLE_CLASSES = {
    "08": "cannot reach PostgreSQL",
    "53": "PostgreSQL out of resources",
    "57": "PostgreSQL is shutting down or starting",
    "58": "PostgreSQL I/O error",
}
_UNAVAILABLE_STATES = {"25006": "PostgreSQL is read-only (a standby?)", "53100": "PostgreSQL disk full"}


# What the driver raises when the server is gone or refuses: the server's own errors, a
# closed or broken connection (InternalClientError: the protocol was cut mid-statement),
# the socket's errors and time-outs.
DRIVER_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
    TimeoutError,
)


class PgUnreachable(StoreUnavailable):
    """PostgreSQL cannot be reached at all (the message names host and port, never the
    password)."""


def unavailable(exc: BaseException) -> str | None:
    """Why the store is unavailable, if ``exc`` says it is; None for an error of the
    statement itself."""
    if isinstance(exc, StoreUnavailable):
        return str(exc)
    if isinstance(exc, asyncpg.PostgresError):
        state = str(getattr(exc, "sqlstate", "") or "")
        return _UNAVAILABLE_STATES.get(state) or _UNAVAILABLE_CLASSES.get(state[:2])
    if isinstance(exc, (OSError, TimeoutError, asyncpg.InterfaceError, asyncpg.InternalClientError)):
        return "cannot reach PostgreSQL"
    return None


@contextlib.contextmanager
def refusals() -> Iterator[None]:
    """The driver's "cannot take this now" errors as :class:`StoreUnavailable`."""
    try:
        yield
    except DRIVER_ERRORS as exc:
        reason = unavailable(exc)
        if reason is None:
            raise
        raise StoreUnavailable(reason) from exc


async def create_pool(url: PostgresUrl, size: int = POOL_SIZE) -> asyncpg.Pool:
    """A pool of at most ``size`` connections; raises :class:`PgUnreachable` (host and
    port named) when the first connection cannot be made."""
    try:
        pool = await asyncpg.create_pool(
            url.url,
            min_size=0,  # made on demand: no background reconnecting (and its tracebacks)
            max_size=max(1, size),
            timeout=CONNECT_TIMEOUT_S,
            command_timeout=STATEMENT_TIMEOUT_MS / 1000,
            server_settings={"application_name": "collector", "timezone": "UTC"},
        )
    except DRIVER_ERRORS as exc:
        raise PgUnreachable(f"cannot reach PostgreSQL at {url.where}: {_why(exc)}") from None
    assert pool is not None
    try:
        await pool.fetchval("SELECT 1")  # the first connection, now: fail at start, not later
    except DRIVER_ERRORS as exc:
        await pool.close()
        raise PgUnreachable(f"cannot reach PostgreSQL at {url.where}: {_why(exc)}") from None
    return pool


def _why(exc: BaseException) -> str:
    """A few words on a failed connection, without anything from the URL."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, asyncpg.InvalidPasswordError):
        return "password authentication failed"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return "the database does not exist"
    if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
        return "the user may not connect (pg_hba.conf or role)"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return type(exc).__name__


class Sql:
    """The store's named statements on a pool (or one connection, in a transaction)."""

    def __init__(self, pool: Callable[[], asyncpg.Pool]) -> None:
        self._pool = pool  # the store's pool once it is open (readers are made before)

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        with refusals():
            async with self.pool.acquire() as conn, conn.transaction():
                yield conn

    async def fetch(self, name: str, params: Params = ()) -> list[asyncpg.Record]:
        sql, args = bind(query(name, "postgresql"), params)
        with refusals():
            return list(await self.pool.fetch(sql, *args))

    async def execute(self, name: str, params: Params = ()) -> int:
        """Rows changed."""
        sql, args = bind(query(name, "postgresql"), params)
        with refusals():
            return changed(await self.pool.execute(sql, *args))


async def run(conn: Conn, name: str, params: Params = ()) -> int:
    """Each statement of a named file on ``conn``; the rows they changed, summed."""
    from collector.storage.sql import statements

    total = 0
    for statement in statements(query(name, "postgresql")):
        sql, args = bind(statement, params)
        total += changed(await conn.execute(sql, *args))
    return total


def changed(status: str) -> int:
    """The row count of a command tag (``DELETE 3``, ``INSERT 0 1``)."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0
