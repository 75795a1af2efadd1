"""The password throttle: a namespace per throttle (a failed login never counts against a
shared link), per (name, masked address) and per address locks, and a per-name rule that
slows guessers spread over many networks without locking the owner out. The rules alone
(``wait_for``) over failure times; the throttle over a store in memory and over SQLite;
through the app on both backends, and shared by two nodes on one database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from collector.app import create_app
from collector.clock import FrozenClock
from collector.dashboard.throttle import LOGIN, SHARE, Failures, LoginThrottle, Rules, wait_for
from collector.model import Site
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from collector.storage.throttle_base import Key, ThrottleStore
from tests.dashboard.conftest import csrf_of, log_in, new_client
from tests.dashboard.test_share import create

SMALL = Rules(pair=2, address=4, name_free=3, name_max_delay_s=8, window_s=100, known_s=1000)


class MemoryThrottle:
    """A :class:`ThrottleStore` in a dict: the throttle's rules without a database."""

    def __init__(self) -> None:
        self.failures: list[tuple[str, Key, float]] = []
        self.known: dict[tuple[str, str, str], float] = {}

    async def record(self, scope: str, keys: Sequence[Key], at: float) -> None:
        self.failures += [(scope, key, at) for key in keys]

    async def recent(self, scope: str, keys: Sequence[Key], since: float) -> dict[Key, list[float]]:
        return {
            k: sorted(t for s, key, t in self.failures if (s, key) == (scope, k) and t > since) for k in keys
        }

    async def forget(self, scope: str, key: Key) -> None:
        self.failures = [f for f in self.failures if f[:2] != (scope, key)]

    async def mark_known(self, scope: str, name: str, ip: str, at: float) -> None:
        self.known[(scope, name, ip)] = at

    async def known_since(self, scope: str, name: str, ip: str) -> float | None:
        return self.known.get((scope, name, ip))

    async def prune(self, failed_before: float, known_before: float) -> int:
        before = len(self.failures) + len(self.known)
        self.failures = [f for f in self.failures if f[2] > failed_before]
        self.known = {k: at for k, at in self.known.items() if at > known_before}
        return before - len(self.failures) - len(self.known)


@pytest.fixture(params=["memory", "sqlite"])
async def throttle_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ThrottleStore]:
    if request.param == "memory":
        yield MemoryThrottle()
        return
    store = SqliteStore(tmp_path / "c.sqlite3")
    await store.open()
    await store.migrate()
    yield store.throttle()
    await store.close()


@pytest.fixture
def throttle(throttle_store: ThrottleStore) -> LoginThrottle:
    return LoginThrottle(throttle_store, SMALL)


# -- the rules alone ---------------------------------------------------------------------
def test_the_rules_count_only_failures_in_the_window() -> None:
    assert wait_for(Failures(), None, 50, SMALL) == 0
    assert wait_for(Failures(pair=[0]), None, 50, SMALL) == 0
    assert wait_for(Failures(pair=[10, 0]), None, 20, SMALL) == 80  # the oldest of the last 2 leaves
    assert wait_for(Failures(pair=[0, 10]), None, 100, SMALL) == 0  # 0 is out of the window
    assert wait_for(Failures(pair=[0, 10, 20]), None, 100, SMALL) == 10  # the second of the last 2
    assert wait_for(Failures(address=[0, 1, 2, 3]), None, 10, SMALL) == 90
    assert wait_for(Failures(address=[0, 1, 2]), None, 10, SMALL) == 0
    assert wait_for(Failures(pair=[0.5, 10.2]), None, 20, SMALL) == 81  # whole seconds, rounded up


def test_the_name_rule_spaces_attempts_unless_the_address_is_known() -> None:
    three, many = Failures(name=[10, 10, 10]), Failures(name=[20] * 20)
    assert wait_for(Failures(name=[10, 10]), None, 10, SMALL) == 0  # under name_free
    assert wait_for(three, None, 10, SMALL) == 1  # 2**0 after the latest
    assert wait_for(Failures(name=[10] * 5), None, 10, SMALL) == 4
    assert wait_for(many, None, 20, SMALL) == 8  # at most name_max_delay_s
    assert wait_for(many, 0, 20, SMALL) == 0  # the name's own address
    assert wait_for(many, 0, 1020, SMALL) == 0  # out of the window anyway
    assert wait_for(Failures(name=[1020] * 3), 0, 1020, SMALL) == 1  # known only for known_s
    assert wait_for(Failures(name=[1020] * 3), 21, 1020, SMALL) == 0


