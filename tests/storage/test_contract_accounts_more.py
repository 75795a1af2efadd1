"""More of the storage contract's account store: the order names are listed in (case
folded as SQLite's NOCASE folds it: ASCII letters to lower case, then character order),
and a stored session saved again keeps its owner."""

from __future__ import annotations

from collector.storage.accounts_base import StoredSession
from collector.storage.base import Store
from tests.storage.contract import NOW, add_site


async def test_names_are_ordered_with_ascii_letters_folded_to_lower_case(store: Store) -> None:
    accounts = store.accounts()
    for name in ("bob", "Zed", "_ops", "Ann", "2nd", "carl"):
        await store.add_user(name, "h", False, NOW)
    assert [u.name for u in await accounts.list_users()] == ["2nd", "_ops", "Ann", "bob", "carl", "Zed"]
    sites = [await add_site(store, name) for name in ("shop", "_Lab", "Blog")]
    ann = next(u.id for u in await accounts.list_users() if u.name == "Ann")
    zed = next(u.id for u in await accounts.list_users() if u.name == "Zed")
    for site in sites:
        await accounts.set_grant(zed, site.id, "viewer", NOW)
        await accounts.set_grant(ann, site.id, "admin", NOW)
    assert [(g.user_name, g.site_name) for g in await accounts.list_grants()] == [
        ("Ann", "_Lab"),
        ("Ann", "Blog"),
        ("Ann", "shop"),
        ("Zed", "_Lab"),
        ("Zed", "Blog"),
        ("Zed", "shop"),
    ]


async def test_a_session_saved_again_only_moves_its_expiry(store: Store) -> None:
    accounts = store.accounts()
    now = int(NOW)
    await accounts.save_session(b"a" * 32, StoredSession("ann", "fp-1", issued=now, expires=now + 10))
    await accounts.save_session(b"a" * 32, StoredSession("bob", "fp-2", issued=now + 5, expires=now + 20))
    assert await accounts.get_session(b"a" * 32, NOW + 15) == StoredSession("ann", "fp-1", now, now + 20)
    assert await accounts.get_session(b"a" * 32, NOW + 20) is None  # expired at its expiry
    assert await accounts.delete_expired_sessions(NOW + 19) == 0
    assert await accounts.delete_expired_sessions(NOW + 20) == 1
