"""The storage contract: what every :class:`Store` backend must do, through the public
interface only (the ``store`` fixture, tests/storage/conftest.py, says which backends).

This file: the lifecycle and the hot path. The administration, the stats, the privacy
tools and the account store are in the other ``test_contract_*.py`` files."""

from __future__ import annotations

import ast
import asyncio
import inspect
from pathlib import Path

from collector.model import DropReason
from collector.stats.reports import FilteredReader, StatsReader
from collector.storage.accounts_base import AccountStore
from collector.storage.base import MAX_BATCH_ITEMS, Store
from collector.storage.imports_base import ImportLedger
from collector.storage.throttle_base import ThrottleStore
from tests.storage.contract import (
    DAY,
    NOW,
    PERIOD,
    SAMPLE_DROPPED,
    SAMPLE_TOTALS,
    StoreFactory,
    add_site,
    clocks,
    dropped,
    event,
    ms,
    sample_day,
    tracked,
    write_sample,
)

HERE = Path(__file__).parent
INTERFACES = (Store, StatsReader, FilteredReader, AccountStore, ThrottleStore, ImportLedger)


def _public(interface: type) -> set[str]:
    return {
        name
        for cls in inspect.getmro(interface)
        if cls.__module__.startswith("collector.")
        for name in vars(cls)
        if not name.startswith("_")
    }


