"""The login throttle's role (``Store.throttle()``): failed password attempts and the
addresses a name signed in from, kept in the store so every worker and node counts the
same failures.

Rule-free and backend-neutral: what the failures mean is
:mod:`collector.dashboard.throttle`'s. Within a namespace (``scope``) a failure is stored
under each of its keys, a ``(kind, value)`` pair. The values are what the caller passes:
masked networks and digests of names, never a full address."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

Key = tuple[str, str]  # (kind, value)


class ThrottleStore(Protocol):
    async def record(self, scope: str, keys: Sequence[Key], at: float) -> None:
        """One failure at ``at`` under each key (one write)."""
        ...

    async def recent(self, scope: str, keys: Sequence[Key], since: float) -> dict[Key, list[float]]:
        """Each key's failures after ``since`` (strictly), oldest first; every key asked
        for is in the answer (an empty list: none)."""
        ...

    async def forget(self, scope: str, key: Key) -> None:
        """Every failure under ``key``."""
        ...

    async def mark_known(self, scope: str, name: str, ip: str, at: float) -> None:
        """``name`` succeeded from ``ip`` at ``at`` (the last success is kept)."""
        ...

    async def known_since(self, scope: str, name: str, ip: str) -> float | None:
        """When ``name`` last succeeded from ``ip``; None: never (or pruned)."""
        ...

    async def prune(self, failed_before: float, known_before: float) -> int:
        """Failures at or before ``failed_before`` and successes at or before
        ``known_before`` deleted; the rows deleted."""
        ...
