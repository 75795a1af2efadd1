"""The schema's history, backend-neutral: the numbered migration files this release knows,
in order, and the rule that a database written by a newer release is refused (its
schema has migrations this one does not know; running on it could corrupt it).

Migrations are forward-only (no downgrade scripts) and each runs in one transaction with
its entry in ``schema_migrations``: it is applied whole or not at all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata, resources


class SchemaTooNew(RuntimeError):
    """The database has migrations this release does not know."""


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    script: str


def known(dialect: str = "sqlite") -> list[Migration]:
    """This release's migrations for a backend: ``migrations/*.sql`` for SQLite,
    ``migrations/postgresql/*.sql`` for PostgreSQL (which began at SQLite's 0006)."""
    folder = resources.files("collector.storage").joinpath("migrations")
    if dialect != "sqlite":
        folder = folder.joinpath(dialect)
    return [
        Migration(entry.name, entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".sql")
    ]


def pending(applied: Iterable[str], migrations: list[Migration]) -> list[Migration]:
    """The migrations still to apply; raises ``SchemaTooNew`` when ``applied`` holds one
    this release does not know."""
    done = set(applied)
    unknown = sorted(done - {m.name for m in migrations})
    if unknown:
        raise SchemaTooNew(
            f"the database was written by a newer release of the collector (its schema has "
            f"{', '.join(unknown)}, which collector {_release()} does not know): upgrade the "
            f"collector, or restore a backup made by this release"
        )
    return [m for m in migrations if m.name not in done]


def _release() -> str:
    try:
        return metadata.version("collector")
    except metadata.PackageNotFoundError:
        return "(not installed)"
