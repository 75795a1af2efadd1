"""The storage contract, the account store (``Store.accounts()``): users, grants, token
listings and revocation, shared links and login sessions (public interfaces only)."""

from __future__ import annotations

from collector.storage.accounts_base import StoredSession
from collector.storage.base import Store
from tests.storage.contract import NOW, add_site


async def test_users_are_listed_by_name_and_found_by_id(store: Store) -> None:
    accounts = store.accounts()
    assert await accounts.list_users() == []
    bob = await store.add_user("bob", "scrypt$bob", False, NOW)
    ann = await store.add_user("Ann", "scrypt$ann", True, NOW + 1)
    users = await accounts.list_users()
    assert [(u.id, u.name, u.is_admin, u.created_at) for u in users] == [
        (ann, "Ann", True, int(NOW) + 1),  # by name, whatever the case
        (bob, "bob", False, int(NOW)),
    ]
    found = await accounts.user_by_id(bob)
    assert found is not None and (found.id, found.name, found.is_admin) == (bob, "bob", False)
    assert await accounts.user_by_id(ann + bob + 1) is None


async def test_set_password_changes_one_users_hash(store: Store) -> None:
    accounts = store.accounts()
    ann = await store.add_user("ann", "scrypt$old", True, NOW)
    await store.add_user("bob", "scrypt$bob", False, NOW)
    await accounts.set_password(ann, "scrypt$new")
    found = await store.get_user("ann")
    assert found is not None and found.password_hash == "scrypt$new"
    other = await store.get_user("bob")
    assert other is not None and other.password_hash == "scrypt$bob"


async def test_a_grant_is_one_role_per_user_and_site(store: Store) -> None:
    accounts = store.accounts()
    shop, blog = await add_site(store, "Shop"), await add_site(store, "Blog")
    ann = await store.add_user("ann", "h", False, NOW)
    bob = await store.add_user("bob", "h", False, NOW)
    assert await accounts.grants_of(ann) == {}
    await accounts.set_grant(ann, shop.id, "viewer", NOW)
    await accounts.set_grant(ann, shop.id, "admin", NOW)  # the same grant, a new role
    await accounts.set_grant(ann, blog.id, "viewer", NOW)
    await accounts.set_grant(bob, shop.id, "viewer", NOW)
    assert dict(await accounts.grants_of(ann)) == {shop.id: "admin", blog.id: "viewer"}
    grants = await accounts.list_grants()
    assert [(g.user_id, g.user_name, g.site_id, g.site_name, g.role) for g in grants] == [
        (ann, "ann", blog.id, "Blog", "viewer"),  # by user, then site name
        (ann, "ann", shop.id, "Shop", "admin"),
        (bob, "bob", shop.id, "Shop", "viewer"),
    ]
    assert await accounts.revoke_grant(ann, shop.id)
    assert not await accounts.revoke_grant(ann, shop.id)
    assert dict(await accounts.grants_of(ann)) == {blog.id: "viewer"}
    assert dict(await accounts.grants_of(bob)) == {shop.id: "viewer"}


async def test_tokens_are_listed_per_site_and_revoked_once(store: Store) -> None:
    accounts = store.accounts()
    shop, blog = await add_site(store, "Shop"), await add_site(store, "Blog")
    first = await store.add_token(b"1" * 32, shop.id, "stats", "wall", NOW)
    second = await store.add_token(b"2" * 32, shop.id, "admin", "deploy", NOW + 1)
    await store.add_token(b"3" * 32, blog.id, "stats", "", NOW)
    listed = await accounts.list_tokens(shop.id)
    assert [(t.id, t.site_id, t.scope, t.label, t.created_at, t.revoked_at) for t in listed] == [
        (second, shop.id, "admin", "deploy", int(NOW) + 1, None),  # the newest first
        (first, shop.id, "stats", "wall", int(NOW), None),
    ]
    assert not await accounts.revoke_token(blog.id, second, NOW)  # not that site's token
    assert await accounts.revoke_token(shop.id, second, NOW + 5)
    assert not await accounts.revoke_token(shop.id, second, NOW + 6)  # once
    assert await store.find_token(b"2" * 32) is None
    assert await store.find_token(b"1" * 32) is not None
    listed = await accounts.list_tokens(shop.id)
    assert [(t.id, t.revoked_at) for t in listed] == [(first, None), (second, int(NOW) + 5)]  # revoked last
    assert [t.label for t in await accounts.list_tokens(blog.id)] == [""]


