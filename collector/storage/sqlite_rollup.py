"""Rolling raw events up into the daily tables, on SQLite.

Runs on its own connection in a worker thread: the heavy part (numbering events into
visits, and the day's new rows, all in TEMP tables) holds no write lock, so ingest keeps
committing meanwhile; the replacement of a day's rows is one short transaction, so a
reader sees the old day or the new one, never half. Days are found by a high-water mark
on ``events.id``: any event above it (late, back-dated, a heartbeat arriving after the
last run) makes its day dirty.
A lease in ``rollup_state`` lets one process roll up at a time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from collector.model import SiteClock
from collector.rollups.channels import channel, page
from collector.storage.sql import query
from collector.storage.sqlite_visits import number_visits

STEPS_BEFORE = ("rollup/90_drop_temp", "rollup/01_visit_events", "rollup/02_visits")
STEPS_WRITE = (
    "rollup/10_clear_day",
    "rollup/11_daily_site",
    "rollup/12_hourly_site",
    "rollup/20_dim_visit_attributes",
    "rollup/21_dim_pages",
    "rollup/22_dim_actions",
)
# STEPS_WRITE write into TEMP shadows of the daily tables (no lock on the database);
# STEPS_PUBLISH is the write transaction: the month sums lose the day's old rows, the new
# rows replace the old, the month sums gain them. Filtered reports run STEPS_WRITE on the
# same shadows and publish nothing.
STEPS_MONTH_BEFORE = ("rollup/08_month_remove_day",)
STEPS_MONTH_AFTER = ("rollup/30_month_add_day",)
STEPS_PUBLISH = (*STEPS_MONTH_BEFORE, "rollup/40_publish_day", *STEPS_MONTH_AFTER)
LEASE_S = 600
NEVER = 2**62


def _offset_ms(moment: datetime) -> int:
    offset = moment.utcoffset()
    return int(offset.total_seconds() * 1000) if offset is not None else 0


def day_offsets(day: date, tz: ZoneInfo) -> dict[str, int]:
    """UTC offsets at the start and the end of the local day and, on a DST day, the UTC
    instant (ms) the offset changes, so SQL can place events in local hours exactly."""
    start = datetime.combine(day, time(), tz)
    end = datetime.combine(day + timedelta(days=1), time(), tz) - timedelta(microseconds=1)
    first, last = _offset_ms(start), _offset_ms(end)
    switch = NEVER
    if first != last:
        lo, hi = int(start.timestamp()), int(end.timestamp())
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if _offset_ms(datetime.fromtimestamp(mid, tz)) == first:
                lo = mid
            else:
                hi = mid
        switch = hi * 1000
    return {"offset1_ms": first, "offset2_ms": last, "switch_ms": switch}


def connect(path: Path, check_same_thread: bool = True) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=check_same_thread)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.create_function("collector_channel", 4, channel, deterministic=True)
    conn.create_function("collector_page", 1, page, deterministic=True)
    return conn


def _statements(name: str) -> list[str]:
    return [s for s in query(name).split(";\n") if s.strip() and not _only_comments(s)]


def _only_comments(sql: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in sql.splitlines())


def day_params(site_id: int, day: date, site: SiteClock) -> dict[str, Any]:
    return {"site": site_id, "day": day.isoformat(), **day_offsets(day, site.tz)}


# Steps done in Python rather than by their SQL file alone (the file still names the step).
PYTHON_STEPS: dict[str, Callable[[sqlite3.Connection, Mapping[str, Any]], None]] = {
    "rollup/01_visit_events": number_visits,
}


def run_steps(conn: sqlite3.Connection, names: Iterable[str], params: Mapping[str, Any]) -> None:
    for name in names:
        python_step = PYTHON_STEPS.get(name)
        if python_step is not None:
            python_step(conn, params)
            continue
        for sql in _statements(name):
            conn.execute(sql, params)


def rollup_day(conn: sqlite3.Connection, site_id: int, day: date, site: SiteClock) -> None:
    """Recompute one site-day from its raw events and replace its rows atomically. All the
    heavy work happens in TEMP tables before the write transaction, which only swaps rows."""
    params = day_params(site_id, day, site)
    run_steps(conn, ("rollup/06_shadow_tables",), {})
    try:
        run_steps(conn, (*STEPS_BEFORE, *STEPS_WRITE), params)
        conn.execute("BEGIN IMMEDIATE")
        try:
            run_steps(conn, STEPS_PUBLISH, params)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        run_steps(conn, ("rollup/90_drop_temp", "rollup/91_clear_shadows"), params)


def _take_lease(conn: sqlite3.Connection, now: float) -> bool:
    cur = conn.execute(query("rollup_lease"), {"now": int(now), "until": int(now) + LEASE_S})
    return cur.rowcount == 1


def _dirty_days(conn: sqlite3.Connection, last: int, upto: int) -> list[tuple[int, str]]:
    rows = conn.execute(query("rollup_dirty_days"), {"last": last, "upto": upto}).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows]


def _rollable(site_id: int, day: str, sites: Mapping[int, SiteClock], now: float) -> bool:
    """A day whose raw events retention may already have thinned is left as it is."""
    site = sites.get(site_id)
    if site is None:
        return False
    today = datetime.fromtimestamp(now, site.tz).date()
    return date.fromisoformat(day) >= today - timedelta(days=site.retention_days)


def run_rollup(
    path: Path, sites: Mapping[int, SiteClock], now: float, only: Iterable[tuple[int, str]] | None = None
) -> list[tuple[int, str]]:
    """Roll up the dirty days (or exactly ``only``); return the (site, day) pairs done."""
    conn = connect(path)
    try:
        if only is not None:
            done = [(s, d) for s, d in only if s in sites]
            for site_id, day in done:
                rollup_day(conn, site_id, date.fromisoformat(day), sites[site_id])
            return done
        if not _take_lease(conn, now):
            return []
        last = int(conn.execute("SELECT last_event_id FROM rollup_state").fetchone()[0])
        upto = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0])
        done = []
        for site_id, day in _dirty_days(conn, last, upto):
            if _rollable(site_id, day, sites, now):
                rollup_day(conn, site_id, date.fromisoformat(day), sites[site_id])
                done.append((site_id, day))
        conn.execute(query("rollup_release"), {"last": upto, "now": int(now)})
        return done
    finally:
        conn.close()


def days_with_events(path: Path, site_id: int | None, day: str | None) -> list[tuple[int, str]]:
    """Every (site, day) that has raw events, narrowed by site and/or day."""
    conn = connect(path)
    try:
        rows = conn.execute(query("rollup_days_with_events"), {"site": site_id, "day": day}).fetchall()
        return [(int(r[0]), str(r[1])) for r in rows]
    finally:
        conn.close()