# -- the throttle over a store -------------------------------------------------------------
async def test_the_throttle_counts_failures_in_a_sliding_window(throttle: LoginThrottle) -> None:
    await throttle.failed("Alice", "10.0.0.0", 0)
    assert await throttle.retry_after("alice", "10.0.0.0", 1) == 0
    await throttle.failed("alice ", "10.0.0.0", 10)
    assert await throttle.retry_after("alice", "10.0.0.0", 20) == 80  # the pair waits for the window
    assert await throttle.retry_after("alice", "10.9.0.0", 20) == 0  # another network
    assert await throttle.retry_after("bob", "10.0.0.0", 20) == 0  # another name
    assert await throttle.retry_after("alice", "10.0.0.0", 111) == 0  # the window passed
    await throttle.failed("bob", "10.1.0.0", 40)
    await throttle.succeeded("bob", "10.1.0.0", 41)
    await throttle.failed("bob", "10.1.0.0", 42)
    assert await throttle.retry_after("bob", "10.1.0.0", 43) == 0  # the success forgot the first


async def test_an_address_trying_many_names_waits(throttle: LoginThrottle) -> None:
    for n, name in enumerate(("a", "b", "c", "d")):
        await throttle.failed(name, "10.0.0.0", n)
    assert await throttle.retry_after("e", "10.0.0.0", 10) == 90
    assert await throttle.retry_after("e", "10.1.0.0", 10) == 0


async def test_failures_of_a_name_from_everywhere_space_attempts_but_never_lock(
    throttle: LoginThrottle,
) -> None:
    await throttle.succeeded("alice", "192.0.2.0", 0)  # the owner's own address
    for n in range(3):  # name_free failures, each from another network
        await throttle.failed("alice", f"10.{n}.0.0", 10)
    assert await throttle.retry_after("alice", "10.99.0.0", 10) == 1  # 2**0 after the latest
    assert await throttle.retry_after("alice", "10.99.0.0", 11) == 0
    for n in range(3, 20):
        await throttle.failed("alice", f"10.{n}.0.0", 20)
    assert await throttle.retry_after("alice", "10.99.0.0", 20) == 8  # capped at name_max_delay_s
    assert await throttle.retry_after("alice", "10.99.0.0", 28) == 0
    assert await throttle.retry_after("alice", "192.0.2.0", 20) == 0  # the owner is not refused
    assert await throttle.retry_after("bob", "10.99.0.0", 20) == 0
    assert await throttle.retry_after("alice", "10.99.0.0", 1011) == 0  # the window passed
    await throttle.failed("alice", "10.0.0.0", 1011)
    for n in range(3):
        await throttle.failed("alice", f"10.{n}.0.0", 1020)
    assert await throttle.retry_after("alice", "192.0.2.0", 1020) > 0  # known only for known_s


async def test_each_throttle_counts_in_its_own_namespace(throttle: LoginThrottle) -> None:
    for _ in range(5):
        await throttle.failed("share link 1", "10.0.0.0", 0, scope=LOGIN)
    assert await throttle.retry_after("share link 1", "10.0.0.0", 1, scope=LOGIN) > 0
    assert await throttle.retry_after("share link 1", "10.0.0.0", 1, scope=SHARE) == 0
    assert await throttle.retry_after("other", "10.0.0.0", 1, scope=SHARE) == 0  # nor the address


