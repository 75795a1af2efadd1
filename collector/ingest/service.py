"""The ingestor: validated parameter sets → pipeline → group-commit writer.

HTTP-free, so the endpoint stays thin and the CLI's ``demo`` feeds the same path. A store
that cannot take writes raises :class:`collector.storage.base.StoreUnavailable` out of
``track_one`` and ``track_bulk`` (nothing of the request stored), whether the commit failed
or the site, token or salt before it could not be had; the endpoint answers 503.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from collector.auth.tokens import token_hash
from collector.clock import Clock
from collector.ingest import matomo, pipeline
from collector.ingest.buffer import GroupCommitWriter
from collector.ingest.params import BadRequest, Params
from collector.ingest.pipeline import HeaderInfo, Hit, PipelineEnv
from collector.ingest.visitor import SaltRing
from collector.metrics import Metrics
from collector.model import DropReason, Site
from collector.storage import roles
from collector.storage.base import StoreUnavailable, WriteItem

SITE_TTL_S = 10.0
MISSING_SITE_TTL_S = 2.0
TOKEN_TTL_S = 10.0


K = TypeVar("K")
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    """A small dict whose entries expire (sites and tokens change rarely)."""

    def __init__(self, clock: Clock, max_entries: int = 10_000) -> None:
        self._clock = clock
        self._max = max_entries
        self._data: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> tuple[bool, V | None]:
        entry = self._data.get(key)
        if entry is None or entry[0] < self._clock():
            return False, None
        return True, entry[1]

    def put(self, key: K, value: V, ttl: float) -> None:
        if len(self._data) >= self._max:
            self._data.clear()
        self._data[key] = (self._clock() + ttl, value)

    def clear(self) -> None:
        self._data.clear()

    def drop(self, key: K) -> None:
        self._data.pop(key, None)


@dataclass(slots=True)
class IngestResult:
    tracked: int = 0  # stored or dropped on purpose: what the client is told was tracked
    invalid: int = 0
    invalid_indices: list[int] = field(default_factory=list)
    reasons: list[DropReason] = field(default_factory=list)


def outcome(hit: Hit, env: PipelineEnv) -> WriteItem:
    """The hit through the pipeline: what the writer stores (its event) or counts (its
    drop reason). A live beacon and an imported log line both end here."""
    reason = pipeline.run(hit, env)
    return WriteItem(
        site_id=hit.site.id,
        day=hit.day.isoformat(),
        event=hit.event if reason is None else None,
        drop=reason,
        uid_hash=hit.uid_hash,
    )


class Ingestor:
    def __init__(
        self,
        store: roles.Ingest,
        writer: GroupCommitWriter,
        env: PipelineEnv,
        clock: Clock,
        metrics: Metrics,
    ) -> None:
        self._store = store
        self._writer = writer
        self._env = env
        self._clock = clock
        self._metrics = metrics
        self._salts = SaltRing(store)
        self._sites: TTLCache[int, Site | None] = TTLCache(clock)
        self._tokens: TTLCache[bytes, tuple[int, str] | None] = TTLCache(clock)

    def changed(self, kind: str, ident: int) -> None:
        """A change announced by the store (this node's or another's): what was cached for
        it is read again on the next request. ``site`` covers its settings and exclusion
        rules; ``token`` a token made or revoked; ``*`` anything (the notices were lost)."""
        if kind == "site":
            self._sites.drop(ident)
        elif kind == "token":
            self._tokens.clear()
        elif kind == "*":
            self._sites.clear()
            self._tokens.clear()

    @property
    def salts(self) -> SaltRing:
        return self._salts

    @property
    def store_unavailable(self) -> str | None:
        """Why the store refuses writes now (``/readyz``), or None."""
        return self._writer.outage.unavailable

    async def site(self, site_id: int) -> Site | None:
        found, site = self._sites.get(site_id)
        if not found:
            site = await self._store.get_site(site_id)
            self._sites.put(site_id, site, SITE_TTL_S if site else MISSING_SITE_TTL_S)
        return site

    async def _token_ok(self, token: str | None, site_id: int) -> bool:
        if not token:
            return False
        key = token_hash(token)
        found, info = self._tokens.get(key)
        if not found:
            record = await self._store.find_token(key)
            info = (record.site_id, record.scope) if record else None
            self._tokens.put(key, info, TOKEN_TTL_S)
        return info is not None and info == (site_id, "admin")

    async def _item(
        self, params: Params, headers: HeaderInfo, now: float, default_token: str | None
    ) -> WriteItem:
        req = matomo.read(params, now)
        found, site = self._sites.get(req.site_id)
        if not found:  # awaited only on a cache miss: a beacon usually never waits here
            site = await self.site(req.site_id)
        if site is None:
            raise BadRequest(f"unknown idsite {req.site_id}")
        token = req.token or default_token
        authenticated = bool(token) and await self._token_ok(token, site.id)
        if req.needs_token and not authenticated:
            raise BadRequest("cip, location overrides and cdt older than 24 hours need a valid token_auth")
        ts = req.requested_ts if req.requested_ts is not None else now
        try:
            day = datetime.fromtimestamp(ts, site.tz).date()
        except (OverflowError, OSError, ValueError) as exc:
            raise BadRequest("cdt is out of range") from exc
        salt = self._salts.cached(day) or await self._salts.salt_for(day, now)
        hit = Hit(site=site, req=req, headers=headers, ts=ts, day=day, salt=salt, authenticated=authenticated)
        return outcome(hit, self._env)

    async def track_one(self, params: Params, headers: HeaderInfo) -> DropReason | None:
        """One request: raises :class:`BadRequest`; returns the drop reason or None."""
        try:
            item = await self._item(params, headers, self._clock(), None)
        except BadRequest:
            self._metrics.invalid += 1
            raise
        except StoreUnavailable as exc:  # a site, token or salt the store could not give
            self._writer.outage.refused(exc, 1)
            raise
        outcome = await self._writer.submit([item])
        self._count(outcome)
        return outcome[0]

    async def track_bulk(
        self, items: Sequence[Params | None], headers: HeaderInfo, token: str | None
    ) -> IngestResult:
        """A bulk body: bad items are counted, never fail the batch."""
        result = IngestResult()
        now = self._clock()
        writes: list[WriteItem] = []
        for index, params in enumerate(items):
            try:
                if params is None:
                    raise BadRequest("a bulk item must be a query string or an object")
                writes.append(await self._item(params, headers, now, token))
            except BadRequest:
                result.invalid += 1
                result.invalid_indices.append(index)
            except StoreUnavailable as exc:  # nothing of the body is written
                self._writer.outage.refused(exc, 1)
                raise
        self._metrics.invalid += result.invalid
        if writes:
            outcome = await self._writer.submit(writes)
            self._count(outcome)
            result.reasons = [r for r in outcome if r is not None]
            result.tracked = len(writes)
        return result

    def _count(self, outcome: Sequence[DropReason | None]) -> None:
        for reason in outcome:
            if reason is None:
                self._metrics.accepted += 1
            else:
                self._metrics.dropped[reason.value] += 1
