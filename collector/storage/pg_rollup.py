"""Rolling raw events up into the daily tables, on PostgreSQL (many nodes, one database).

Each site-day is one transaction, so a node that dies mid-way leaves nothing half-done:
the day's events are numbered into visits and its new rows computed in TEMP tables (``ON
COMMIT DROP``), inside PostgreSQL — the events never travel to Python — then the day's rows
are replaced and its month's sums changed by the difference
(``queries/rollup/*.postgresql.sql``). Readers see the old day or the new one.

A rollup is CPU-bound in one PostgreSQL backend, so a big day is computed in parts at once:
each part a share of the day's visitors (every count, distinct visitors too, is then the
sum of the parts'), on a pooled connection of its own in a read transaction that imports
the rollup transaction's snapshot (``pg_export_snapshot``), so all parts see the same
events; the parts' rows (a few thousand, never events) are summed into the rollup's TEMP
tables and published by it as a day done whole would be.

Two nodes never do one day at once: the transaction first takes the day's advisory lock
(:func:`collector.storage.locks.site_day_key`); a node that finds it taken skips the day
(it is being done), except for days asked for by name (``only``: after erasure or an
exclusion, the day must be computed from the events as they are now, so it waits).

Which days: batches mark the days they wrote (``dirty_marks``: one row per batch and day,
only ever inserted, so batches never wait on each other's marks). The rollup reads the
ids of the day's marks before the day's events and deletes those marks, and only those,
in the same transaction: each mark it saw was committed with its batch's events, which
the day's computation therefore includes; a batch committed meanwhile keeps its own mark
for the next run. Marks of days the raw retention may have
thinned (or of sites that are gone) are dropped without a rollup, as SQLite's high-water
mark passes them.

Campaign keys are stripped from paths and channels are given by the Python rules
(:mod:`collector.rollups.channels`), once per distinct path or source of the day, loaded
into small TEMP tables the SQL joins.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg

from collector.model import SiteClock
from collector.rollups.channels import channel, page
from collector.storage import locks
from collector.storage.pg_conn import Conn, Sql
from collector.storage.sql import numbered, query, statements
from collector.storage.sqlite_rollup import day_params

PG = "postgresql"
STEPS_WRITE = (
    "rollup/11_daily_site",
    "rollup/12_hourly_site",
    "rollup/20_dim_visit_attributes",
    "rollup/21_dim_pages",
    "rollup/22_dim_actions",
)
# The publish: the month's change computed (08), the day's rows replaced (40), the month's
# sums changed (30), all after the heavy work so its row locks are held briefly.
STEPS_PUBLISH = ("rollup/08_month_remove_day", "rollup/40_publish_day", "rollup/30_month_add_day")
ATTEMPTS = 3  # a deadlock with another writer of the month's sums is retried
SHADOWS = ("daily_site", "hourly_site", "daily_dimension")
# A big day is computed in parts at once, each on its own pooled connection (a rollup is
# CPU-bound in one PostgreSQL backend): one part per PART_EVENTS events, MAX_PARTS at most.
PART_EVENTS = 300_000
MAX_PARTS = 4
ACQUIRE_S = 2.0  # a part waits this long for a pooled connection, else the day is done whole
_SNAPSHOT = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


async def run_steps(conn: Conn, names: Iterable[str], params: Mapping[str, Any], **pieces: str) -> None:
    """Each statement of the named files on ``conn``, with the parameters it names taken
    from ``params``; ``{name}`` in a file is replaced by ``pieces[name]`` first."""
    for name in names:
        script = query(name, PG)
        for piece, text in pieces.items():
            script = script.replace("{" + piece + "}", text)
        for statement in statements(script):
            sql, wanted = numbered(statement)
            args = [params[n] for n in wanted] if isinstance(wanted, tuple) else []
            await conn.execute(sql, *args)


async def _strip_campaign_keys(conn: Conn) -> None:
    rows = await conn.fetch(query("rollup/01_paths_with_query", PG))
    if rows:
        pages = [(str(r[0]), page(str(r[0]))) for r in rows]
        await conn.copy_records_to_table("_page_map", records=pages, schema_name="pg_temp")
        await conn.execute(query("rollup/01_strip_campaign_keys", PG))


async def _channels(conn: Conn) -> None:
    rows = await conn.fetch(query("rollup/02_visit_sources", PG))
    if rows:
        found = [(str(r[0]), channel(r[1], r[2], r[3], r[4])) for r in rows]
        await conn.copy_records_to_table("_channels", records=found, schema_name="pg_temp")


async def compute_day(conn: Conn, params: Mapping[str, Any], filtered: bool = False) -> None:
    """The site-day's rows into the TEMP shadows of the daily tables (06_shadow_tables):
    visits numbered, then (a filtered report: only the matching visits) the day's rows.
    Leaves the day's work tables behind (gone at commit, or by 90_drop_temp)."""
    source = "rollup/01_day_events_filtered" if filtered else "rollup/01_day_events"
    await run_steps(conn, ("rollup/01_visit_events",), params, day_events=query(source, PG))
    await _strip_campaign_keys(conn)
    await run_steps(conn, ("rollup/02_visits",), params)
    if filtered:
        await run_steps(conn, ("rollup/05_filter_visits",), params)
    await _channels(conn)
    await run_steps(conn, STEPS_WRITE, params)


