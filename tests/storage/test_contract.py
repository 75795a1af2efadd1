"""The storage contract: what every Store backend must do (SQLite today)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from collector.model import DropReason, Event, Kind, SiteSettings
from collector.storage.base import Store, WriteItem
from collector.storage.sqlite import SqliteStore

NOW = 1795348800.0


@pytest.fixture(params=["sqlite-thread", "sqlite-process"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    backend: Store = SqliteStore(tmp_path / "c.sqlite3", writer_process=request.param == "sqlite-process")
    await backend.open()
    await backend.migrate()
    yield backend
    await backend.close()


def _event(site_id: int, path: str) -> Event:
    return Event(
        site_id=site_id, ts_ms=int(NOW * 1000), day="2026-11-22", visitor=7, kind=Kind.PAGEVIEW, path=path
    )


async def test_migrate_twice_applies_nothing_the_second_time(store: Store) -> None:
    assert await store.migrate() == []
    assert await store.ping()


async def test_sites_round_trip(store: Store) -> None:
    site = await store.add_site("Shop", ["shop.example"], "Europe/Oslo", NOW)
    assert site.id == 1 and len(site.secret) == 32
    settings = SiteSettings(allowed_query_keys=("q",), raw_retention_days=5, honour_dnt=False)
    await store.update_site(site.id, "Shop!", ["a.example"], "UTC", settings)
    again = await store.get_site(site.id)
    assert again is not None
    assert (again.name, again.domains, again.timezone, again.settings) == (
        "Shop!",
        ("a.example",),
        "UTC",
        settings,
    )
    assert again.secret == site.secret
    assert await store.get_site(99) is None
    assert [s.id for s in await store.list_sites()] == [1]


async def test_write_batch_inserts_events_and_counts_drops(store: Store) -> None:
    site = await store.add_site("Shop", [], "UTC", NOW)
    items = [
        WriteItem(site.id, "2026-11-22", _event(site.id, "/a"), None),
        WriteItem(site.id, "2026-11-22", None, DropReason.DNT),
        WriteItem(site.id, "2026-11-22", None, DropReason.DNT),
        WriteItem(site.id, "2026-11-22", _event(site.id, "/b"), None),
    ]
    assert await store.write_batch(items) == [None, DropReason.DNT, DropReason.DNT, None]
    await store.write_batch([WriteItem(site.id, "2026-11-22", None, DropReason.DNT)])
    assert isinstance(store, SqliteStore)
    conn = await store._read_conn()
    assert list(await conn.execute_fetchall("SELECT path FROM events ORDER BY id")) == [("/a",), ("/b",)]
    assert list(await conn.execute_fetchall("SELECT reason, n FROM dropped")) == [("dnt", 3)]


async def test_opt_outs_are_checked_inside_the_batch(store: Store) -> None:
    site = await store.add_site("Shop", [], "UTC", NOW)
    await store.add_optout(site.id, "aa" * 16, NOW)
    await store.add_optout(site.id, "aa" * 16, NOW)  # idempotent
    items = [
        WriteItem(site.id, "2026-11-22", _event(site.id, "/x"), None, uid_hash="aa" * 16),
        WriteItem(site.id, "2026-11-22", _event(site.id, "/y"), None, uid_hash="bb" * 16),
        WriteItem(site.id + 1, "2026-11-22", _event(site.id + 1, "/z"), None, uid_hash="aa" * 16),
    ]
    assert await store.write_batch(items) == [DropReason.OPTED_OUT, None, None]


async def test_salts_are_created_once_and_deleted_by_day(store: Store) -> None:
    first = await store.get_or_create_salt("2026-11-22", b"1" * 32, NOW)
    second = await store.get_or_create_salt("2026-11-22", b"2" * 32, NOW)
    assert first == second == b"1" * 32
    await store.get_or_create_salt("2026-11-20", b"3" * 32, NOW)
    assert await store.delete_salts_before("2026-11-21") == 1
    assert await store.get_or_create_salt("2026-11-20", b"4" * 32, NOW) == b"4" * 32


async def test_tokens_users_and_purge(store: Store) -> None:
    site = await store.add_site("Shop", [], "UTC", NOW)
    await store.add_token(b"h" * 32, site.id, "stats", "", NOW)
    info = await store.find_token(b"h" * 32)
    assert info is not None and (info.site_id, info.scope) == (site.id, "stats")
    assert await store.find_token(b"x" * 32) is None
    await store.add_user("ann", "scrypt$…", True, NOW)
    user = await store.get_user("ann")
    assert user is not None and user.is_admin
    old = Event(site_id=site.id, ts_ms=0, day="2026-10-01", visitor=1, kind=Kind.PAGEVIEW)
    await store.write_batch(
        [
            WriteItem(site.id, old.day, old, None),
            WriteItem(site.id, "2026-11-22", _event(site.id, "/new"), None),
        ]
    )
    assert await store.purge_events(site.id, "2026-10-23") == 1
