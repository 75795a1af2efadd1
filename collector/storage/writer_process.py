"""The group commit in a process of its own: the server's side.

Under load the event loop holds the GIL almost all the time, and a writer *thread* gets it
back (after each SQLite call) only when the loop runs out of work: a commit of ~1 ms of CPU
then takes 3–4 ms of wall time, and every waiting beacon waits that long (bench/README.md).
A child process has its own interpreter: it commits while the loop goes on parsing the
next requests. Each uvicorn worker starts one; they share the database file as two
writing connections always could (WAL, ``busy_timeout``).

The protocol on the child's stdin/stdout (:mod:`collector.storage.writer_child`) is
frames of a 4-byte big-endian length and a JSON document: first ``{"ready":true}`` out,
then a batch of :data:`collector.storage.sqlite_write.Row` lists in and
``{"ok": [reason or null, ...]}`` or ``{"error": "ExceptionName"}`` out, in order (with
``"unavailable": "<why>"`` when the database cannot take writes now: the batch fails with
:class:`collector.storage.base.StoreUnavailable`). The child answers only after the commit,
so an acknowledged beacon is on disk exactly as with the thread.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import cast

import orjson

from collector.storage.base import StoreUnavailable
from collector.storage.sqlite_write import Row
from collector.storage.writer_child import HEAD_SIZE, READY, frame

log = logging.getLogger("collector.writer")

START_TIMEOUT_S = 30.0


class WriterProcessError(RuntimeError):
    """The writer process failed a batch, or is gone (the batch may not be stored)."""


Answer = list[str | None] | WriterProcessError | StoreUnavailable
Done = Callable[[Answer], None]


class WriterProcess:
    """The server's side: start the child, send it batches, hand each answer over.

    Batches are pipelined: :meth:`send` writes a batch to the child at once, even while it
    is still committing the one before, so the child starts the next commit as soon as it
    ends one. Answers come in order and each is handed to its batch's ``done`` straight
    from the pipe's data callback (no task to wake: under load each hop through the event
    loop costs a whole turn of it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._transport: asyncio.SubprocessTransport | None = None
        self._stdin: asyncio.WriteTransport | None = None
        self._buffer = bytearray()
        self._waiting: deque[Done] = deque()
        self._ready: asyncio.Future[None] | None = None
        self._exited: asyncio.Future[None] | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._buffer.clear()
        self._ready, self._exited = loop.create_future(), loop.create_future()
        transport, _ = await loop.subprocess_exec(
            lambda: _ChildProtocol(self),
            sys.executable,
            "-m",
            "collector.storage.writer_child",
            str(self.path),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
        )
        self._transport = transport
        self._stdin = cast(asyncio.WriteTransport, transport.get_pipe_transport(0))
        try:
            await asyncio.wait_for(asyncio.shield(self._ready), START_TIMEOUT_S)
        except (WriterProcessError, TimeoutError) as exc:
            await self.close()
            raise WriterProcessError(f"the writer process did not start: {exc!r}") from exc

    @property
    def running(self) -> bool:
        return self._stdin is not None

    def send(self, batch: Sequence[Row], done: Done) -> None:
        """Send ``batch``; ``done`` gets each row's drop reason (value) or None once it is
        committed, or a :class:`WriterProcessError` if it may not have been (a
        :class:`StoreUnavailable` if it was not, the database refusing writes)."""
        if self._stdin is None or self._stdin.is_closing():  # answered later, like a commit
            error = WriterProcessError("the writer process is not running")
            asyncio.get_running_loop().call_soon(done, error)
            return
        payload = frame(orjson.dumps(batch))  # raises before anything is queued
        self._waiting.append(done)
        self._stdin.write(payload)

    async def write(self, batch: Sequence[Row]) -> list[str | None]:
        """:meth:`send` as a coroutine."""
        answer: asyncio.Future[list[str | None]] = asyncio.get_running_loop().create_future()
        self.send(batch, partial(_settle, answer))
        return await answer

    def _data(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= HEAD_SIZE:
            end = HEAD_SIZE + int.from_bytes(buffer[:HEAD_SIZE], "big")
            if len(buffer) < end:
                return
            payload = bytes(buffer[HEAD_SIZE:end])
            del buffer[:end]
            self._answer(payload)

    def _answer(self, payload: bytes) -> None:
        if self._ready is not None and not self._ready.done():
            if payload == READY:
                self._ready.set_result(None)
            else:
                self._ready.set_exception(WriterProcessError(repr(payload[:200])))
            return
        try:
            answer = orjson.loads(payload)
            done = self._waiting.popleft()
        except (orjson.JSONDecodeError, IndexError) as exc:
            self._lost(f"unreadable answer ({exc})")
            return
        if "unavailable" in answer:
            done(StoreUnavailable(str(answer["unavailable"])))
        elif "error" in answer:
            done(WriterProcessError(answer["error"]))
        else:
            done(answer["ok"])

    def _lost(self, why: str) -> None:
        """The child is gone (or talks nonsense): every batch sent to it fails, since
        whether it was committed is unknown; the store starts a new child."""
        if self._stdin is not None:
            log.error("the writer process ended: %s", why)
        self._stdin = None
        if self._transport is not None and self._transport.get_returncode() is None:
            self._transport.kill()
        error = WriterProcessError(f"the writer process ended: {why}")
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(error)
        while self._waiting:
            self._waiting.popleft()(error)

    def _exit(self) -> None:
        if self._exited is not None and not self._exited.done():
            self._exited.set_result(None)

    async def close(self) -> None:
        """Close the child's stdin (it ends after the batches it has) and wait for it."""
        transport = self._transport
        if transport is None:
            return
        stdin, self._stdin = self._stdin, None
        if stdin is not None:
            stdin.close()
        assert self._exited is not None
        try:
            await asyncio.wait_for(asyncio.shield(self._exited), START_TIMEOUT_S)
        except TimeoutError:
            transport.kill()
            await self._exited
        transport.close()
        self._transport = None


class _ChildProtocol(asyncio.SubprocessProtocol):
    def __init__(self, owner: WriterProcess) -> None:
        self._owner = owner

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        if fd == 1:
            self._owner._data(data)

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd == 1:
            self._owner._lost("its output closed")

    def process_exited(self) -> None:
        self._owner._exit()


def _settle(future: asyncio.Future[list[str | None]], answer: Answer) -> None:
    if future.done():
        return
    if isinstance(answer, BaseException):
        future.set_exception(answer)
    else:
        future.set_result(answer)
