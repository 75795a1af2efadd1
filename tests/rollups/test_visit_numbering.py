"""The one-pass visit numbering (collector/storage/sqlite_visits.py) against the SQL it
replaced, on random days: pings before the first event, orphan heartbeats, 30-minute gaps,
new_visit flags, equal timestamps."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.storage.sqlite_rollup import connect
from collector.storage.sqlite_visits import number_visits

REFERENCE = (Path(__file__).parent / "visit_numbering_sql_reference.sql").read_text()
COLUMNS = "id, visitor, ts_ms, kind, path, is_start, visit_no"
Event = tuple[int, int, str, str | None, int]  # visitor, ts_ms, kind, path, new_visit

event = st.tuples(
    st.integers(0, 3),  # visitor
    st.integers(0, 4 * 3600).map(lambda s: s * 1000),  # ts within four hours
    st.sampled_from(["pageview", "ping", "ping", "event", "outlink"]),
    st.sampled_from(["/", "/a", "/b?utm_source=x", None]),
    st.sampled_from([0, 0, 0, 1]),
)


def _db(events: list[Event]) -> sqlite3.Connection:
    conn = connect(Path(":memory:"))
    conn.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, site_id INTEGER, day TEXT, "
                 "visitor INTEGER, ts_ms INTEGER, kind TEXT, path TEXT, new_visit INTEGER)")
    conn.execute("CREATE INDEX IF NOT EXISTS events_site_day ON events (site_id, day, visitor, ts_ms)")
    conn.execute("DELETE FROM events")
    conn.executemany("INSERT INTO events (site_id, day, visitor, ts_ms, kind, path, new_visit) "
                     "VALUES (1, '2026-11-22', ?, ?, ?, ?, ?)", events)
    return conn


@settings(max_examples=200, deadline=None)
@given(st.lists(event, max_size=60))
def test_python_numbering_equals_the_sql_it_replaced(events: list[Event]) -> None:
    conn = _db(events)
    params = {"site": 1, "day": "2026-11-22"}
    conn.execute(REFERENCE, params)
    expected = conn.execute(f"SELECT {COLUMNS} FROM _visit_events ORDER BY id").fetchall()
    conn.execute("DROP TABLE _visit_events")
    number_visits(conn, params)
    assert conn.execute(f"SELECT {COLUMNS} FROM _visit_events ORDER BY id").fetchall() == expected
    conn.close()
