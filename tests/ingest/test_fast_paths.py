"""The hot path's shortcuts give exactly what the general code gives."""

from __future__ import annotations

import random
import sqlite3
from importlib import resources
from pathlib import Path

import pytest

from collector.ingest.params import _parse_query, parse_query
from collector.model import EVENT_COLUMNS, DropReason, Event, Kind
from collector.storage import sqlite_write
from collector.storage.base import WriteItem
from collector.storage.sql import PRAGMAS


def _general(qs: str) -> dict[str, str]:
    return _parse_query(qs[1:] if qs[:1] == "?" else qs, {})


def test_parse_query_fast_path_matches_the_general_path() -> None:
    rnd = random.Random(3)
    alphabet = "ab=&%+?2F0xé\x00c"
    samples = [
        "a=1&a=2",
        "a=1&&b=2",
        "a=1&",
        "&a=1",
        "=x",
        "a",
        "a=b=c",
        "?a=1",
        "a+b=1",
        "a%3D=2",
        "x" * 65 + "=1&b=2",
        "x" * 64 + "=1",
        "a=" + "x" * 9000,
        "a=%ZZ&b=%41",
        "cs=latin1&t=%E9",
        "?",
        "",
        "url=https%3A%2F%2Fshop.example%2F%3Fq%3D1&action_name=A+b",
    ]
    samples += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 16))) for _ in range(20000)]
    for qs in samples:
        fast = parse_query(qs)
        assert fast == _general(qs), qs
        assert list(fast) == list(_general(qs)), qs  # the same order too


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    folder = resources.files("collector.storage").joinpath("migrations")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql"):
            conn.executescript(entry.read_text(encoding="utf-8"))
    for pragma in PRAGMAS:
        conn.execute(pragma)
    conn.commit()
    return conn


def _events() -> list[Event]:
    day = "2026-11-22"
    return [
        Event(
            ts_ms=1,
            visitor=-(2**63),
            kind=Kind.PAGEVIEW,
            path="/a",
            title="Ünïcode ‘quotes’ \\u0000",
            browser="Chrome",
            browser_major="130",
            device="desktop",
            new_visit=True,
            site_id=1,
            day=day,
        ),
        Event(
            ts_ms=2,
            visitor=2**63 - 1,
            kind=Kind.EVENT,
            event_category="c",
            event_action="a",
            event_value=0.1 + 0.2,
            site_id=1,
            day=day,
        ),
        Event(ts_ms=3, visitor=0, kind=Kind.GOAL, goal_id=0, revenue=12.34, site_id=1, day=day),
        Event(ts_ms=4, visitor=5, kind=Kind.SEARCH, search_query="q", search_count=0, site_id=1, day=day),
        Event(ts_ms=5, visitor=6, kind=Kind.PAGEVIEW, path="", title="😀", language="en", site_id=1, day=day),
    ]


def _stored(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    columns = ", ".join(EVENT_COLUMNS)
    return conn.execute(
        f"SELECT {columns}, typeof(event_value), typeof(revenue) FROM events ORDER BY ts_ms"
    ).fetchall()


@pytest.mark.parametrize("with_nul", [False, True])
def test_one_json_insert_stores_what_bound_inserts_store(tmp_path: Path, with_nul: bool) -> None:
    events = _events()
    if with_nul:
        events[0].title = "a\x00b"  # not expressible in SQLite's JSON text: the bound path
    fast, general = _connect(tmp_path / "fast.db"), _connect(tmp_path / "general.db")
    items = [WriteItem(e.site_id, e.day, e, None) for e in events]
    assert sqlite_write.write_batch(fast, items) == [None] * len(items)
    assert not fast.in_transaction  # committed
    sqlite_write._insert_events(general, [sqlite_write._event_values(e) for e in events])
    general.commit()
    assert _stored(fast) == _stored(general)
    assert fast.isolation_level == general.isolation_level  # restored


def test_batches_with_drops_or_uids_take_the_general_path(tmp_path: Path) -> None:
    conn = _connect(tmp_path / "x.db")
    event = _events()[0]
    items = [
        WriteItem(1, event.day, event, None),
        WriteItem(1, event.day, None, DropReason.DNT),
        WriteItem(1, event.day, _events()[1], None, uid_hash="h"),
    ]
    assert sqlite_write.write_batch(conn, items) == [None, DropReason.DNT, None]
    assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 2
    assert conn.execute("SELECT n FROM dropped").fetchall() == [(1,)]
