"""The group-commit writer against a store whose commits the test finishes by hand: what
goes into a batch, how many batches are out at once, what a failed commit does, and that
stopping answers everything that was waiting."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from collector.ingest.buffer import LOG_EVERY_S, RETRY_AFTER_S, Done, GroupCommitWriter, Outcome
from collector.metrics import Metrics
from collector.model import DropReason
from collector.storage.base import MAX_BATCH_ITEMS, StoreUnavailable, WriteItem, WriterClosed


def _items(n: int, site_id: int = 1) -> list[WriteItem]:
    return [WriteItem(site_id, "2026-11-22", None, DropReason.DNT) for _ in range(n)]


@dataclass
class HandStore:
    """Takes batches and answers only when told to (``finish``)."""

    in_flight: int = 1
    items: int = MAX_BATCH_ITEMS
    sent: list[tuple[list[WriteItem], Done]] = field(default_factory=list)
    answered: int = 0

    @property
    def batches_in_flight(self) -> int:
        return self.in_flight

    @property
    def batch_items(self) -> int:
        return self.items

    def send_batch(self, items: Sequence[WriteItem], done: Done) -> None:
        self.sent.append((list(items), done))

    @property
    def open_batches(self) -> int:
        return len(self.sent) - self.answered

    def finish(self, outcome: Exception | None = None) -> None:
        items, done = self.sent[self.answered]
        self.answered += 1
        done(outcome if outcome is not None else [item.drop for item in items])


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_requests_of_one_loop_turn_share_a_batch_and_wait_for_its_commit() -> None:
    store = HandStore()
    writer = GroupCommitWriter(store, Metrics())
    writer.start()
    waiters = [asyncio.create_task(writer.submit(_items(n))) for n in (1, 2, 3)]
    await _settle()
    assert [len(items) for items, _ in store.sent] == [6]
    assert not any(w.done() for w in waiters)  # nobody is answered before the commit
    store.finish()
    results = await asyncio.gather(*waiters)
    assert [len(r) for r in results] == [1, 2, 3]
    assert all(r == [DropReason.DNT] * len(r) for r in results)


async def test_what_arrives_during_a_commit_forms_the_next_batch_at_its_answer() -> None:
    store = HandStore()
    writer = GroupCommitWriter(store, Metrics())
    writer.start()
    first = asyncio.create_task(writer.submit(_items(1)))
    await _settle()
    later = [asyncio.create_task(writer.submit(_items(1))) for _ in range(4)]
    await _settle()
    assert len(store.sent) == 1  # one batch out at a time with this store
    store.finish()  # the answer sends the waiting four at once, from the same callback
    assert [len(items) for items, _ in store.sent] == [1, 4]
    await first
    store.finish()
    await asyncio.gather(*later)


async def test_a_store_that_takes_two_batches_gets_the_second_before_the_first_ends() -> None:
    store = HandStore(in_flight=2)
    writer = GroupCommitWriter(store, Metrics())
    writer.start()
    tasks = [asyncio.create_task(writer.submit(_items(1)))]
    await _settle()
    tasks.append(asyncio.create_task(writer.submit(_items(1))))
    await _settle()
    tasks.append(asyncio.create_task(writer.submit(_items(1))))
    await _settle()
    assert store.open_batches == 2  # never more than the store takes
    store.finish()
    assert store.open_batches == 2
    store.finish()
    store.finish()
    await asyncio.gather(*tasks)


async def test_batches_stay_under_the_size_limit() -> None:
    store = HandStore()
    writer = GroupCommitWriter(store, Metrics())
    writer.start()
    tasks = [asyncio.create_task(writer.submit(_items(MAX_BATCH_ITEMS // 2 + 1))) for _ in range(3)]
    await _settle()
    while store.open_batches:
        store.finish()
        await _settle()
    await asyncio.gather(*tasks)
    assert [len(items) for items, _ in store.sent] == [MAX_BATCH_ITEMS // 2 + 1] * 3


async def test_a_failed_batch_is_retried_one_request_at_a_time() -> None:
    store = HandStore()
    metrics = Metrics()
    writer = GroupCommitWriter(store, metrics)
    writer.start()
    tasks = [asyncio.create_task(writer.submit(_items(n))) for n in (1, 2)]
    await _settle()
    store.finish(RuntimeError("disk full"))
    assert [len(items) for items, _ in store.sent] == [3, 1]  # the first request, alone
    store.finish()
    await _settle()
    store.finish(RuntimeError("still full"))  # the second request fails alone: it is refused
    assert await tasks[0] == [DropReason.DNT]
    with pytest.raises(RuntimeError, match="still full"):
        await tasks[1]
    assert metrics.write_errors == 2


async def test_stop_answers_everything_waiting_then_refuses_new_requests() -> None:
    store = HandStore()
    writer = GroupCommitWriter(store, Metrics())
    writer.start()
    tasks = [asyncio.create_task(writer.submit(_items(1))) for _ in range(3)]
    await _settle()
    stopping = asyncio.create_task(writer.stop())
    await _settle()
    assert not stopping.done()
    store.finish()
    await _settle()
    assert stopping.done()
    outcomes: list[Outcome] = await asyncio.gather(*tasks)
    assert outcomes == [[DropReason.DNT]] * 3
    with pytest.raises(WriterClosed):
        await writer.submit(_items(1))


async def test_small_batches_when_few_wait_shared_batches_when_many_do() -> None:
    store = HandStore(in_flight=3, items=4)
    writer = GroupCommitWriter(store, Metrics())
    writer.start()
    few = [asyncio.create_task(writer.submit(_items(1))) for _ in range(10)]
    await _settle()
    assert [len(items) for items, _ in store.sent] == [4, 4, 2]  # three small batches out
    while store.open_batches:
        store.finish()
    await asyncio.gather(*few)
    store.sent.clear()
    store.answered = 0
    first = asyncio.create_task(writer.submit(_items(1)))
    await _settle()  # one batch out; 60 more arrive while it commits
    many = [asyncio.create_task(writer.submit(_items(1))) for _ in range(60)]
    await _settle()
    assert [len(items) for items, _ in store.sent] == [1, 30, 30]  # shared among the slots
    while store.open_batches:
        store.finish()
        await _settle()
    await asyncio.gather(first, *many)
    bulk = asyncio.create_task(writer.submit(_items(9)))  # bigger than the limit: alone
    await _settle()
    assert len(store.sent[-1][0]) == 9
    store.finish()
    await bulk


async def test_a_store_that_raises_while_taking_a_batch_fails_only_that_batch() -> None:
    class Refusing(HandStore):
        def send_batch(self, items: Sequence[WriteItem], done: Done) -> None:
            if any(item.site_id == 666 for item in items):
                raise OverflowError("cannot carry this")
            super().send_batch(items, done)

    store = Refusing()
    writer = GroupCommitWriter(store, Metrics())
    writer.start()
    bad = asyncio.create_task(writer.submit(_items(1, site_id=666)))
    with pytest.raises(OverflowError):
        await bad
    good = asyncio.create_task(writer.submit(_items(1)))  # the writer goes on
    await _settle()
    store.finish()
    assert await good == [DropReason.DNT]


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_an_unavailable_store_fails_the_whole_batch_at_once_and_the_next_commit_clears_it() -> None:
    store, metrics, clock = HandStore(), Metrics(), Clock()
    writer = GroupCommitWriter(store, metrics, clock)
    writer.start()
    tasks = [asyncio.create_task(writer.submit(_items(n))) for n in (1, 2, 1)]
    await _settle()
    store.finish(StoreUnavailable("disk full"))
    for task in tasks:  # every request refused, none retried alone: it is not their fault
        with pytest.raises(StoreUnavailable, match="disk full"):
            await task
    assert len(store.sent) == 1
    assert (metrics.store_unavailable, metrics.write_errors) == (3, 1)
    assert "collector_store_unavailable_total 3" in metrics.render()
    assert writer.outage.unavailable == "disk full"
    clock.now += RETRY_AFTER_S - 1
    assert writer.outage.unavailable == "disk full"
    later = asyncio.create_task(writer.submit(_items(1)))  # the next batch tries again
    await _settle()
    store.finish()
    assert await later == [DropReason.DNT]
    assert writer.outage.unavailable is None


async def test_without_traffic_the_outage_ends_after_the_retry_time() -> None:
    """Else a load balancer that stops sending because /readyz says 503 would never let a
    beacon find out that the disk has room again."""
    store, clock = HandStore(), Clock()
    writer = GroupCommitWriter(store, Metrics(), clock)
    writer.start()
    task = asyncio.create_task(writer.submit(_items(1)))
    await _settle()
    store.finish(StoreUnavailable("database read-only"))
    with pytest.raises(StoreUnavailable):
        await task
    clock.now += RETRY_AFTER_S
    assert writer.outage.unavailable is None


async def test_an_outage_is_logged_once_a_minute_not_once_a_request(caplog: pytest.LogCaptureFixture) -> None:
    store, metrics, clock = HandStore(), Metrics(), Clock()
    writer = GroupCommitWriter(store, metrics, clock)
    writer.start()

    async def refused(n: int) -> None:
        tasks = [asyncio.create_task(writer.submit(_items(1))) for _ in range(n)]
        await _settle()
        store.finish(StoreUnavailable("disk full"))
        for task in tasks:
            with pytest.raises(StoreUnavailable):
                await task

    async def stored() -> None:
        task = asyncio.create_task(writer.submit(_items(1)))
        await _settle()
        store.finish()
        await task

    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "collector.writer"]

    caplog.set_level(logging.INFO, logger="collector.writer")
    for _ in range(50):  # 50 batches, 100 requests within the first minute: one line
        await refused(2)
        clock.now += 1
    assert len(lines()) == 1 and lines()[0].startswith("store unavailable (disk full)")
    clock.now += LOG_EVERY_S - 49  # a minute after that line: the next says how many since
    await refused(1)
    assert len(lines()) == 2 and lines()[1].startswith("store still unavailable (disk full) for 61 s: 99 ")
    await stored()  # back, but a line was written less than a minute ago: held back
    await stored()
    assert len(lines()) == 2
    clock.now += LOG_EVERY_S
    await stored()
    assert len(lines()) == 3 and lines()[2].startswith("store available again")
    await stored()
    assert len(lines()) == 3
    assert metrics.store_unavailable == 101