async def _rollup_day(conn: Conn, params: Mapping[str, Any], wait: bool, pool: asyncpg.Pool) -> bool:
    """One site-day in the caller's transaction; False when it was not done here (another
    node holds it or, unless ``wait``, has already done it)."""
    key = locks.site_day_key(int(params["site"]), str(params["day"]))
    if wait:
        await conn.execute("SELECT pg_advisory_xact_lock($1)", key)
    elif not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", key):
        return False
    marks = await conn.fetchval(*_bound("rollup/dirty_mark", params))
    if marks is None and not wait:
        return False  # rolled up since the list was read
    await run_steps(conn, ("rollup/00_session", "rollup/00_temp_last", "rollup/06_shadow_tables"), params)
    parts = _parts(int(await conn.fetchval(*_bound("rollup/day_size", params))), pool.get_max_size())
    if parts == 1 or not await _in_parts(conn, params, parts, pool):
        await compute_day(conn, params)
    await run_steps(conn, STEPS_PUBLISH, params)
    if marks is not None:
        await run_steps(conn, ("rollup/clean_mark",), {**params, "ids": list(marks)})
    return True


def _parts(events: int, pool_size: int) -> int:
    """In how many parts a day of ``events`` is computed: one per PART_EVENTS, at most
    MAX_PARTS, and a third of the pool (the rest serves batches and reads)."""
    return max(1, min(-(-events // PART_EVENTS), MAX_PARTS, pool_size // 3))


async def _in_parts(conn: Conn, params: Mapping[str, Any], parts: int, pool: asyncpg.Pool) -> bool:
    """The day's rows computed in ``parts`` parts at once, each a share of the visitors on a
    connection of its own that sees what this transaction sees (its exported snapshot), then
    summed into this transaction's shadows. False (nothing done) when the pool cannot lend
    the connections soon: the caller computes the day itself."""
    snapshot = str(await conn.fetchval("SELECT pg_export_snapshot()"))
    if not _SNAPSHOT.fullmatch(snapshot):
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [
                group.create_task(_part(pool, snapshot, {**params, "parts": parts, "part": n}))
                for n in range(parts)
            ]
    except BaseExceptionGroup as failed:
        _, others = failed.split(TimeoutError)
        if others is not None:  # a part failed: as if the day had been done whole
            raise others.exceptions[0] from None
        return False  # only waits for a connection: done whole instead
    await run_steps(conn, ("rollup/35_parts",), params)
    for table in SHADOWS:
        records = [r for task in tasks for r in task.result()[table]]
        await conn.copy_records_to_table(f"_part_{table}", records=records, schema_name="pg_temp")
    await run_steps(conn, ("rollup/36_sum_parts",), params)
    return True


async def _part(pool: asyncpg.Pool, snapshot: str, params: Mapping[str, Any]) -> dict[str, list[Any]]:
    """One part of a day's rows, computed on the snapshot of the rollup's transaction."""
    async with pool.acquire(timeout=ACQUIRE_S) as conn, conn.transaction(isolation="repeatable_read"):
        await conn.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        await run_steps(conn, ("rollup/00_session", "rollup/06_shadow_tables"), params)
        await compute_day(conn, params)
        return {
            table: [tuple(r) for r in await conn.fetch(f"SELECT * FROM pg_temp.{table}")] for table in SHADOWS
        }


def _bound(name: str, params: Mapping[str, Any]) -> tuple[Any, ...]:
    """A named statement (one) and its arguments, for ``fetchval(*...)``."""
    sql, wanted = numbered(query(name, PG))
    return (sql, *([params[n] for n in wanted] if isinstance(wanted, tuple) else []))


async def rollup_day(sql: Sql, site_id: int, day: str, site: SiteClock, wait: bool) -> bool:
    """Recompute one site-day in its own transaction (retried after a deadlock)."""
    params = {**day_params(site_id, date.fromisoformat(day), site), "parts": 1, "part": 0}
    for attempt in range(ATTEMPTS):
        try:
            async with sql.transaction() as conn:
                return await _rollup_day(conn, params, wait, sql.pool)
        except asyncpg.DeadlockDetectedError:
            if attempt == ATTEMPTS - 1:
                raise
    return False  # pragma: no cover - the loop returns or raises


def _rollable(site_id: int, day: str, sites: Mapping[int, SiteClock], now: float) -> bool:
    """A day whose raw events retention may already have thinned is left as it is."""
    site = sites.get(site_id)
    if site is None:
        return False
    today = datetime.fromtimestamp(now, site.tz).date()
    return date.fromisoformat(day) >= today - timedelta(days=site.retention_days)


async def run_rollup(
    sql: Sql, sites: Mapping[int, SiteClock], now: float, only: Sequence[tuple[int, str]] | None
) -> list[tuple[int, str]]:
    """Roll up the dirty days (or exactly ``only``); return the (site, day) pairs done."""
    if only is not None:
        done = [(s, d) for s, d in only if s in sites]
        for site_id, day in done:
            await rollup_day(sql, site_id, day, sites[site_id], wait=True)
        return done
    done = []
    for row in await sql.fetch("rollup/dirty_days"):
        site_id, day, marks = int(row[0]), str(row[1]), list(row[2])
        if not _rollable(site_id, day, sites, now):
            await sql.execute("rollup/clean_mark", {"site": site_id, "day": day, "ids": marks})
        elif await rollup_day(sql, site_id, day, sites[site_id], wait=False):
            done.append((site_id, day))
    return done
