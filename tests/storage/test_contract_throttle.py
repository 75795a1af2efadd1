"""The storage contract, the login throttle's store (``Store.throttle()``): failures
under (kind, value) keys per namespace, seen after a given time, forgotten per key; the
last success per (name, address); pruning; and one database shared by two stores (two
nodes, or two workers on one file) counting the same failures."""

from __future__ import annotations

from collector.storage.base import Store
from tests.storage.contract import NOW, StoreFactory

PAIR = ("pair", "10.0.0.0 d1gest")
ADDRESS = ("address", "10.0.0.0")
NAME = ("name", "d1gest")
KEYS = (PAIR, ADDRESS, NAME)


async def test_failures_are_recorded_under_each_key_and_seen_after_since(store: Store) -> None:
    throttle = store.throttle()
    assert await throttle.recent("login", KEYS, NOW - 900) == {PAIR: [], ADDRESS: [], NAME: []}
    await throttle.record("login", KEYS, NOW + 10.25)
    await throttle.record("login", KEYS, NOW)
    await throttle.record("login", [ADDRESS], NOW + 5)
    assert await throttle.recent("login", KEYS, NOW - 900) == {
        PAIR: [NOW, NOW + 10.25],  # oldest first, times as given (fractions kept)
        ADDRESS: [NOW, NOW + 5, NOW + 10.25],
        NAME: [NOW, NOW + 10.25],
    }
    after = {ADDRESS: [NOW + 5, NOW + 10.25]}  # after ``since``, strictly
    assert await throttle.recent("login", [ADDRESS], NOW) == after
    assert await throttle.recent("login", [("address", "10.1.0.0")], 0) == {("address", "10.1.0.0"): []}
    assert await throttle.recent("share", KEYS, 0) == {PAIR: [], ADDRESS: [], NAME: []}  # another namespace
    await throttle.record("login", [], NOW)  # nothing to record


async def test_forget_drops_one_keys_failures_in_one_namespace(store: Store) -> None:
    throttle = store.throttle()
    await throttle.record("login", KEYS, NOW)
    await throttle.record("share", KEYS, NOW)
    await throttle.forget("login", PAIR)
    assert await throttle.recent("login", KEYS, 0) == {PAIR: [], ADDRESS: [NOW], NAME: [NOW]}
    assert await throttle.recent("share", [PAIR], 0) == {PAIR: [NOW]}
    await throttle.forget("login", ("pair", "nothing here"))


async def test_the_last_success_per_name_and_address_is_kept(store: Store) -> None:
    throttle = store.throttle()
    assert await throttle.known_since("login", "d1gest", "10.0.0.0") is None
    await throttle.mark_known("login", "d1gest", "10.0.0.0", NOW)
    await throttle.mark_known("login", "d1gest", "10.0.0.0", NOW + 60.5)  # the same pair again
    await throttle.mark_known("login", "other", "10.0.0.0", NOW)
    assert await throttle.known_since("login", "d1gest", "10.0.0.0") == NOW + 60.5
    assert await throttle.known_since("login", "d1gest", "10.1.0.0") is None
    assert await throttle.known_since("share", "d1gest", "10.0.0.0") is None
    assert await throttle.known_since("login", "other", "10.0.0.0") == NOW


async def test_prune_deletes_failures_and_successes_at_or_before_their_times(store: Store) -> None:
    throttle = store.throttle()
    for at in (NOW - 1000, NOW - 900, NOW - 1):
        await throttle.record("login", [ADDRESS], at)
    await throttle.mark_known("login", "old", "10.0.0.0", NOW - 40 * 86400)
    await throttle.mark_known("login", "new", "10.0.0.0", NOW - 86400)
    assert await throttle.prune(NOW - 900, NOW - 30 * 86400) == 3
    assert await throttle.recent("login", [ADDRESS], 0) == {ADDRESS: [NOW - 1]}
    assert await throttle.known_since("login", "old", "10.0.0.0") is None
    assert await throttle.known_since("login", "new", "10.0.0.0") == NOW - 86400
    assert await throttle.prune(NOW - 900, NOW - 30 * 86400) == 0


async def test_two_stores_on_one_database_count_the_same_failures(make_store: StoreFactory) -> None:
    first, second = make_store(), make_store()
    await first.open()
    await first.migrate()
    await second.open()
    await second.migrate()
    try:
        one, two = first.throttle(), second.throttle()
        await one.record("login", KEYS, NOW)
        await two.record("login", KEYS, NOW + 1)
        both = {PAIR: [NOW, NOW + 1], ADDRESS: [NOW, NOW + 1], NAME: [NOW, NOW + 1]}
        assert await one.recent("login", KEYS, 0) == both
        assert await two.recent("login", KEYS, 0) == both
        await two.mark_known("login", "d1gest", "10.0.0.0", NOW)
        assert await one.known_since("login", "d1gest", "10.0.0.0") == NOW
        await one.forget("login", PAIR)
        assert (await two.recent("login", [PAIR], 0)) == {PAIR: []}
        assert await two.prune(NOW + 0.5, NOW + 1) == 3  # the older failure of two keys, the success
        assert await one.recent("login", KEYS, 0) == {PAIR: [], ADDRESS: [NOW + 1], NAME: [NOW + 1]}
    finally:
        await second.close()
        await first.close()
