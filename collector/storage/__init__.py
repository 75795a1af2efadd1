"""Storage: the :class:`Store` interface and its SQLite implementation."""

from __future__ import annotations

from collector.settings import Settings
from collector.storage.base import Store
from collector.storage.sqlite import SqliteStore


def open_store(settings: Settings) -> Store:
    """The store named by ``COLLECTOR_DATABASE`` (not yet opened)."""
    return SqliteStore(settings.database_path)
