"""``collector copy --from sqlite:///… --to postgresql://…``: move an installation from
one machine's SQLite file to PostgreSQL, while the old one goes on running.

Everything is copied: sites and their settings, users, grants, tokens, opt-outs, shared
links, dashboard sessions, salts, raw events, drop counters, the daily and monthly
tables and the audit log; the SQLite instance's secret key file becomes the database's
shared secret (signed-in dashboard users stay signed in). The source is read in one read
transaction (one consistent commit, whatever the collector writes meanwhile); the target
is written in one transaction (all or nothing), after its migrations. Days whose events
the source had not rolled up yet are marked dirty on the target. A target that holds
data is refused unless ``--replace`` (which empties it first)."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collector.cli.commands import CliError
from collector.settings import Settings
from collector.storage import pg_partitions, urls

# Not copied: each backend's own bookkeeping (the target's migrations made its own).
SKIPPED = frozenset(
    {"schema_migrations", "rollup_state", "dirty_days", "instance_secrets", "sqlite_sequence"}
)
# Parents before children (foreign keys); any other table after these, by name.
ORDER = ("sites", "users", "grants", "tokens", "shared_links", "dashboard_sessions", "optouts", "salts")
CHUNK = 5000  # rows a COPY at a time


@dataclass
class Copied:
    tables: dict[str, int] = field(default_factory=dict)
    dirty_days: int = 0
    secret: bool = False
    seconds: float = 0.0


def _tables(source: sqlite3.Connection) -> list[str]:
    names = [
        str(r[0])
        for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if str(r[0]) not in SKIPPED and not str(r[0]).startswith("sqlite_")
    ]
    return [t for t in ORDER if t in names] + [t for t in names if t not in ORDER]


def _columns(source: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in source.execute(f'PRAGMA table_info("{table}")')]


async def _target_columns(conn: Any, table: str) -> dict[str, str]:
    rows = await conn.fetch(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = $1",
        table,
    )
    return {str(r[0]): str(r[1]) for r in rows}


def _value(value: Any, kind: str) -> Any:
    """A SQLite value as the PostgreSQL column wants it (SQLite's types are loose)."""
    if value is None:
        return None
    if kind == "bytea":
        return bytes(value) if not isinstance(value, str) else value.encode()
    if kind in ("bigint", "integer", "smallint"):
        return int(value)
    if kind == "double precision":
        return float(value)
    return str(value) if not isinstance(value, str) else value


async def _is_empty(conn: Any, tables: Sequence[str]) -> bool:
    for table in tables:
        if await conn.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{table}")'):
            return False
    return True


async def copy_into_postgres(source_path: Path, target: urls.PostgresUrl, replace: bool) -> Copied:
    import asyncpg

    from collector.storage.pg import PgStore

    started = time.monotonic()
    store = PgStore(target, pool_size=2)
    await store.open()
    try:
        await store.migrate()
    finally:
        await store.close()
    source = sqlite3.connect(source_path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None)
    done = Copied()
    try:
        source.execute("BEGIN")  # one snapshot for every table
        tables = _tables(source)
        conn = await asyncpg.connect(target.url)
        try:
            async with conn.transaction():
                present = [t for t in tables if await _target_columns(conn, t)]
                if not await _is_empty(conn, present):
                    if not replace:
                        raise CliError(
                            f"PostgreSQL at {target.where} holds data already (--replace empties it first)"
                        )
                    await conn.execute(
                        "TRUNCATE " + ", ".join(f'"{t}"' for t in [*present, "dirty_marks"]) + " CASCADE"
                    )
                for table in present:
                    done.tables[table] = await _copy_table(conn, source, table)
                await _reset_ids(conn, present)
                done.dirty_days = await _mark_unrolled(conn, source)
                done.secret = await _copy_secret(conn, source_path)
        finally:
            await conn.close()
    finally:
        source.close()
    done.seconds = time.monotonic() - started
    return done


async def _copy_table(conn: Any, source: sqlite3.Connection, table: str) -> int:
    kinds = await _target_columns(conn, table)
    columns = [c for c in _columns(source, table) if c in kinds]
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = source.execute(f'SELECT {names} FROM "{table}"')
    partitions = pg_partitions.Partitions()
    day_at = columns.index("day") if table == "events" else -1
    total = 0
    while rows := cursor.fetchmany(CHUNK):
        records = [tuple(_value(v, kinds[c]) for v, c in zip(row, columns, strict=True)) for row in rows]
        if day_at >= 0:
            await partitions.ensure(conn, {str(r[day_at]) for r in records})
        await conn.copy_records_to_table(table, records=records, columns=columns)
        total += len(records)
    return total


async def _reset_ids(conn: Any, tables: Sequence[str]) -> None:
    """Identity columns continue after the highest id copied."""
    for table in tables:
        if "id" not in await _target_columns(conn, table):
            continue
        sequence = await conn.fetchval("SELECT pg_get_serial_sequence($1, 'id')", table)
        if sequence:
            await conn.execute(
                f'SELECT setval($1, GREATEST((SELECT COALESCE(MAX(id), 0) FROM "{table}"), 1))', sequence
            )


async def _mark_unrolled(conn: Any, source: sqlite3.Connection) -> int:
    """The days with events the source's rollup had not reached: dirty on the target."""
    try:
        mark = int(source.execute("SELECT last_event_id FROM rollup_state").fetchone()[0])
    except (sqlite3.Error, TypeError):
        mark = 0
    days = source.execute("SELECT DISTINCT site_id, day FROM events WHERE id > ?", (mark,)).fetchall()
    if days:
        await conn.executemany(
            "INSERT INTO dirty_marks (site_id, day) VALUES ($1, $2)",
            [(int(s), str(d)) for s, d in days],
        )
    return len(days)


async def _copy_secret(conn: Any, source_path: Path) -> bool:
    key_file = source_path.parent / "secret_key"
    if not key_file.is_file():
        return False
    await conn.execute(
        "INSERT INTO instance_secrets (name, value, created_at) VALUES ('secret_key', $1, $2) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        key_file.read_text(encoding="ascii").strip(),
        int(time.time()),
    )
    return True


def cmd_copy(args: argparse.Namespace, settings: Settings) -> int:
    del settings  # both ends are named on the command line
    try:
        source, target = urls.parse(args.source), urls.parse(args.target)
    except urls.DatabaseUrlError as exc:
        raise CliError(str(exc)) from None
    if not isinstance(source, urls.SqliteUrl) or not isinstance(target, urls.PostgresUrl):
        raise CliError("copy moves an installation from sqlite:/// (--from) to postgresql:// (--to)")
    if not source.path.is_file():
        raise CliError(f"no database at {source.path}")
    print(f"copying {source.path} to PostgreSQL at {target.where} ...", file=sys.stderr)
    done = asyncio.run(copy_into_postgres(source.path, target, args.replace))
    for table, count in done.tables.items():
        print(f"{table}: {count:,} rows")
    print(f"days still to roll up: {done.dirty_days}")
    print(f"instance secret: {'copied' if done.secret else 'none (a new one is made)'}")
    print(f"done in {done.seconds:.1f} s")
    return 0