async def test_the_store_keeps_masked_networks_and_digests_of_names_only(
    throttle_store: ThrottleStore,
) -> None:
    throttle = LoginThrottle(throttle_store, SMALL)
    await throttle.failed("My Secret\0Password", "10.0.0.0", 0)
    await throttle.succeeded("alice", "192.0.2.0", 0)
    found = await throttle_store.recent(LOGIN, [("address", "10.0.0.0")], -1)
    assert found == {("address", "10.0.0.0"): [0.0]}
    if isinstance(throttle_store, MemoryThrottle):
        stored = repr((throttle_store.failures, throttle_store.known))
        assert "Secret" not in stored and "secret" not in stored and "alice" not in stored


async def test_old_failures_and_known_addresses_are_pruned(throttle_store: ThrottleStore) -> None:
    throttle = LoginThrottle(throttle_store, SMALL)
    await throttle.succeeded("alice", "192.0.2.0", 0)
    await throttle.failed("bob", "10.0.0.0", 0)
    await throttle.failed("bob", "10.0.0.0", 2000)  # prunes: the first failure, the old success
    found = await throttle_store.recent(LOGIN, [("address", "10.0.0.0")], -1)
    assert found == {("address", "10.0.0.0"): [2000.0]}
    assert await throttle.retry_after("alice", "10.5.0.0", 2000) == 0


@pytest.mark.both_backends
async def test_failures_elsewhere_do_not_lock_the_owner_out(
    app: Starlette, client: httpx.AsyncClient, admin: str, clock: FrozenClock
) -> None:
    assert (await log_in(client, admin)).status_code == 303  # the owner's usual address
    for network in range(1, 5):  # 20 failures at once: 5 from each of 4 networks
        async with new_client(app, ip=f"198.{network}.0.1") as guesser:
            for _ in range(5):
                assert (await log_in(guesser, admin, "guess")).status_code == 401
            assert (await log_in(guesser, admin)).status_code == 429  # that network waits
    async with new_client(app) as owner:  # the owner's address, a new browser: not refused
        assert (await log_in(owner, admin)).status_code == 303
    for network, delay in zip(range(5, 13), (1, 2, 4, 8, 16, 32, 60, 60), strict=True):
        async with new_client(app, ip=f"198.{network}.0.1") as guesser:  # each waits as told
            slowed = await log_in(guesser, admin, "guess")
            assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) == delay
            if delay == 2:
                assert "Please wait 2 seconds and try again" in slowed.text
            clock.advance(int(slowed.headers["retry-after"]))
            assert (await log_in(guesser, admin, "guess")).status_code == 401
    async with new_client(app, ip="192.0.2.1") as travelling:  # the owner somewhere new
        slowed = await log_in(travelling, admin)
        assert slowed.status_code == 429 and slowed.headers["retry-after"] == "60"
        assert "Please wait 1 minute and try again" in slowed.text
        clock.advance(60)
        assert (await log_in(travelling, admin)).status_code == 303
    async with new_client(app) as owner:
        assert (await log_in(owner, admin)).status_code == 303


async def test_failed_logins_named_after_a_link_do_not_lock_it(
    app: Starlette, browser: httpx.AsyncClient, site: Site
) -> None:
    url = await create(browser, site, password="board password")
    async with new_client(app, ip="198.51.100.9") as visitor:
        for name in ("share link 1", "share link 2", "share link 3"):
            for _ in range(5):
                assert (await log_in(visitor, name, "guess")).status_code == 401
            assert (await log_in(visitor, name, "guess")).status_code == 429
        ask = await visitor.get(url)
        right = await visitor.post(url, data={"csrf": csrf_of(ask.text), "password": "board password"})
        assert right.status_code == 303


@pytest.mark.both_backends
async def test_two_nodes_on_one_database_count_the_same_failures(
    app: Starlette, settings: Settings, clock: FrozenClock, admin: str
) -> None:
    other = create_app(settings, clock=clock, run_maintenance=False)
    async with (
        other.router.lifespan_context(other),
        new_client(app, ip="198.51.100.7") as first,
        new_client(other, ip="198.51.100.8") as second,  # the same masked network
    ):
        for node in (first, second, first, second, first):  # 5 failures over two nodes
            assert (await log_in(node, admin, "guess")).status_code == 401
        assert (await log_in(second, admin)).status_code == 429  # the pair waits on both
        assert (await log_in(first, admin)).status_code == 429
