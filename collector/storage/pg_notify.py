"""Changes made on one node, heard by every node: PostgreSQL ``NOTIFY`` on one channel.

A node that changes a site, an exclusion rule, a token or an opt-out announces
``KIND:ID`` after its commit; every node listening (its own included) drops what it had
cached for it, so the very next request reads the database again. The listening
connection is its own (``LISTEN`` needs a session, not a pooled one) and comes back by
itself after PostgreSQL does; while it is away, caches keep their short lifetimes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

from collector.storage.urls import PostgresUrl

CHANNEL = "collector_changes"
RETRY_S = 1.0
log = logging.getLogger("collector.storage")

Listener = Callable[[str, int], None]


def _parse(payload: str) -> tuple[str, int] | None:
    kind, _, number = payload.partition(":")
    return (kind, int(number)) if kind and number.lstrip("-").isdigit() else None


class Notices:
    def __init__(self, url: PostgresUrl) -> None:
        self._url = url
        self._listeners: list[Listener] = []
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection | None = None
        self._announcer: asyncpg.Connection | None = None
        self.listening = asyncio.Event()

    async def announce(self, kind: str, ident: int) -> None:
        """Tell every node that ``kind`` ``ident`` changed (best effort: a node that does
        not hear it still sees the change within its caches' lifetime)."""
        with contextlib.suppress(Exception):
            if self._announcer is None or self._announcer.is_closed():
                self._announcer = await asyncpg.connect(self._url.url, timeout=5)
            await self._announcer.execute("SELECT pg_notify($1, $2)", CHANNEL, f"{kind}:{ident}")

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(kind, id)`` on every change announced; starts listening."""
        self._listeners.append(listener)
        if self._task is None:
            self._task = asyncio.create_task(self._listen())

    def _heard(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        parsed = _parse(str(payload))
        if parsed is None:
            return
        for listener in self._listeners:
            listener(*parsed)

    async def _listen(self) -> None:
        while True:
            try:
                self._conn = await asyncpg.connect(self._url.url, timeout=5)
                await self._conn.add_listener(CHANNEL, self._heard)
                self.listening.set()
                while not self._conn.is_closed():
                    await asyncio.sleep(RETRY_S)
                    await self._conn.execute("SELECT 1")  # notices a dead connection
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("lost the change notices from PostgreSQL; reconnecting")
            finally:
                self.listening.clear()
                for listener in self._listeners:
                    listener("*", 0)  # anything may have changed meanwhile
            await asyncio.sleep(RETRY_S)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for conn in (self._conn, self._announcer):
            if conn is not None and not conn.is_closed():
                with contextlib.suppress(Exception):
                    await conn.close()
        self._conn = self._announcer = None
