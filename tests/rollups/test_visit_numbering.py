"""The one-pass visit numbering (collector/storage/sqlite_visits.py) against the SQL it
replaced, on random days: pings before the first event, orphan heartbeats, 30-minute gaps,
new_visit flags, equal timestamps."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.storage.sqlite_rollup import STEPS_WRITE, connect, run_steps
from collector.storage.sqlite_visits import number_visits

REFERENCE = (Path(__file__).parent / "visit_numbering_sql_reference.sql").read_text()
MIGRATIONS = Path(__file__).parents[2] / "collector/storage/migrations"
MIGRATION = "".join(p.read_text() for p in sorted(MIGRATIONS.glob("000[12]_*.sql")))
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
    conn.execute(
        "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, site_id INTEGER, day TEXT, "
        "visitor INTEGER, ts_ms INTEGER, kind TEXT, path TEXT, new_visit INTEGER)"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS events_site_day ON events (site_id, day, visitor, ts_ms)")
    conn.execute("DELETE FROM events")
    conn.executemany(
        "INSERT INTO events (site_id, day, visitor, ts_ms, kind, path, new_visit) "
        "VALUES (1, '2026-11-22', ?, ?, ?, ?, ?)",
        events,
    )
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


# -- filtered reports number only the visitors who can match --------------------------------

FILTERS = ("page", "referrer", "country", "device", "utm_campaign")
visit_event = st.tuples(
    st.integers(0, 5),  # visitor
    st.integers(0, 3 * 3600).map(lambda s: s * 1000),
    st.sampled_from(["pageview", "pageview", "ping", "event"]),
    st.sampled_from(["/", "/pricing", "/pricing?utm_campaign=x", "/blog"]),
    st.sampled_from([None, "google.com", "news.example"]),
    st.sampled_from([None, "no", "se"]),
    st.sampled_from(["desktop", "mobile"]),
    st.sampled_from([None, "spring"]),
)
chosen = st.fixed_dictionaries(
    {},
    optional={
        "page": st.sampled_from(["/", "/pricing"]),
        "referrer": st.sampled_from(["google.com", "news.example"]),
        "country": st.sampled_from(["no", "se"]),
        "device": st.sampled_from(["desktop", "mobile"]),
        "utm_campaign": st.just("spring"),
    },
)


def _filtered_tables(conn: sqlite3.Connection, params: dict[str, object], prefilter: bool) -> list[object]:
    run_steps(conn, ("rollup/90_drop_temp", "rollup/91_clear_shadows"), params)
    numbering = params if prefilter else {k: v for k, v in params.items() if not k.startswith("f_")}
    number_visits(conn, numbering)
    run_steps(conn, ("rollup/02_visits", "rollup/05_filter_visits", *STEPS_WRITE), params)
    return [
        conn.execute(f"SELECT * FROM temp.{t} ORDER BY 1, 2, 3, 4").fetchall()
        for t in ("daily_site", "hourly_site", "daily_dimension")
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(visit_event, max_size=50), chosen)
def test_numbering_only_the_visitors_who_can_match_changes_no_filtered_number(
    events: list[tuple[object, ...]], filters: dict[str, str]
) -> None:
    conn = connect(Path(":memory:"))
    for statement in MIGRATION.split(";\n"):
        if statement.strip():
            conn.execute(statement)
    conn.executemany(
        "INSERT INTO events (site_id, day, visitor, ts_ms, kind, path, referrer_host, country, "
        "device, utm_campaign) VALUES (1, '2026-11-22', ?, ?, ?, ?, ?, ?, ?, ?)",
        events,
    )
    run_steps(conn, ("rollup/06_shadow_tables",), {})
    params = {
        "site": 1,
        "day": "2026-11-22",
        "offset1_ms": 0,
        "offset2_ms": 0,
        "switch_ms": 2**62,
        **{f"f_{name}": filters.get(name) for name in FILTERS},
    }
    assert _filtered_tables(conn, params, prefilter=True) == _filtered_tables(conn, params, prefilter=False)
    conn.close()
