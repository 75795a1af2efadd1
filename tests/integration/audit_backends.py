"""Where the privacy audit's server stores its data: a SQLite file in its data directory,
or a PostgreSQL cluster of the audit's own (so its whole data directory, WAL included,
can be scanned like the SQLite file and its ``-wal``)."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from collector.storage import pg_cluster
from tests import pgserver

BACKENDS = ("sqlite", "postgresql")


@dataclass
class Storage:
    """The audit's database: ``env`` for the server, the folders it writes besides the
    server's data directory, and plain reads of what it stored."""

    name: str
    sqlite_file: Path | None = None
    cluster: pg_cluster.Cluster | None = None

    @property
    def env(self) -> dict[str, str]:
        return {"COLLECTOR_DATABASE": self.cluster.url()} if self.cluster is not None else {}

    @property
    def folders(self) -> list[Path]:
        """Everything the database server wrote (its data directory, WAL, its own log)."""
        return [self.cluster.folder] if self.cluster is not None else []

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.cluster is None:
            assert self.sqlite_file is not None
            conn = sqlite3.connect(f"file:{self.sqlite_file}?mode=ro", uri=True)
            try:
                return [tuple(r) for r in conn.execute(sql)]
            finally:
                conn.close()
        return [tuple(r) for r in asyncio.run(self._pg(sql))]

    def checkpoint(self) -> None:
        """PostgreSQL writes its dirty pages to the table files too (not only the WAL),
        so the scan reads the rows in both."""
        if self.cluster is not None:
            asyncio.run(self._pg("CHECKPOINT"))

    async def _pg(self, sql: str) -> list[asyncpg.Record]:
        assert self.cluster is not None
        conn = await asyncpg.connect(self.cluster.url())
        try:
            return list(await conn.fetch(sql))
        finally:
            await conn.close()

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.remove()


def open_storage(name: str, data_dir: Path) -> Storage:
    """A fresh database for the audit: a SQLite file in ``data_dir``, or a new durable
    PostgreSQL cluster (fsync and full-page writes on, as a production server runs)."""
    if name == "sqlite":
        return Storage(name, sqlite_file=data_dir / "collector.sqlite3")
    try:
        cluster = pg_cluster.start(durable=True)
    except pg_cluster.ClusterError as exc:
        pgserver.unavailable(str(exc))
        raise
    return Storage(name, cluster=cluster)
