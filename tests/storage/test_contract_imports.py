"""The log import's ledger on every backend: a fingerprint is claimed once, whoever asks
(two stores on one database at once too), per site, and pruned by the day it was imported."""

from __future__ import annotations

import asyncio

from collector.storage.base import Store
from tests.storage.contract import NOW, StoreFactory


async def test_a_fingerprint_is_claimed_once_per_site(store: Store) -> None:
    site = await store.add_site("a", ["a.example"], "UTC", NOW)
    other = await store.add_site("b", ["b.example"], "UTC", NOW)
    ledger = store.imports()
    assert await ledger.claim(site.id, [], "2026-11-20") == set()
    assert await ledger.claim(site.id, ["aa", "bb"], "2026-11-20") == {"aa", "bb"}
    assert await ledger.claim(site.id, ["bb", "cc", "cc"], "2026-11-21") == {"cc"}
    assert await ledger.claim(other.id, ["aa"], "2026-11-21") == {"aa"}  # another site's own
    assert await ledger.prune(site.id, "2026-11-21") == 2  # aa, bb: imported before the 21st
    assert await ledger.prune(site.id, "2026-11-21") == 0
    assert await ledger.claim(site.id, ["aa", "cc"], "2026-11-22") == {"aa"}


async def test_concurrent_claims_split_the_lines(make_store: StoreFactory, store: Store) -> None:
    site = await store.add_site("a", ["a.example"], "UTC", NOW)
    second = make_store()
    await second.open()
    try:
        prints = [f"{i:032x}" for i in range(2000)]
        got = await asyncio.gather(
            store.imports().claim(site.id, prints, "2026-11-20"),
            second.imports().claim(site.id, list(reversed(prints)), "2026-11-20"),
        )
        assert got[0] | got[1] == set(prints) and not got[0] & got[1]
    finally:
        await second.close()
