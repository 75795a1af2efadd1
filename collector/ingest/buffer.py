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

A store that cannot take writes (disk full, a read-only or vanished database: the store
raises :class:`collector.storage.base.StoreUnavailable`) fails every waiter of the batch at
once, with no retry one by one (the requests are not at fault), and the next batch tries
again, so ingest resumes with the first commit that works. :class:`StoreOutage` keeps the
account: the refused requests (a metric), whether the store fails now (``/readyz``) and a
log line a minute at most, not one a request.
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
from collector.storage.base import MAX_BATCH_ITEMS, StoreUnavailable, WriteItem, WriterClosed

log = logging.getLogger("collector.writer")

BACKLOG = 4  # waiting items over this many small batches per free slot: batches grow
RETRY_AFTER_S = 30  # what a refused request is told (Retry-After), and how long /readyz stays 503
LOG_EVERY_S = 60.0  # at most one line about a failing store in this time

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


class StoreOutage:
    """The store refusing writes, seen from the tracking path: every refused request
    counts (``collector_store_unavailable_total``); ``unavailable`` says why while the store
    fails, and for ``RETRY_AFTER_S`` after the last refusal (so ``/readyz`` answers 503 while
    it fails, yet comes back by itself when nothing is sent to try it); and the log gets at
    most one line per ``LOG_EVERY_S``: the first refusal, then how many were refused since
    the last line, then that the store is back (held back until a minute has passed since
    the line before, like every line)."""

    def __init__(self, metrics: Metrics, clock: Callable[[], float] = time.monotonic) -> None:
        self._metrics = metrics
        self._clock = clock
        self._reason: str | None = None  # set from the first refusal to the next commit
        self._last_refusal = 0.0
        self._since = 0.0  # when this outage began
        self._logged_at: float | None = None
        self._unlogged = 0  # refused since the last line
        self._back_at: float | None = None  # the store came back; not logged yet

    @property
    def unavailable(self) -> str | None:
        if self._reason is not None and self._clock() - self._last_refusal < RETRY_AFTER_S:
            return self._reason
        return None

    def refused(self, exc: BaseException, requests: int) -> None:
        now = self._clock()
        self._metrics.store_unavailable += requests
        self._unlogged += requests
        began = self._reason is None
        if began:
            self._since = now
        self._reason = str(exc) or type(exc).__name__
        self._last_refusal = now
        self._back_at = None
        if not self._may_log(now):
            return
        if began:
            log.error(
                "store unavailable (%s): tracking requests are answered 503 until a commit works "
                "(a line a minute about it at most)",
                self._reason,
            )
        else:
            log.error(
                "store still unavailable (%s) for %.0f s: %d tracking request(s) answered 503 "
                "since the last line",
                self._reason,
                now - self._since,
                self._unlogged,
            )
        self._logged(now)

    def committed(self) -> None:
        """A commit worked (called for every commit: keep it cheap)."""
        if self._reason is None and self._back_at is None:
            return
        now = self._clock()
        if self._reason is not None:
            self._reason, self._back_at = None, now
        if self._back_at is not None and self._may_log(now):
            log.warning(
                "store available again (for %.0f s); %d tracking request(s) answered 503 since the last line",
                now - self._back_at,
                self._unlogged,
            )
            self._back_at = None
            self._logged(now)

    def _may_log(self, now: float) -> bool:
        return self._logged_at is None or now - self._logged_at >= LOG_EVERY_S

    def _logged(self, now: float) -> None:
        self._logged_at = now
        self._unlogged = 0


class GroupCommitWriter:
    def __init__(
        self, store: BatchStore, metrics: Metrics, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._store = store
        self._metrics = metrics
        self.outage = StoreOutage(metrics, clock)
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
            self.outage.committed()
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
        fail the others, so a batch of several is retried one request at a time. A store
        that is unavailable fails them all at once (it is not their fault)."""
        self._metrics.write_errors += 1
        if isinstance(exc, StoreUnavailable):
            self.outage.refused(exc, len(batch))
            for _, future in batch:
                if not future.done():
                    future.set_exception(StoreUnavailable(str(exc)))  # one each: raised in each task
            return
        items = sum(len(items) for items, _ in batch)
        log.error("batch of %d failed to commit: %s", items, type(exc).__name__)
        if len(batch) > 1:
            self._alone.extend(batch)
            self._flush()
            return
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)
