"""Raw events on PostgreSQL live in one partition per month of their (site-local) day,
``events_YYYY_MM``, made when the first event of that month arrives.

So retention removes a month no site keeps any more with ``DROP TABLE`` (instant, and the
disk space is returned at once) instead of deleting its rows one by one; a month some
site still keeps loses only the expired site's rows. Making a partition takes a lock on
the parent table, so it happens in its own short transaction (never inside a batch),
under an advisory lock (two nodes making the same month), and once per process per month.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from collector.storage.locks import PARTITIONS
from collector.storage.pg_conn import Conn

_MONTH = re.compile(r"^\d{4}-\d{2}$")


def month_bounds(month: str) -> tuple[str, str]:
    """``2026-11`` → (``2026-11``, ``2026-12``): the text range of its days."""
    if not _MONTH.match(month):
        raise ValueError(f"not a month: {month!r}")
    year, number = int(month[:4]), int(month[5:])
    following = f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"
    return month, following


def table_name(month: str) -> str:
    return "events_" + month.replace("-", "_")


def month_of(table: str) -> str | None:
    match = re.fullmatch(r"events_(\d{4})_(\d{2})", table)
    return f"{match.group(1)}-{match.group(2)}" if match else None


class Partitions:
    """The months this process knows to have a partition."""

    def __init__(self) -> None:
        self._known: set[str] = set()

    def forget(self) -> None:
        self._known.clear()

    async def ensure(self, conn: Conn, days: Iterable[str]) -> None:
        """Make the partitions of ``days``' months that do not exist yet."""
        months = {day[:7] for day in days} - self._known
        if not months:
            return
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", PARTITIONS)
            for month in sorted(months):
                first, following = month_bounds(month)
                await conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {table_name(month)} PARTITION OF events "
                    f"FOR VALUES FROM ('{first}') TO ('{following}')"
                )
        self._known |= months


async def existing(conn: Conn) -> list[str]:
    """The months that have a partition, oldest first."""
    rows = await conn.fetch(
        "SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid "
        "JOIN pg_class AS p ON p.oid = i.inhparent WHERE p.relname = 'events'"
    )
    return sorted(m for r in rows if (m := month_of(str(r[0]))) is not None)


async def purge(conn: Conn, site_id: int, before_day: str) -> int:
    """Remove ``site_id``'s events before ``before_day``: a month wholly before it that
    holds no other site's events is dropped; the rest deletes rows. Returns the rows
    removed."""
    removed = 0
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", PARTITIONS)
        for month in await existing(conn):
            first, following = month_bounds(month)
            if first >= before_day:
                break
            table = table_name(month)
            whole = following <= before_day
            others = await conn.fetchval(
                f"SELECT EXISTS (SELECT 1 FROM {table} WHERE site_id < $1) "
                f"OR EXISTS (SELECT 1 FROM {table} WHERE site_id > $1)",
                site_id,
            )
            if whole and not others:
                removed += int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
                await conn.execute(f"DROP TABLE {table}")
            else:
                status = await conn.execute(
                    f"DELETE FROM {table} WHERE site_id = $1 AND day < $2", site_id, before_day
                )
                removed += int(status.rpartition(" ")[2] or 0)
    return removed