def test_every_method_of_the_interfaces_is_called_by_the_contract_suite() -> None:
    called: set[str] = set()
    for path in HERE.glob("test_contract*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                called.add(node.attr)
    for interface in INTERFACES:
        missing = _public(interface) - called
        assert not missing, f"{interface.__name__}: no contract test calls {sorted(missing)}"


# -- lifecycle -----------------------------------------------------------------------------
async def test_migrate_applies_every_migration_once(make_store: StoreFactory) -> None:
    fresh = make_store()
    await fresh.open()
    try:
        applied = await fresh.migrate()
        assert applied and applied == sorted(applied)
        assert await fresh.ping()
        assert await fresh.migrate() == []
    finally:
        await fresh.close()


async def test_what_was_written_is_there_after_close_and_open(make_store: StoreFactory) -> None:
    first = make_store()
    await first.open()
    await first.migrate()
    site = await add_site(first)
    await write_sample(first, site)
    await first.close()
    again = make_store()
    await again.open()
    try:
        assert await again.migrate() == []
        assert await again.get_site(site.id) == site
        assert [s.id for s in await again.list_sites()] == [site.id]
        await again.rollup(clocks(site), NOW, None)
        assert await again.stats().totals(site.id, PERIOD) == SAMPLE_TOTALS
    finally:
        await again.close()


# -- the hot path --------------------------------------------------------------------------
def test_batch_sizes_are_within_what_the_group_commit_sends(store: Store) -> None:
    assert store.batches_in_flight >= 1
    assert 1 <= store.batch_items <= MAX_BATCH_ITEMS


async def test_write_batch_stores_events_and_counts_drops(store: Store) -> None:
    site = await add_site(store)
    await write_sample(store, site)
    await store.write_batch([dropped(site.id, DropReason.DNT)])
    assert await store.stats().dropped(site.id, PERIOD) == [("dnt", 3), ("bot", 1)]
    assert await store.days_with_events(site.id, None) == [(site.id, DAY)]
    assert await store.stats().realtime(site.id, ms("00:00")) == (3, 4)
    assert await store.rollup(clocks(site), NOW, None) == [(site.id, DAY)]
    assert await store.stats().totals(site.id, PERIOD) == SAMPLE_TOTALS


async def test_an_empty_batch_is_answered(store: Store) -> None:
    assert await store.write_batch([]) == []


async def test_send_batch_answers_each_batch_once_committed(store: Store) -> None:
    site = await add_site(store)
    answers: list[list[DropReason | None] | BaseException] = []
    all_in = asyncio.Event()
    batches = [sample_day(site.id, day) for day in ("2026-11-20", "2026-11-21", DAY)]

    def done(outcome: list[DropReason | None] | BaseException) -> None:
        answers.append(outcome)
        if len(answers) == len(batches):
            all_in.set()

    for items in batches:  # sent at once: a backend may take several before it answers
        store.send_batch(items, done)
    await asyncio.wait_for(all_in.wait(), 10)
    assert answers == [[i.drop for i in items] for items in batches]
    assert await store.days_with_events(site.id, None) == [
        (site.id, "2026-11-20"),
        (site.id, "2026-11-21"),
        (site.id, DAY),
    ]
    assert await store.stats().dropped(site.id, PERIOD) == SAMPLE_DROPPED


async def test_opt_outs_are_checked_inside_the_batch(store: Store) -> None:
    site = await add_site(store)
    other = await add_site(store, "Other")
    await store.add_optout(site.id, "aa" * 16, NOW)
    items = [
        tracked(event(site.id, "/x", visitor=1), uid_hash="aa" * 16),
        tracked(event(site.id, "/y", visitor=2), uid_hash="bb" * 16),
        tracked(event(site.id, "/z", visitor=3)),
        tracked(event(other.id, "/x", visitor=1), uid_hash="aa" * 16),  # an opt-out is per site
    ]
    assert await store.write_batch(items) == [DropReason.OPTED_OUT, None, None, None]
    assert await store.stats().dropped(site.id, PERIOD) == [("opted_out", 1)]
    assert await store.stats().realtime(site.id, 0) == (2, 2)
    assert await store.stats().realtime(other.id, 0) == (1, 1)


async def test_get_site_and_find_token_find_what_was_added(store: Store) -> None:
    site = await add_site(store)
    assert await store.get_site(site.id) == site
    assert await store.get_site(site.id + 1) is None
    await store.add_token(b"h" * 32, site.id, "stats", "the wall screen", NOW)
    info = await store.find_token(b"h" * 32)
    assert info is not None and (info.site_id, info.scope) == (site.id, "stats")
    assert await store.find_token(b"x" * 32) is None


async def test_a_days_salt_is_created_once_and_deleted_by_day(store: Store) -> None:
    first = await store.get_or_create_salt(DAY, b"1" * 32, NOW)
    second = await store.get_or_create_salt(DAY, b"2" * 32, NOW)
    assert first == second == b"1" * 32  # the first candidate wins, for every worker
    assert await store.get_or_create_salt("2026-11-20", b"3" * 32, NOW) == b"3" * 32
    assert await store.delete_salts_before("2026-11-21") == 1
    assert await store.delete_salts_before("2026-11-21") == 0
    assert await store.get_or_create_salt("2026-11-20", b"4" * 32, NOW) == b"4" * 32  # a new one
    assert await store.get_or_create_salt(DAY, b"5" * 32, NOW) == b"1" * 32  # kept


async def test_a_days_salt_is_destroyed_48_hours_after_it_was_made(store: Store) -> None:
    """Whatever its day: a salt made now for a day a week ago (a log import, a back-dated
    beacon) links that day's hits for 48 hours, then is destroyed."""
    old_day = "2026-11-15"
    made = await store.get_or_create_salt(old_day, b"1" * 32, NOW)
    assert await store.get_or_create_salt(DAY, b"2" * 32, NOW + 3600) == b"2" * 32
    assert await store.get_or_create_salt(old_day, b"3" * 32, NOW + 47 * 3600) == made  # the same one
    assert await store.delete_salts_created_before(NOW + 47 * 3600 - 48 * 3600) == 0
    assert await store.delete_salts_created_before(NOW) == 1  # made at NOW: 48 hours later
    assert await store.get_or_create_salt(old_day, b"4" * 32, NOW + 49 * 3600) == b"4" * 32  # a new one
    assert await store.get_or_create_salt(DAY, b"5" * 32, NOW + 49 * 3600) == b"2" * 32  # not yet 48 h old
