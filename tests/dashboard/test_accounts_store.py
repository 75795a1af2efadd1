"""``Store.accounts()`` on both backends: grants, tokens as listed, shared links and the stored
sessions table (used by collector.dashboard.sessions)."""

from __future__ import annotations

import pytest

from collector.clock import FrozenClock
from collector.model import Site
from collector.storage.accounts_base import StoredSession
from collector.storage.sqlite import SqliteStore

pytestmark = pytest.mark.both_backends  # the same behaviour on SQLite and PostgreSQL


async def test_grants_round_trip(store: SqliteStore, site: Site, clock: FrozenClock) -> None:
    accounts = store.accounts()
    uid = await store.add_user("vera", "hash", False, clock())
    assert await accounts.grants_of(uid) == {}
    await accounts.set_grant(uid, site.id, "viewer", clock())
    await accounts.set_grant(uid, site.id, "admin", clock())
    assert await accounts.grants_of(uid) == {site.id: "admin"}
    [g] = await accounts.list_grants()
    assert (g.user_name, g.site_name, g.role) == ("vera", "Example", "admin")
    assert await accounts.revoke_grant(uid, site.id) and not await accounts.revoke_grant(uid, site.id)
    info = await accounts.user_by_id(uid)
    assert info is not None and info.name == "vera" and await accounts.user_by_id(999) is None


async def test_shares_and_sessions(store: SqliteStore, site: Site, clock: FrozenClock) -> None:
    accounts = store.accounts()
    link = await accounts.add_share(site.id, b"h" * 32, "x", None, "alice", clock())
    found = await accounts.find_share(b"h" * 32)
    assert found is not None and found.id == link and found.password_hash is None
    assert not await accounts.revoke_share(site.id + 1, link, clock())  # another site's link
    assert await accounts.revoke_share(site.id, link, clock())
    assert await accounts.find_share(b"h" * 32) is None
    assert [s.revoked_at for s in await accounts.list_shares(site.id)] == [int(clock())]
    now = clock()
    await accounts.save_session(b"s" * 32, StoredSession("alice", "fp", int(now), int(now) + 60))
    assert await accounts.get_session(b"s" * 32, now) == StoredSession("alice", "fp", int(now), int(now) + 60)
    assert await accounts.get_session(b"s" * 32, now + 61) is None
    assert await accounts.delete_expired_sessions(now + 61) == 1
    await accounts.save_session(b"t" * 32, StoredSession("alice", "fp", int(now), int(now) + 60))
    assert await accounts.delete_user_sessions("alice") == 1
