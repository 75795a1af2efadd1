"""Log lines → the ingest pipeline → the store, as live beacons go.

Each kept line becomes the tracking request a beacon for that page would have been (the
page URL, the referrer, the User-Agent, the client address as the peer, the line's time)
and runs through :data:`collector.ingest.pipeline.STEPS` unchanged: the address is masked
first and never stored; bots, libraries, exclusions, hosts and URL minimisation are the
site's rules. The outcome goes through the store's group-commit transaction
(``write_batch``). A keyed fingerprint of each line is claimed in the store first, so a
line is counted once however often its file is imported.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from collector.ingest.matomo import TrackingRequest
from collector.ingest.pipeline import HeaderInfo, Hit, PipelineEnv
from collector.ingest.service import outcome
from collector.ingest.visitor import SaltRing
from collector.logimport.filters import Choice, classify
from collector.logimport.formats import DETECT_LINES, FORMATS, Parser, detect
from collector.logimport.reader import ReadError, Source
from collector.logimport.records import LogRecord
from collector.model import Kind, Site
from collector.rollups.runner import site_clocks
from collector.settings import Settings
from collector.storage.base import Store, WriteItem

BATCH = 5000
MAX_FUTURE_S = 300.0  # a line this far ahead of the clock is refused (skew allowed)
SHOW_LINES = 5  # unparseable line numbers shown


@dataclass
class Summary:
    lines: int = 0
    imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    unparseable_at: list[str] = field(default_factory=list)
    days: set[str] = field(default_factory=set)
    formats: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def unparseable(self, where: str) -> None:
        self.skipped["unparseable"] += 1
        if len(self.unparseable_at) < SHOW_LINES:
            self.unparseable_at.append(where)


@dataclass(slots=True)
class _Pending:
    fingerprint: str
    record: LogRecord
    download: bool


class Importer:
    def __init__(
        self,
        store: Store,
        site: Site,
        env: PipelineEnv,
        key: bytes,
        choice: Choice,
        clock: Callable[[], float],
        fmt: str | None = None,
        on_progress: Callable[[Source, int], None] | None = None,
    ) -> None:
        self._store = store
        self._ledger = store.imports()
        self._site = site
        self._env = env
        self._key = hashlib.blake2b(b"collector log-import line fingerprints", key=key[:64]).digest()
        self._choice = choice
        self._clock = clock
        self._fmt = fmt
        self._salts = SaltRing(store)
        self._pending: list[_Pending] = []
        self._seen: dict[bytes, int] = {}
        self._days: dict[int, date] = {}
        self._writing: asyncio.Future[None] | None = None
        self._on_progress = on_progress
        self.summary = Summary()
        host = site.domains[0] if site.domains else "localhost"
        self._default_host = host

    def _parser(self, name: str, sample: list[str]) -> Parser | None:
        if self._fmt is not None:
            return FORMATS[self._fmt]()
        parser = detect(sample)
        if parser is None:
            self.summary.errors.append(
                f"{name}: cannot tell the log format from its first lines; give --format "
                f"({', '.join(FORMATS)})"
            )
        return parser

    async def import_file(self, name: str) -> None:
        """One input; a broken one is reported in ``summary.errors`` (its good lines up to
        the break are imported)."""
        try:
            source = Source(name)
        except ReadError as exc:
            self.summary.errors.append(str(exc))
            return
        try:
            lines = source.lines()
            head = list(itertools.islice(lines, DETECT_LINES))
            sample = [_decode(raw) or "" for raw in head if raw is not None]
            parser = self._parser(name, sample)
            if parser is None:
                return
            self.summary.formats[name] = parser.name
            self._seen.clear()  # repeats count within a file: overlapping files share lines
            await self._lines(name, source, parser, itertools.chain(head, lines))
        except ReadError as exc:
            self.summary.errors.append(str(exc))
        finally:
            await self._flush()
            await self._drain()
            source.close()

    async def _lines(self, name: str, source: Source, parser: Parser, lines: Iterator[bytes | None]) -> None:
        summary = self.summary
        choice = self._choice
        latest = self._clock() + MAX_FUTURE_S
        for number, raw in enumerate(lines, 1):
            if number % 1000 == 0 and self._on_progress is not None:
                self._on_progress(source, summary.lines)
            if raw is None:
                summary.lines += 1
                summary.unparseable(f"{name}:{number}")
                continue
            text = _decode(raw)
            if text is not None and (not text.strip() or parser.meta(text)):
                continue  # blank lines and a format's headers are no requests
            summary.lines += 1
            record = parser.parse(text) if text is not None else None
            if record is None:
                summary.unparseable(f"{name}:{number}")
                continue
            reason, download = classify(record, choice)
            if reason is None and record.ts > latest:
                reason = "future"
            if reason is not None:
                summary.skipped[reason] += 1
                continue
            self._pending.append(_Pending(self._fingerprint(raw), record, download))
            if len(self._pending) >= BATCH:
                await self._flush()

    def _fingerprint(self, raw: bytes) -> str:
        """A keyed hash of the line, with how many identical lines came before it in this
        file (two requests in one second from one client, logged alike, count twice)."""
        digest = hashlib.blake2b(raw, key=self._key, digest_size=16).digest()
        seen = self._seen.get(digest, 0)
        if len(self._seen) > 100_000:
            self._seen.clear()
        self._seen[digest] = seen + 1
        if seen:
            digest = hashlib.blake2b(raw + b"\x00%d" % seen, key=self._key, digest_size=16).digest()
        return digest.hex()

    async def _flush(self) -> None:
        """Claim the waiting lines' fingerprints, run the new ones through the pipeline,
        and start their commit; the lines after them are parsed while it commits (one
        batch in flight, in order)."""
        pending, self._pending = self._pending, []
        await self._drain()
        if not pending:
            return
        today = datetime.fromtimestamp(self._clock(), UTC).date().isoformat()
        fresh = await self._ledger.claim(self._site.id, [p.fingerprint for p in pending], today)
        writes: list[WriteItem] = []
        for item in pending:
            if item.fingerprint in fresh:
                writes.append(await self._item(item.record, item.download))
            else:
                self.summary.skipped["already_imported"] += 1
        if writes:
            self._writing = asyncio.ensure_future(self._write(writes))
            await asyncio.sleep(0)  # the commit reaches the writer before parsing goes on

    async def _drain(self) -> None:
        writing, self._writing = self._writing, None
        if writing is not None:
            await writing

    async def _write(self, writes: list[WriteItem]) -> None:
        """The events, then the drops, each one group commit: a batch of events alone takes
        the store's cheapest path (no counter to update)."""
        events = [w for w in writes if w.event is not None]
        drops = [w for w in writes if w.event is None]
        for part in (events, drops):
            if not part:
                continue
            outcome = await self._store.write_batch(part)
            for write, reason in zip(part, outcome, strict=True):
                if reason is None:
                    self.summary.imported += 1
                    self.summary.days.add(write.day)
                else:
                    self.summary.skipped[reason.value] += 1

    async def _item(self, record: LogRecord, download: bool) -> WriteItem:
        """The line as the beacon it stands for, through the pipeline."""
        site = self._site
        url = f"https://{record.host or self._default_host}{record.target}"
        params = {"url": url}
        if record.referrer:
            params["urlref"] = record.referrer
        if download:
            params["download"] = url
        ts = record.ts
        request = TrackingRequest(
            site_id=site.id,
            params=params,
            kind=Kind.DOWNLOAD if download else Kind.PAGEVIEW,
            rec=True,
            requested_ts=ts,
            needs_token=False,
            token=None,
        )
        slot = int(ts) // 900  # every time zone's offset is a multiple of 15 minutes
        day = self._days.get(slot)
        if day is None:
            day = self._days[slot] = datetime.fromtimestamp(ts, site.tz).date()
        salt = self._salts.cached(day) or await self._salts.salt_for(day, self._clock())
        headers = HeaderInfo(peer=record.client, user_agent=record.user_agent)
        hit = Hit(site=site, req=request, headers=headers, ts=ts, day=day, salt=salt)
        return outcome(hit, self._env)

    async def roll_up(self, settings: Settings) -> list[tuple[int, str]]:
        """Recompute the days this import added events to (the store's rollup, which
        ``collector rollup`` runs too)."""
        if not self.summary.days:
            return []
        sites = await site_clocks(self._store, settings)
        chosen = [(self._site.id, day) for day in sorted(self.summary.days)]
        return await self._store.rollup(sites, self._clock(), chosen)


def _decode(raw: bytes) -> str | None:
    """Strict UTF-8 (an invalid line is unparseable); NUL bytes mean a binary file."""
    if b"\x00" in raw:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
