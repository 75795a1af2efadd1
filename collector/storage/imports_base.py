"""The log import's ledger role (``ImportLedger``): which lines a site has imported, as
keyed fingerprints; claiming is atomic, so two imports of one file count each line once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class ImportLedger(Protocol):
    async def claim(self, site_id: int, fingerprints: Sequence[str], day: str) -> set[str]:
        """Record ``fingerprints`` (imported on ``day``); the ones not recorded before."""
        ...

    async def prune(self, site_id: int, before_day: str) -> int:
        """Forget fingerprints imported before ``before_day``; how many."""
        ...
