"""Group commit: one writer task, replies only after the commit of their batch.

Handlers call :meth:`GroupCommitWriter.submit` and await it. The writer takes whatever
is waiting, writes it as one transaction and resolves every waiter; whatever arrives
meanwhile forms the next batch. There is no fixed wait: a lone beacon waits for one
commit and a burst shares one, so an acknowledged beacon is on disk (survives
``kill -9``) without paying a commit per request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Protocol

from collector.metrics import Metrics
from collector.model import DropReason
from collector.storage.base import WriteItem

log = logging.getLogger("collector.writer")

MAX_BATCH = 2000  # items per transaction; more wait for the next one


class BatchStore(Protocol):
    async def write_batch(self, items: Sequence[WriteItem]) -> list[DropReason | None]: ...


class WriterClosed(RuntimeError):
    """The writer is stopping: the request could not be stored."""


_Waiter = tuple[Sequence[WriteItem], "asyncio.Future[list[DropReason | None]]"]


class GroupCommitWriter:
    def __init__(self, store: BatchStore, metrics: Metrics) -> None:
        self._store = store
        self._metrics = metrics
        self._pending: list[_Waiter] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="group-commit-writer")

    async def stop(self) -> None:
        """Write what is waiting, then end the task."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def submit(self, items: Sequence[WriteItem]) -> list[DropReason | None]:
        """Queue ``items`` and wait until the batch holding them is committed."""
        if self._closing or self._task is None:
            raise WriterClosed("the writer is not running")
        future: asyncio.Future[list[DropReason | None]] = (
            asyncio.get_running_loop().create_future()
        )
        self._pending.append((items, future))
        self._wake.set()
        return await future

    def _take(self) -> list[_Waiter]:
        size = count = 0
        for items, _ in self._pending:
            if count and size + len(items) > MAX_BATCH:
                break
            size += len(items)
            count += 1
        taken = self._pending[:count]
        del self._pending[:count]
        return taken

    async def _run(self) -> None:
        while True:
            if not self._pending:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            await self._commit(self._take())

    async def _commit(self, batch: list[_Waiter]) -> None:
        items = [item for waiter_items, _ in batch for item in waiter_items]
        started = time.perf_counter()
        try:
            outcome = await self._store.write_batch(items)
        except Exception as exc:  # a failed commit fails its waiters, never the writer
            self._metrics.write_errors += 1
            log.error("batch of %d failed to commit: %s", len(items), type(exc).__name__)
            if len(batch) > 1:  # one bad request must not fail the others: retry each alone
                for waiter in batch:
                    await self._commit([waiter])
                return
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        self._metrics.commit_seconds.observe(time.perf_counter() - started)
        self._metrics.batch_size.observe(len(items))
        start = 0
        for waiter_items, future in batch:
            end = start + len(waiter_items)
            if not future.done():
                future.set_result(outcome[start:end])
            start = end
