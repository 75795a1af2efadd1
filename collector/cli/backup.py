"""``collector backup PATH``: a consistent copy of the SQLite database, made while the
collector goes on ingesting, and checked before it is called done.

How (measured: bench/README.md, "Backup"): SQLite's online backup API in a single step
(``sqlite3.Connection.backup`` with ``pages=-1``) from a read-only connection. That is one
read transaction, so the copy is the database as of one commit; in WAL mode a reader
blocks no writer, so the collector's commits go on while it copies. Not in steps: a step
that finds the database changed by another connection (every commit of the collector's)
starts the copy over, so under steady beacons a stepped copy of a large database does not
end. Not ``VACUUM INTO``: the same single read transaction and about the same stalls, but
it rebuilds every table and index (a compaction a backup does not need): 1.6 times the
copy's time.

The command runs at a lower priority (``NICENESS``): on a small machine the copy and above
all its check compete with the server's event loop and writer process for the CPU, and
the measured stalls are shorter that way.

The copy is written next to PATH under a temporary name, switched out of WAL mode (one
self-contained file), checked with ``PRAGMA integrity_check``, flushed to disk and only
then renamed onto PATH: PATH is the old file or a complete, checked copy, never half of
one. It gets mode 0600, as the database has (it holds the salts and the sites' secrets).

Only SQLite: a ``postgresql://`` database is backed up with PostgreSQL's own tools
(``pg_dump``, ``pg_basebackup``; the README shows how).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from collector.cli.commands import CliError
from collector.settings import Settings

POSTGRES = ("postgresql://", "postgres://")
NICENESS = 10  # the copy and its check give the CPU (and, by default, the disk) to the server first
PG_ADVICE = (
    "collector backup copies SQLite databases; back up PostgreSQL with its own tools: "
    "pg_dump --format=custom --file=collector.dump URL (one database, restore with pg_restore), "
    "or pg_basebackup -D DIR (the whole server, for point-in-time recovery)"
)


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int  # bytes
    copy_s: float
    check_s: float
    flush_s: float  # fsync and rename

    @property
    def seconds(self) -> float:
        return self.copy_s + self.check_s + self.flush_s


def copy_database(source: Path, target: Path) -> Backup:
    """Copy the SQLite database ``source`` to ``target`` (replaced if it exists) as
    described in the module's doc; raises :class:`CliError` when the copy cannot be made
    or fails its check (``target`` is then left as it was)."""
    if not source.is_file():
        raise CliError(f"no database at {source}")
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")  # 0600
    os.close(fd)
    partial = Path(name)
    try:
        started = time.perf_counter()
        _copy(source, partial)
        copied = time.perf_counter()
        problems = _check(partial)
        checked = time.perf_counter()
        if problems:
            raise CliError(f"the copy failed its integrity check: {'; '.join(problems[:3])}")
        _flush(partial)
        os.replace(partial, target)
        _flush(target.parent)
        flushed = time.perf_counter()
    except BaseException:
        for leftover in (partial, Path(f"{partial}-journal"), Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise
    return Backup(target, target.stat().st_size, copied - started, checked - copied, flushed - checked)


def _copy(source: Path, partial: Path) -> None:
    try:
        src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise CliError(f"cannot open {source}: {exc}") from exc
    try:
        src.execute("PRAGMA busy_timeout = 10000")
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=-1)  # one step: one read transaction, the whole file
            dst.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise CliError(f"the copy failed: {exc}") from exc
    finally:
        src.close()


def _check(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` of the copy: empty when it says ok."""
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        schema = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'")
        if not schema.fetchone()[0]:
            rows.append("no collector schema (schema_migrations is missing)")
    except sqlite3.Error as exc:
        return [str(exc)]
    finally:
        conn.close()
    return [] if rows == ["ok"] else [r for r in rows if r != "ok"]


def _flush(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n:,} bytes"
    value = n / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} GiB"


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    if settings.database.startswith(POSTGRES):
        raise CliError(PG_ADVICE)
    source = settings.database_path
    target = Path(args.path)
    if target.is_dir():
        raise CliError(f"{target} is a directory: name the file to write")
    if not target.parent.is_dir():
        raise CliError(f"no directory {target.parent}")
    if target.exists() or target.is_symlink():
        if not args.force:
            raise CliError(f"{target} exists (--force replaces it)")
        if source.exists() and target.resolve() == source.resolve():
            raise CliError(f"{target} is the database itself")
    if not source.is_file():
        raise CliError(f"no database at {source}")
    print(f"copying {source} to {target} ...", file=sys.stderr)
    os.nice(NICENESS)
    done = copy_database(source, target)
    print(
        f"done: {done.path}, {_size(done.size)} in {done.seconds:.1f} s "
        f"(copy {done.copy_s:.1f} s, integrity check {done.check_s:.1f} s: ok)"
    )
    return 0
