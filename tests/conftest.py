"""Shared fixtures: a real SQLite file per test, the app with its lifespan running, an
HTTP client speaking ASGI to it, a frozen clock, and a site to track."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests import native_mode  # before any collector module: it picks their build

# isort: split
from collector.app import create_app
from collector.auth.tokens import new_token, token_hash
from collector.clock import FrozenClock
from collector.model import Site
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from collector.web.services import of_app
from tests import pgserver

# 2026-11-22 12:00:00 UTC
NOON = 1795348800.0

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36"
)
BROWSER_HEADERS = {"User-Agent": CHROME, "Accept-Language": "en-GB,en;q=0.9"}


def pytest_sessionstart(session: pytest.Session) -> None:
    if (why := native_mode.problem()) is not None:
        pytest.exit(why, returncode=3)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOON)


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``backend``: "sqlite", or both backends for tests marked ``both_backends`` (the
    suites that check numbers and behaviour through the app, whatever stores them)."""
    if "backend" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_backends") is not None
        metafunc.parametrize("backend", BACKENDS if both else BACKENDS[:1])


@pytest.fixture
def database(backend: str, tmp_path: Path) -> str:
    """``COLLECTOR_DATABASE`` for this test: a new SQLite file or PostgreSQL database."""
    if backend == "postgresql":
        return pgserver.new_database()
    return f"sqlite:///{tmp_path}/collector.sqlite3"


@pytest.fixture
def settings(database: str) -> Settings:
    return Settings(
        database=database,
        access_log=False,
        secret_key="test-secret",
        demo=True,
    )


@pytest.fixture
async def app(settings: Settings, clock: FrozenClock) -> AsyncIterator[Starlette]:
    application = create_app(settings, clock=clock, run_maintenance=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.195", 54321))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def store(app: Starlette) -> SqliteStore:
    return of_app(app).store  # type: ignore[no-any-return]


@pytest.fixture
async def site(store: SqliteStore, clock: FrozenClock) -> Site:
    return await store.add_site("Example", ["example.com"], "Europe/Oslo", clock())


async def make_token(store: SqliteStore, site: Site, scope: str, clock: FrozenClock) -> str:
    """A new API token of ``scope`` for ``site`` (labelled with its scope)."""
    token = new_token()
    await store.add_token(token_hash(token), site.id, scope, scope, clock())
    return token


@pytest.fixture
async def admin_token(store: SqliteStore, site: Site, clock: FrozenClock) -> str:
    return await make_token(store, site, "admin", clock)


@pytest.fixture
async def stats_token(store: SqliteStore, site: Site, clock: FrozenClock) -> str:
    return await make_token(store, site, "stats", clock)


@pytest.fixture
def db(settings: Settings) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection to the test database, rows as dicts."""
    conn = sqlite3.connect(settings.database_path)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def rows(conn: sqlite3.Connection, sql: str, *args: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sql, args)]


class Tables:
    """Plain SQL on the test database, whichever backend stores it: rows as dicts. For
    suites that compare stored tables (the statements must be valid on both)."""

    def __init__(self, database: str, path: Path | None) -> None:
        self._database = database
        self._sqlite = sqlite3.connect(path) if path is not None else None
        self._pg: Any = None
        if self._sqlite is not None:
            self._sqlite.row_factory = sqlite3.Row

    async def _conn(self) -> Any:
        if self._pg is None:
            import asyncpg

            self._pg = await asyncpg.connect(self._database)
        return self._pg

    async def rows(self, sql: str) -> list[dict[str, Any]]:
        if self._sqlite is not None:
            return [dict(r) for r in self._sqlite.execute(sql)]
        found = await (await self._conn()).fetch(sql)
        # PostgreSQL's SUM of integers is numeric: whole sums compared as ints
        return [{k: int(v) if isinstance(v, Decimal) else v for k, v in r.items()} for r in found]

    async def execute(self, sql: str) -> None:
        if self._sqlite is not None:
            self._sqlite.execute(sql)
            self._sqlite.commit()
        else:
            await (await self._conn()).execute(sql)

    async def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._pg is not None:
            await self._pg.close()


@pytest.fixture
async def tables(settings: Settings) -> AsyncIterator[Tables]:
    path = None if settings.is_postgres else settings.database_path
    found = Tables(settings.database, path)
    yield found
    await found.close()
