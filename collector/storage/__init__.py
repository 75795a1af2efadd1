"""Storage: the :class:`Store` interface and its backends, SQLite and PostgreSQL.

Nothing is imported here at module level: the writer process
(:mod:`collector.storage.writer_process`) starts from this package and needs only its
few modules, not the whole store."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collector.settings import Settings
    from collector.storage.base import Store


def open_store(settings: Settings, *, serving: bool = False) -> Store:
    """The store named by ``COLLECTOR_DATABASE`` (not yet opened). ``serving``: for the
    server, whose group commit runs where ``COLLECTOR_WRITER`` says (CLI commands write
    on the store's own thread)."""
    from collector.storage.urls import PostgresUrl

    parsed = settings.database_url
    if isinstance(parsed, PostgresUrl):
        from collector.storage.pg import PgStore

        return PgStore(parsed)
    from collector.storage.sqlite import SqliteStore

    return SqliteStore(parsed.path, writer_process=serving and settings.writer == "process")
