"""Group commit: replies only after the commit of their batch.

Handlers call :meth:`GroupCommitWriter.submit` and await it. The writer sends whatever is
waiting to the store as one batch (one transaction) and resolves every waiter when the
store says it is committed; whatever arrives meanwhile forms the next batch. There is no
fixed wait: a lone beacon waits for one commit and a burst shares one, so an acknowledged
beacon is on disk (survives ``kill -9``) without paying a commit per request.

The writer is driven by callbacks, not by a task of its own: a batch goes out from a
callback scheduled by the first ``submit`` of an event-loop turn (so one turn's requests
share it), and the moment the store reports a commit the next batch goes out from that
report's callback. Under load the loop is busy and every extra hop through it (a task
waking up, a future's callbacks) costs a whole turn of the loop, ~2 ms at 6,000 beacons/s;
so the path from "committed" to "next batch sent, waiters resolved" has none.

A store that commits elsewhere (the SQLite writer process) may take more batches while it
commits one (``batches_in_flight``), so it never waits for the loop between two commits,
and it asks for small batches (``batch_items``): the first requests are then answered after
a short commit instead of all of them after a long one, and the loop, which has nothing to
do while every connection waits for a commit, gets work back sooner (measured: the loop
busy 0.97–0.99 of the time instead of 0.90–0.96). When a backlog builds (more waiting
than ``BACKLOG`` small batches per batch the store can take now), what waits is shared
among those batches instead, so batches grow with the load.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol, TypeAlias

from collector.metrics import Metrics
from collector.model import DropReason
from collector.storage.base import MAX_BATCH_ITEMS, WriteItem, WriterClosed

log = logging.getLogger("collector.writer")

BACKLOG = 4  # waiting items over this many small batches per free slot: batches grow

Outcome = list[DropReason | None]
Done = Callable[[Outcome | BaseException], None]


class BatchStore(Protocol):
    @property
    def batches_in_flight(self) -> int:
        """How many batches the store takes at once (1: one after the other)."""
        ...

    @property
    def batch_items(self) -> int:
        """How many items a batch holds when few are waiting (see the module's doc)."""
        ...

    def send_batch(self, items: Sequence[WriteItem], done: Done) -> None:
        """Write ``items`` as one transaction; call ``done`` with each item's drop reason
        (None when stored) once committed, or with the exception if it was not."""
        ...


_Waiter: TypeAlias = tuple[Sequence[WriteItem], "asyncio.Future[Outcome]"]


class GroupCommitWriter:
    def __init__(self, store: BatchStore, metrics: Metrics) -> None:
        self._store = store
        self._metrics = metrics
        self._pending: list[_Waiter] = []
        self._pending_items = 0
        self._alone: deque[_Waiter] = deque()  # from a failed batch: retried one by one
        self._in_flight = 0
        self._most = 1
        self._items = MAX_BATCH_ITEMS
        self._flush_soon: asyncio.Handle | None = None
        self._drained: asyncio.Event | None = None
        self._running = False

    def start(self) -> None:
        self._most = max(1, self._store.batches_in_flight)
        self._items = max(1, min(MAX_BATCH_ITEMS, self._store.batch_items))
        self._running = True

    async def stop(self) -> None:
        """Write what is waiting; return when every batch is answered."""
        if not self._running:
            return
        self._running = False
        while self._pending or self._alone or self._in_flight:
            self._drained = asyncio.Event()
            self._flush()
            await self._drained.wait()

    async def submit(self, items: Sequence[WriteItem]) -> Outcome:
        """Queue ``items`` and wait until the batch holding them is committed."""
        if not self._running:
            raise WriterClosed("the writer is not running")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Outcome] = loop.create_future()
        self._pending.append((items, future))
        self._pending_items += len(items)
        if self._flush_soon is None and self._in_flight < self._most:
            self._flush_soon = loop.call_soon(self._flush)
        return await future

    def _take(self) -> list[_Waiter]:
        """The next batch: waiters in arrival order up to the size limit (a waiter bigger
        than the limit, a bulk request, goes alone)."""
        if self._alone:
            return [self._alone.popleft()]
        limit = self._items
        free = max(1, self._most - self._in_flight)
        if self._pending_items > BACKLOG * limit * free:  # a backlog: share it out
            limit = min(MAX_BATCH_ITEMS, -(-self._pending_items // free))
        size = count = 0
        for items, _ in self._pending:
            if count and size + len(items) > limit:
                break
            size += len(items)
            count += 1
        taken = self._pending[:count]
        del self._pending[:count]
        self._pending_items -= size
        return taken

    def _flush(self) -> None:
        """Send batches while the store takes them."""
        if self._flush_soon is not None:
            self._flush_soon.cancel()
            self._flush_soon = None
        while (self._pending or self._alone) and self._in_flight < self._most:
            batch = self._take()
            items = [item for waiter_items, _ in batch for item in waiter_items]
            self._in_flight += 1
            done = partial(self._done, batch, time.perf_counter())
            try:
                self._store.send_batch(items, done)
            except Exception as exc:  # e.g. a value the wire cannot carry: a failed commit
                asyncio.get_running_loop().call_soon(done, exc)

    def _done(self, batch: list[_Waiter], started: float, outcome: Outcome | BaseException) -> None:
        self._in_flight -= 1
        self._flush()  # the next batch first: the store is idle until it has one
        if isinstance(outcome, BaseException):
            self._failed(batch, outcome)
        else:
            self._metrics.commit_seconds.observe(time.perf_counter() - started)
            self._metrics.batch_size.observe(sum(len(items) for items, _ in batch))
            start = 0
            for waiter_items, future in batch:
                end = start + len(waiter_items)
                if not future.done():
                    future.set_result(outcome[start:end])
                start = end
        if self._drained is not None and not (self._pending or self._alone or self._in_flight):
            self._drained.set()

    def _failed(self, batch: list[_Waiter], exc: BaseException) -> None:
        """A failed commit fails its waiters, never the writer; one bad request must not
        fail the others, so a batch of several is retried one request at a time."""
        self._metrics.write_errors += 1
        items = sum(len(items) for items, _ in batch)
        log.error("batch of %d failed to commit: %s", items, type(exc).__name__)
        if len(batch) > 1:
            self._alone.extend(batch)
            self._flush()
            return
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)
