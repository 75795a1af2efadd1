"""The password throttle: a namespace per throttle (a failed login never counts against a
shared link), per (name, masked address) and per address locks, and a per-name rule that
slows guessers spread over many networks without locking the owner out."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from collector.clock import FrozenClock
from collector.dashboard.throttle import LOGIN, SHARE, LoginThrottle, Rules
from collector.model import Site
from tests.dashboard.conftest import csrf_of, log_in, new_client
from tests.dashboard.test_share import create

SMALL = Rules(pair=2, address=4, name_free=3, name_max_delay_s=8, window_s=100, known_s=1000)


def test_the_throttle_counts_failures_in_a_sliding_window() -> None:
    throttle = LoginThrottle(SMALL)
    throttle.failed("Alice", "10.0.0.0", 0)
    assert throttle.retry_after("alice", "10.0.0.0", 1) == 0
    throttle.failed("alice ", "10.0.0.0", 10)
    assert throttle.retry_after("alice", "10.0.0.0", 20) == 80  # the pair waits for the window
    assert throttle.retry_after("alice", "10.9.0.0", 20) == 0  # another network
    assert throttle.retry_after("bob", "10.0.0.0", 20) == 0  # another name
    assert throttle.retry_after("alice", "10.0.0.0", 111) == 0  # the window passed
    throttle.failed("bob", "10.1.0.0", 40)
    throttle.succeeded("bob", "10.1.0.0", 41)
    throttle.failed("bob", "10.1.0.0", 42)
    assert throttle.retry_after("bob", "10.1.0.0", 43) == 0  # the success forgot the first


def test_an_address_trying_many_names_waits() -> None:
    throttle = LoginThrottle(SMALL)
    for n, name in enumerate(("a", "b", "c", "d")):
        throttle.failed(name, "10.0.0.0", n)
    assert throttle.retry_after("e", "10.0.0.0", 10) == 90
    assert throttle.retry_after("e", "10.1.0.0", 10) == 0


def test_failures_of_a_name_from_everywhere_space_attempts_but_never_lock() -> None:
    throttle = LoginThrottle(SMALL)
    throttle.succeeded("alice", "192.0.2.0", 0)  # the owner's own address
    for n in range(3):  # name_free failures, each from another network
        throttle.failed("alice", f"10.{n}.0.0", 10)
    assert throttle.retry_after("alice", "10.99.0.0", 10) == 1  # 2**0 after the latest
    assert throttle.retry_after("alice", "10.99.0.0", 11) == 0
    for n in range(3, 20):
        throttle.failed("alice", f"10.{n}.0.0", 20)
    assert throttle.retry_after("alice", "10.99.0.0", 20) == 8  # capped at name_max_delay_s
    assert throttle.retry_after("alice", "10.99.0.0", 28) == 0
    assert throttle.retry_after("alice", "192.0.2.0", 20) == 0  # the owner is not refused
    assert throttle.retry_after("bob", "10.99.0.0", 20) == 0
    assert throttle.retry_after("alice", "10.99.0.0", 1011) == 0  # the window passed
    throttle.failed("alice", "10.0.0.0", 1011)
    for n in range(3):
        throttle.failed("alice", f"10.{n}.0.0", 1020)
    assert throttle.retry_after("alice", "192.0.2.0", 1020) > 0  # known only for known_s


def test_each_throttle_counts_in_its_own_namespace() -> None:
    throttle = LoginThrottle(SMALL)
    for _ in range(5):
        throttle.failed("share link 1", "10.0.0.0", 0, scope=LOGIN)
    assert throttle.retry_after("share link 1", "10.0.0.0", 1, scope=LOGIN) > 0
    assert throttle.retry_after("share link 1", "10.0.0.0", 1, scope=SHARE) == 0
    assert throttle.retry_after("other", "10.0.0.0", 1, scope=SHARE) == 0  # nor the address


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