async def test_shared_links_are_found_by_secret_until_revoked(store: Store) -> None:
    accounts = store.accounts()
    shop, blog = await add_site(store, "Shop"), await add_site(store, "Blog")
    open_link = await accounts.add_share(shop.id, b"o" * 32, "press", None, "ann", NOW)
    locked = await accounts.add_share(shop.id, b"l" * 32, "board", "scrypt$pw", "ann", NOW + 1)
    await accounts.add_share(blog.id, b"b" * 32, "", None, "bob", NOW)
    found = await accounts.find_share(b"l" * 32)
    assert found is not None
    assert (found.id, found.site_id, found.label, found.password_hash, found.created_by) == (
        locked,
        shop.id,
        "board",
        "scrypt$pw",
        "ann",
    )
    assert (found.created_at, found.revoked_at) == (int(NOW) + 1, None)
    assert await accounts.find_share(b"x" * 32) is None
    assert [s.id for s in await accounts.list_shares(shop.id)] == [locked, open_link]
    assert not await accounts.revoke_share(blog.id, open_link, NOW)  # not that site's link
    assert await accounts.revoke_share(shop.id, open_link, NOW + 9)
    assert not await accounts.revoke_share(shop.id, open_link, NOW + 10)
    assert await accounts.find_share(b"o" * 32) is None
    listed = await accounts.list_shares(shop.id)
    assert [(s.id, s.revoked_at) for s in listed] == [(locked, None), (open_link, int(NOW) + 9)]
    assert [s.label for s in await accounts.list_shares(blog.id)] == [""]


async def test_sessions_are_kept_until_they_expire_or_are_deleted(store: Store) -> None:
    accounts = store.accounts()
    now = int(NOW)
    ann = StoredSession("ann", "fp-1", issued=now, expires=now + 100)
    await accounts.save_session(b"a" * 32, ann)
    await accounts.save_session(b"b" * 32, StoredSession("ann", "fp-2", issued=now, expires=now + 50))
    await accounts.save_session(b"c" * 32, StoredSession("bob", "fp-3", issued=now, expires=now + 10))
    await accounts.save_session(b"s" * 32, StoredSession(None, "share", issued=now, expires=now + 100))
    assert await accounts.get_session(b"a" * 32, NOW) == ann
    assert await accounts.get_session(b"s" * 32, NOW) == StoredSession(None, "share", now, now + 100)
    assert await accounts.get_session(b"x" * 32, NOW) is None
    assert await accounts.get_session(b"a" * 32, NOW + 100) is None  # expired
    longer = StoredSession("ann", "fp-1", issued=now, expires=now + 500)
    await accounts.save_session(b"a" * 32, longer)  # saved again: extended
    assert await accounts.get_session(b"a" * 32, NOW + 100) == longer
    await accounts.delete_session(b"a" * 32)
    await accounts.delete_session(b"a" * 32)  # idempotent
    assert await accounts.get_session(b"a" * 32, NOW) is None
    assert await accounts.delete_expired_sessions(NOW + 10) == 1  # bob's
    assert await accounts.get_session(b"c" * 32, NOW) is None
    assert await accounts.delete_user_sessions("ann") == 1
    assert await accounts.get_session(b"b" * 32, NOW) is None
    assert await accounts.get_session(b"s" * 32, NOW) is not None
    assert await accounts.delete_user_sessions("ann") == 0
