"""What the nodes of one installation share through the store: the instance secret, the
day's salt, and the change notices (every backend; on SQLite "every node" is the one
process)."""

from __future__ import annotations

import asyncio

from collector.storage.base import Store
from tests.storage.contract import NOW, StoreFactory, add_site


async def _opened(make_store: StoreFactory) -> Store:
    store = make_store()
    await store.open()
    await store.migrate()
    return store


async def test_the_instance_secret_is_one_for_every_store_on_the_database(make_store: StoreFactory) -> None:
    first, second = await _opened(make_store), await _opened(make_store)
    try:
        a = await first.instance_secret("secret_key", NOW)
        b = await second.instance_secret("secret_key", NOW + 1)
        assert a == b
        assert a is None or len(a) >= 32
        assert await first.instance_secret("other", NOW) != a or a is None
    finally:
        await first.close()
        await second.close()


async def test_salts_are_insert_or_get_across_stores(make_store: StoreFactory) -> None:
    first, second = await _opened(make_store), await _opened(make_store)
    try:
        made = await first.get_or_create_salt("2026-11-22", b"a" * 32, NOW)
        again = await second.get_or_create_salt("2026-11-22", b"b" * 32, NOW)
        assert made == again == b"a" * 32
    finally:
        await first.close()
        await second.close()


async def _heard(store: Store, changes: list[tuple[str, int]], wanted: tuple[str, int]) -> bool:
    for _ in range(100):  # 1 s at most
        if wanted in changes:
            return True
        await asyncio.sleep(0.01)
    return False


async def test_a_site_change_is_announced_to_listeners(make_store: StoreFactory) -> None:
    store = await _opened(make_store)
    try:
        site = await add_site(store)
        changes: list[tuple[str, int]] = []
        store.subscribe(lambda kind, ident: changes.append((kind, ident)))
        await asyncio.sleep(0.2)  # the listening connection is up (PostgreSQL)
        await store.update_site(site.id, "Renamed", site.domains, site.timezone, site.settings)
        assert await _heard(store, changes, ("site", site.id))
        await store.announce("token", 5)
        assert await _heard(store, changes, ("token", 5))
    finally:
        await store.close()


async def test_another_store_on_the_database_hears_the_change_within_a_second(
    make_store: StoreFactory,
) -> None:
    writer, listener = await _opened(make_store), await _opened(make_store)
    try:
        site = await add_site(writer)
        changes: list[tuple[str, int]] = []
        listener.subscribe(lambda kind, ident: changes.append((kind, ident)))
        await asyncio.sleep(0.3)
        await writer.update_site(site.id, "Renamed", site.domains, site.timezone, site.settings)
        heard = await _heard(listener, changes, ("site", site.id))
        shared = type(writer).__name__ != "SqliteStore"  # one process per SQLite file's caches
        assert heard == shared
    finally:
        await writer.close()
        await listener.close()
