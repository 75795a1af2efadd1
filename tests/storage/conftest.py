"""The store the contract suite runs on: every backend, in every writer placement, on a
fresh database per test. Only this file knows which backends there are; the contract
tests see the :class:`Store` interface alone."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from collector.settings import Settings
from collector.storage import open_store
from collector.storage.base import Store
from tests import pgserver
from tests.storage.contract import StoreFactory

# name → a new, unopened store on the database in the given directory, as the server opens
# it (``serving``: the group commit where ``COLLECTOR_WRITER`` says)
BACKENDS: dict[str, Callable[[Path], Store]] = {
    "sqlite-thread": lambda folder: open_store(
        Settings(database=f"sqlite:///{folder}/c.sqlite3", writer="thread"), serving=True
    ),
    "sqlite-process": lambda folder: open_store(
        Settings(database=f"sqlite:///{folder}/c.sqlite3", writer="process"), serving=True
    ),
    "postgresql": lambda folder: open_store(Settings(database=_pg_database(folder)), serving=True),
}


def _pg_database(folder: Path) -> str:
    """One database per test (made on the first call, the same URL after)."""
    marker = folder / "pg-url"
    if not marker.exists():
        marker.write_text(pgserver.new_database())
    return marker.read_text()


@pytest.fixture(params=sorted(BACKENDS))
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """A new, unopened store on this test's database (each call: the same database)."""
    backend = BACKENDS[request.param]
    return lambda: backend(tmp_path)


@pytest.fixture
async def store(make_store: StoreFactory) -> AsyncIterator[Store]:
    """An open, migrated store on an empty database."""
    opened = make_store()
    await opened.open()
    await opened.migrate()
    yield opened
    await opened.close()
