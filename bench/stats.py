"""Stats and rollup benchmark: a year of daily tables, and one day of a million raw events.

    python -m bench.stats [--days 365] [--pageviews 100000] [--paths 10000] [--events 1000000]
                          [--repeat 20] [--quick] [--profile] [--db PATH]

1. A temporary SQLite file is migrated with the collector's own store, then ``--days`` days
   (from 2025-01-01) of one site are generated straight into ``daily_site``,
   ``hourly_site`` and ``daily_dimension``: ``--pageviews`` page views and ``--paths``
   distinct paths a day, page popularity Zipf-like over a catalogue of ``--catalogue``
   paths (a stable core every day, a long tail that changes from day to day), several
   referrers, channels, campaigns, browsers, OS, devices, screens, languages, countries,
   events, outlinks, downloads and site searches, each with its own skew.
2. The API's report functions (``collector.stats.reports``: summary, daily timeseries and
   five top-10 breakdowns) are timed over the whole range through ``store.stats()``, the
   read-only aiosqlite connection the API uses: the first call on a fresh connection
   ("cold": SQLite's page cache empty; the OS cache is warm) and then ``--repeat`` warm
   calls (p50, p99). The same is done for a year-long range that does not start on the
   first of a month (what a "last 365 days" view asks for).
3. ``--events`` raw events of one day (page views, heartbeats, events, outlinks,
   downloads, searches; ~200,000 visits at full scale) are inserted into ``events`` and
   the rollup of that day (``collector.storage.sqlite_rollup.run_rollup``) is timed;
   ``--profile`` also times each SQL statement of the rollup and prints the query plans
   of the stats queries.

``--quick`` is a small scale (90 days, 2,000 paths a day, 100,000 raw events) that runs in
well under a minute. Nothing is installed and nothing outside the temporary file is
written (``--db PATH`` keeps the database at PATH instead).
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import math
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from collector.model import SiteClock
from collector.stats import reports
from collector.stats.period import Period
from collector.storage.sql import query
from collector.storage.sqlite import SqliteStore
from collector.storage.sqlite_rollup import STEPS_BEFORE, STEPS_WRITE, connect, day_params, run_rollup

FIRST_DAY = date(2025, 1, 1)
SITE = 1
TARGET_DASHBOARD_MS = 100.0  # summary + daily timeseries + five top-10 breakdowns, one year
TARGET_ROLLUP_S = 30.0  # one day of 1,000,000 raw events, 2 cores
BREAKDOWNS = ("pages", "entry_pages", "referrers", "browsers", "devices")

# -- what the generated traffic looks like ------------------------------------------------

SECTIONS = ("blog", "docs", "products", "guides", "news", "help", "category", "tags")
CHANNELS = (("direct", 35), ("search", 33), ("referral", 14), ("social", 10), ("campaign", 6),
            ("email", 2))
SEARCH_HOSTS = ("www.google.com", "duckduckgo.com", "www.bing.com", "www.ecosia.org",
                "search.brave.com", "www.qwant.com", "yandex.ru", "www.startpage.com")
SOCIAL_HOSTS = ("news.ycombinator.com", "www.reddit.com", "t.co", "www.linkedin.com",
                "mastodon.social", "www.facebook.com", "bsky.app", "lobste.rs", "www.youtube.com")
BROWSERS = ("Chrome", "Safari", "Mobile Safari", "Firefox", "Edge", "Samsung Internet",
            "Chrome Mobile", "Opera", "Firefox Mobile", "Brave", "Vivaldi", "DuckDuckGo",
            "Yandex Browser", "UC Browser", "Chromium")
OSES = ("Windows", "Mac OS X", "iOS", "Android", "Linux", "Chrome OS", "Ubuntu", "Fedora",
        "FreeBSD")
DEVICES = ("desktop", "mobile", "tablet", "other")
SCREENS = ("desktop", "mobile", "laptop", "tablet")
LANGS = ("en", "de", "fr", "es", "nb", "sv", "nl", "it", "pt", "pl", "ja", "zh", "ru", "da", "fi",
         "cs", "tr", "ko", "uk", "hu", "ro", "el", "he", "ar", "id", "vi", "th", "hi", "bg", "sk",
         "lt", "lv", "et", "sl", "hr", "sr", "ca", "eu", "gl", "is", "fa", "ms", "bn", "ta", "ur")
UTM_SOURCES = ("newsletter", "mastodon", "partner", "twitter", "linkedin", "facebook", "podcast",
               "producthunt", "github", "reddit", "devto", "hn", "youtube", "sponsor", "affiliate")
UTM_MEDIUMS = ("email", "social", "cpc", "referral", "display", "affiliate", "podcast")
EVENT_NAMES = tuple(f"{c} / {a}" for c in ("video", "form", "cta", "nav", "cart")
                    for a in ("play", "pause", "submit", "click", "open", "close", "add", "remove"))
HOURLY = (2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 7, 7, 7, 7, 7, 6, 6, 6, 6, 5, 4, 3)


def zipf(n: int, s: float = 1.0, q: float = 1.0) -> list[float]:
    return [1.0 / (r + q) ** s for r in range(n)]


def allocate(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """``total`` split over ``weights`` in integers (largest remainder), each at least
    ``minimum``; the sum is exactly ``total`` when ``total >= minimum * len(weights)``."""
    n = len(weights)
    spare = max(0, total - minimum * n)
    scale = spare / (sum(weights) or 1.0)
    raw = [w * scale for w in weights]
    out = [minimum + int(x) for x in raw]
    left = total - sum(out)
    if left > 0:
        for i in heapq.nlargest(left, range(n), key=lambda i: raw[i] - int(raw[i])):
            out[i] += 1
    return out


def path_name(rank: int) -> str:
    if rank == 0:
        return "/"
    section = SECTIONS[rank % len(SECTIONS)]
    return f"/{section}/{'item' if rank % 3 else 'page'}-{rank:05d}-{(rank * 2654435761) % 9973:04d}"


@dataclass(frozen=True)
class Catalogue:
    """Values of one dimension by popularity: ``core`` of them appear every day, then
    ``tail`` a day drawn from the rest."""

    name: str
    values: tuple[str, ...]
    core: int
    tail: int
    s: float = 1.0

    def day(self, rng: random.Random) -> tuple[list[int], list[float]]:
        n = len(self.values)
        ranks = list(range(min(self.core, n)))
        rest = range(len(ranks), n)
        ranks += rng.sample(rest, min(self.tail, len(rest)))
        weights = [(1.0 / (r + 1.0) ** self.s) * (0.7 + 0.6 * rng.random()) for r in ranks]
        return ranks, weights


@dataclass(frozen=True)
class Scale:
    days: int
    pageviews: int
    paths: int
    catalogue: int
    events: int

    @property
    def visits(self) -> int:  # ~2.5 page views a visit
        return max(1, self.pageviews * 2 // 5)


def visit_catalogues(scale: Scale) -> list[tuple[Catalogue, float]]:
    """Visit-level dimensions and the share of visits that have a value."""
    hosts = (*SEARCH_HOSTS, *SOCIAL_HOSTS,
             *(f"{w}{n}.example.{tld}" for n in range(600)
               for w, tld in (("blog", "org"), ("news", "com"), ("www.site", "net"))))
    campaigns = tuple(f"{k}-{n:03d}" for n in range(100) for k in ("spring", "launch", "promo"))
    countries = tuple(f"{chr(97 + a)}{chr(97 + b)}" for a in range(26) for b in range(0, 26, 4))[:150]
    return [
        (Catalogue("referrers", hosts, 150, 450, 1.1), 0.55),
        (Catalogue("channels", tuple(c for c, _ in CHANNELS), 6, 0), 1.0),
        (Catalogue("utm_sources", UTM_SOURCES, 8, 4), 0.08),
        (Catalogue("utm_mediums", UTM_MEDIUMS, 5, 1), 0.08),
        (Catalogue("utm_campaigns", campaigns, 10, 15), 0.06),
        (Catalogue("browsers", BROWSERS, 12, 2, 1.3), 0.99),
        (Catalogue("os", OSES, 7, 1, 1.3), 0.99),
        (Catalogue("devices", DEVICES, 4, 0, 1.5), 1.0),
        (Catalogue("screens", SCREENS, 4, 0, 1.0), 0.97),
        (Catalogue("languages", LANGS, 30, 8, 1.4), 0.98),
        (Catalogue("countries", countries, 80, 40, 1.2), 0.9),
    ]


def action_catalogues() -> list[tuple[Catalogue, float]]:
    """Interaction dimensions and their share of a day's events."""
    outlinks = tuple(f"https://{h}/{p}" for h in ("github.com", "example.org", "docs.python.org",
                                                   "en.wikipedia.org", "youtube.com")
                     for p in range(400))
    downloads = tuple(f"https://cdn.example.com/files/report-{n:03d}.pdf" for n in range(150))
    searches = tuple(f"query {n} {SECTIONS[n % len(SECTIONS)]}" for n in range(20000))
    return [
        (Catalogue("events", EVENT_NAMES, 40, 0, 1.2), 0.5),
        (Catalogue("outlinks", outlinks, 80, 120, 1.1), 0.2),
        (Catalogue("downloads", downloads, 30, 20, 1.1), 0.1),
        (Catalogue("searches", searches, 100, 300, 1.0), 0.2),
    ]


# -- the daily tables ---------------------------------------------------------------------

DIM_SQL = ("INSERT INTO daily_dimension (site_id, dimension, day, value, visitors, visits, pageviews, "
           "entries, exits, bounces, duration_s, events) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
SITE_SQL = ("INSERT INTO daily_site (site_id, day, visitors, visits, pageviews, bounces, duration_s, "
            "events) VALUES (?,?,?,?,?,?,?,?)")
HOUR_SQL = ("INSERT INTO hourly_site (site_id, day, hour, visitors, visits, pageviews, events) "
            "VALUES (?,?,?,?,?,?,?)")


def _coin(rng: random.Random, x: float) -> int:
    """``x`` rounded up with probability of its fraction."""
    whole = int(x)
    return whole + (rng.random() < x - whole)


def page_rows(day: str, scale: Scale, pages: Catalogue, rng: random.Random) -> list[tuple[Any, ...]]:
    ranks, weights = pages.day(rng)
    views = allocate(scale.pageviews, weights, minimum=1)
    rows = []
    for rank, pv in zip(ranks, views, strict=True):
        visits = pv - pv // 5
        visitors = visits - visits // 8
        landing = 0.75 if rank == 0 else 0.55 if rank < 50 else 0.3  # share of views that enter
        entries = min(visits, _coin(rng, pv * landing))
        exits = min(visits, _coin(rng, pv * 0.4))
        bounces = min(entries, _coin(rng, entries * 0.45))
        rows.append((SITE, "pages", day, pages.values[rank], visitors, visits, pv, entries, exits,
                     bounces, 0, 0))
    return rows


def day_tables(index: int, scale: Scale, pages: Catalogue, visit_dims: list[tuple[Catalogue, float]],
               action_dims: list[tuple[Catalogue, float]], seed: int
               ) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """One day: its ``daily_site`` row, ``hourly_site`` rows and ``daily_dimension`` rows."""
    rng = random.Random(seed * 100003 + index)
    day = (FIRST_DAY + timedelta(days=index)).isoformat()
    weekday = 0.85 if (FIRST_DAY + timedelta(days=index)).weekday() >= 5 else 1.0
    rows = page_rows(day, scale, pages, rng)
    visits = sum(r[7] for r in rows)  # every visit has one entry page
    bounces = sum(r[9] for r in rows)
    visitors = visits - visits // 6
    duration = 0
    for cat, share in visit_dims:
        ranks, weights = cat.day(rng)
        counts = allocate(round(visits * share), weights)
        for rank, n in zip(ranks, counts, strict=True):
            if n == 0:
                continue
            b = min(n, _coin(rng, n * 0.45))
            d = _coin(rng, n * 75 * weekday)
            rows.append((SITE, cat.name, day, cat.values[rank], n - n // 6, n, _coin(rng, n * 2.5), 0, 0,
                         b, d, _coin(rng, n * 0.3)))
            if cat.name == "channels":
                duration += d
    events = round(scale.pageviews * 0.12 * weekday)
    for cat, share in action_dims:
        ranks, weights = cat.day(rng)
        for rank, n in zip(ranks, allocate(round(events * share), weights), strict=True):
            if n:
                v = n - n // 4
                rows.append((SITE, cat.name, day, cat.values[rank], v - v // 5, v, 0, 0, 0, 0, 0, n))
    rows.sort(key=lambda r: (r[1], r[3]))
    site_row = (SITE, day, visitors, visits, scale.pageviews, bounces, duration, events)
    hv, hs, hp, he = (allocate(t, HOURLY) for t in (visitors, visits, scale.pageviews, events))
    hours = [(SITE, day, h, hv[h], hs[h], hp[h], he[h]) for h in range(24)]
    return site_row, hours, rows


def fill_daily_tables(path: Path, scale: Scale, seed: int) -> int:
    pages = Catalogue("pages", tuple(path_name(r) for r in range(scale.catalogue)),
                      core=scale.paths // 2, tail=scale.paths - scale.paths // 2, s=1.0)
    visit_dims, action_dims = visit_catalogues(scale), action_catalogues()
    conn = _bulk(path)
    n = 0
    try:
        conn.execute("BEGIN")
        for index in range(scale.days):
            site_row, hours, rows = day_tables(index, scale, pages, visit_dims, action_dims, seed)
            conn.execute(SITE_SQL, site_row)
            conn.executemany(HOUR_SQL, hours)
            conn.executemany(DIM_SQL, rows)
            n += len(rows)
        conn.execute("COMMIT")
    finally:
        conn.close()
    return n


def _bulk(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    return conn


# -- one day of raw events ----------------------------------------------------------------

EVENT_COLUMNS = ("site_id", "ts_ms", "day", "visitor", "kind", "path", "title", "referrer_host",
                 "referrer_path", "utm_source", "utm_medium", "utm_campaign", "browser",
                 "browser_major", "os", "device", "screen", "language", "country", "event_category",
                 "event_action", "target", "search_query", "new_visit")
EVENT_SQL = (f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
             f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})")


class Picker:
    """Fast weighted draws: a pool drawn in bulk, served one by one."""

    def __init__(self, rng: random.Random, values: Sequence[Any], weights: Sequence[float]) -> None:
        self._rng, self._values, self._cum = rng, list(values), list(_cumulative(weights))
        self._pool: list[Any] = []

    def __call__(self) -> Any:
        if not self._pool:
            self._pool = self._rng.choices(self._values, cum_weights=self._cum, k=65536)
        return self._pool.pop()


def _cumulative(weights: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def raw_events(day: date, scale: Scale, seed: int) -> list[tuple[Any, ...]]:
    """``scale.events`` events of one day, visitor by visitor, sorted by time."""
    rng = random.Random(seed)
    start_ms = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
    end_ms = start_ms + 86_400_000
    dayiso = day.isoformat()
    paths = [path_name(r) for r in range(scale.paths)]
    page = Picker(rng, paths, zipf(len(paths)))
    hour = Picker(rng, range(24), HOURLY)
    channel = Picker(rng, [c for c, _ in CHANNELS], [w for _, w in CHANNELS])
    search = Picker(rng, SEARCH_HOSTS, zipf(len(SEARCH_HOSTS), 1.5))
    social = Picker(rng, SOCIAL_HOSTS, zipf(len(SOCIAL_HOSTS)))
    referral = Picker(rng, [f"blog{n}.example.org" for n in range(2000)], zipf(2000, 1.1))
    browser = Picker(rng, BROWSERS, zipf(len(BROWSERS), 1.3))
    os_ = Picker(rng, OSES, zipf(len(OSES), 1.3))
    device = Picker(rng, DEVICES, zipf(len(DEVICES), 1.5))
    screen = Picker(rng, SCREENS, zipf(len(SCREENS)))
    lang = Picker(rng, LANGS, zipf(len(LANGS), 1.4))
    country = Picker(rng, [f"{chr(97 + n // 26)}{chr(97 + n % 26)}" for n in range(150)], zipf(150, 1.2))
    source = Picker(rng, UTM_SOURCES, zipf(len(UTM_SOURCES)))
    action = Picker(rng, ["event", "outlink", "download", "search"], [5, 2, 1, 2])
    event_name = Picker(rng, EVENT_NAMES, zipf(len(EVENT_NAMES), 1.2))
    query_text = Picker(rng, [f"query {n}" for n in range(5000)], zipf(5000))
    rows: list[tuple[Any, ...]] = []
    while len(rows) < scale.events:
        visitor = rng.getrandbits(62)
        ua = (browser(), str(rng.randint(100, 131)), os_(), device(), screen(), lang(),
              country() if rng.random() < 0.3 else None)
        t = start_ms + hour() * 3_600_000 + rng.randrange(3_600_000)
        for _ in range(1 if rng.random() < 0.85 else rng.randint(2, 3)):
            ch = channel()
            ref = {"search": search, "social": social, "referral": referral}.get(ch)
            host = ref() if ref is not None else None
            utm: tuple[str | None, str | None, str | None] = (None, None, None)
            entry = page()
            if ch in ("campaign", "email"):
                utm = ("newsletter" if ch == "email" else source(), "email" if ch == "email" else "social",
                       f"promo-{rng.randrange(30):02d}")
                entry += f"?utm_source={utm[0]}&utm_medium={utm[1]}&utm_campaign={utm[2]}"
            bounce = rng.random() < 0.45
            views = 1 if bounce else 2 + min(int(rng.expovariate(0.6)), 30)
            first = True
            for n in range(views):
                if t >= end_ms:
                    break
                path = entry if n == 0 else page()
                rows.append((SITE, t, dayiso, visitor, "pageview", path, None, host if first else None,
                             "/" if first and host else None, *(utm if first else (None, None, None)),
                             *ua, None, None, None, None, 0))
                first = False
                stay = 5_000 + int(rng.expovariate(1 / 60_000))
                for k in range(min(stay // 30_000, 4)):  # a heartbeat every 30 s of the stay
                    if t + (k + 1) * 30_000 < end_ms:
                        rows.append((SITE, t + (k + 1) * 30_000, dayiso, visitor, "ping", path, None,
                                     None, None, None, None, None, *ua, None, None, None, None, 0))
                if not bounce and rng.random() < 0.35:
                    kind = action()
                    category = act = target = text = None
                    if kind == "event":
                        category, act = event_name().split(" / ")
                    elif kind == "outlink":
                        target = f"https://{referral()}/x"
                    elif kind == "download":
                        target = f"https://cdn.example.com/files/report-{rng.randrange(60):03d}.pdf"
                    else:
                        text = query_text()
                    rows.append((SITE, t + stay // 2, dayiso, visitor, kind, path, None, None, None,
                                 None, None, None, *ua, category, act, target, text, 0))
                t += stay
            t += 1_900_000 + rng.randrange(7_200_000)  # the next visit: after 30 minutes
            if t >= end_ms:
                break
    rows = [r for r in rows if r[1] < end_ms][: scale.events]
    rows.sort(key=lambda r: r[1])
    return rows


def fill_events(path: Path, rows: list[tuple[Any, ...]]) -> None:
    conn = _bulk(path)
    try:
        conn.execute("BEGIN")
        conn.executemany(EVENT_SQL, rows)
        conn.execute("COMMIT")
    finally:
        conn.close()


# -- timing -------------------------------------------------------------------------------


def pct(samples: Sequence[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Timing:
    name: str
    cold_ms: float
    warm_ms: list[float]
    rows: int

    @property
    def p50(self) -> float:
        return statistics.median(self.warm_ms)

    @property
    def p99(self) -> float:
        return pct(self.warm_ms, 99)


Call = Callable[[reports.StatsReader], Awaitable[dict[str, Any]]]


def dashboard(period: Period, breakdowns: Sequence[str]) -> list[tuple[str, Call]]:
    calls: list[tuple[str, Call]] = [
        ("summary", lambda r: reports.summary(r, SITE, period)),
        ("timeseries (day)", lambda r: reports.timeseries(r, SITE, period, "day")),
    ]
    for name in breakdowns:
        calls.append((f"breakdown {name} top 10",
                      lambda r, n=name: reports.breakdown(r, SITE, n, period, 10, 0)))  # type: ignore[misc]
    return calls


def _size(result: dict[str, Any]) -> int:
    for key in ("points", "rows"):
        if key in result:
            return len(result[key])
    return 1


async def time_reports(path: Path, period: Period, breakdowns: Sequence[str], repeat: int
                       ) -> tuple[list[Timing], Timing, list[dict[str, Any]]]:
    calls = dashboard(period, breakdowns)
    timings: list[Timing] = []
    results: list[dict[str, Any]] = []
    for name, call in calls:  # cold: each report first on a fresh store (empty page cache)
        store = SqliteStore(path)
        await store.open()
        try:
            reader = store.stats()
            await reader.totals(SITE, Period(date(1970, 1, 1), date(1970, 1, 1)))  # connect first
            t0 = time.perf_counter()
            result = await call(reader)
            timings.append(Timing(name, (time.perf_counter() - t0) * 1000, [], _size(result)))
            results.append(result)
        finally:
            await store.close()
    store = SqliteStore(path)
    await store.open()
    total = Timing("dashboard, all of the above", 0.0, [], 0)
    try:
        reader = store.stats()
        t0 = time.perf_counter()
        for _, call in calls:
            await call(reader)
        total.cold_ms = (time.perf_counter() - t0) * 1000
        for _ in range(repeat):
            t0 = time.perf_counter()
            for timing, (_, call) in zip(timings, calls, strict=True):
                t1 = time.perf_counter()
                await call(reader)
                timing.warm_ms.append((time.perf_counter() - t1) * 1000)
            total.warm_ms.append((time.perf_counter() - t0) * 1000)
    finally:
        await store.close()
    return timings, total, results


def rollup_profile(path: Path, day: date) -> list[tuple[str, float]]:
    """The rollup of one day statement by statement (as ``rollup_day`` runs it)."""
    site = SiteClock(ZoneInfo("UTC"), 10_000)
    params = day_params(SITE, day, site)
    conn = connect(path)
    out = []
    try:
        for i, name in enumerate((*STEPS_BEFORE, *STEPS_WRITE, "rollup/90_drop_temp")):
            if name == STEPS_WRITE[0] and i == len(STEPS_BEFORE):
                conn.execute("BEGIN IMMEDIATE")
            for n, sql in enumerate(s for s in query(name).split(";\n") if _has_code(s)):
                t0 = time.perf_counter()
                conn.execute(sql, params)
                out.append((f"{name}#{n + 1}", time.perf_counter() - t0))
            if name == STEPS_WRITE[-1]:
                conn.execute("COMMIT")
    finally:
        conn.close()
    return out


def _has_code(sql: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in sql.splitlines())


def explain(path: Path, period: Period) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    base = {"site": SITE, **period.bind()}
    plans = {
        "summary": ("stats/summary", base),
        "timeseries_day": ("stats/timeseries_day", base),
        "breakdown pages": ("stats/breakdown", {**base, "dimension": "pages", "order": "pageviews",
                                                 "min_entries": 0, "min_exits": 0, "limit": 10, "offset": 0}),
    }
    for label, (name, params) in plans.items():
        print(f"\nEXPLAIN QUERY PLAN {label}:")
        for row in conn.execute("EXPLAIN QUERY PLAN " + query(name), params):
            print(f"  {row[0]:>3} {row[1]:>3}  {row[3]}")
    conn.close()


# -- the run ------------------------------------------------------------------------------


def _ms(x: float) -> str:
    return f"{x:9.1f}"


def print_reports(title: str, timings: list[Timing], total: Timing) -> None:
    print(f"\n{title}")
    print(f"  {'report':<34}{'rows':>6}{'cold ms':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for t in timings:
        print(f"  {t.name:<34}{t.rows:>6}{_ms(t.cold_ms)}{_ms(t.p50)}{_ms(t.p99)}")
    verdict = "ok" if total.p50 < TARGET_DASHBOARD_MS else "MISSED"
    print(f"  {total.name:<34}{'':>6}{_ms(total.cold_ms)}{_ms(total.p50)}{_ms(total.p99)}"
          f"   target < {TARGET_DASHBOARD_MS:.0f} ms (p50): {verdict}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stats", description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--pageviews", type=int, default=100_000, help="page views a day")
    parser.add_argument("--paths", type=int, default=10_000, help="distinct paths a day")
    parser.add_argument("--catalogue", type=int, default=0,
                        help="distinct paths over the whole range (default: 3 × --paths)")
    parser.add_argument("--events", type=int, default=1_000_000, help="raw events of the rolled-up day")
    parser.add_argument("--repeat", type=int, default=20, help="warm calls per report")
    parser.add_argument("--breakdowns", default=",".join(BREAKDOWNS))
    parser.add_argument("--quick", action="store_true",
                        help="small scale: 90 days, 2,000 paths a day, 100,000 raw events")
    parser.add_argument("--profile", action="store_true",
                        help="time each rollup statement and print the stats query plans")
    parser.add_argument("--skip-rollup", action="store_true")
    parser.add_argument("--db", type=Path, help="keep the database here (must not exist)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.quick:
        args.days, args.paths, args.events = min(args.days, 90), min(args.paths, 2_000), min(args.events,
                                                                                            100_000)
    scale = Scale(args.days, args.pageviews, args.paths, args.catalogue or 3 * args.paths, args.events)
    breakdowns = [b for b in args.breakdowns.split(",") if b]
    unknown = [b for b in breakdowns if b not in reports.DIMENSIONS]
    if unknown:
        parser.error(f"unknown breakdown(s): {', '.join(unknown)}")
    if args.db is not None and args.db.exists():
        parser.error(f"{args.db} exists")
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as tmp:
        path = args.db or Path(tmp) / "stats.sqlite3"
        return asyncio.run(run(path, scale, breakdowns, args))


async def run(path: Path, scale: Scale, breakdowns: list[str], args: argparse.Namespace) -> int:
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"SQLite {sqlite3.sqlite_version}")
    print(f"scale: {scale.days} days × {scale.pageviews:,} page views/day, {scale.paths:,} distinct "
          f"paths/day ({scale.catalogue:,} over the range); rollup of {scale.events:,} raw events")
    store = SqliteStore(path)
    await store.open()
    await store.migrate()
    await store.add_site("Bench", ["bench.example"], "UTC", time.time())
    await store.close()

    t0 = time.perf_counter()
    n = fill_daily_tables(path, scale, args.seed)
    with sqlite3.connect(path) as conn:
        conn.execute("ANALYZE")
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("daily_site", "hourly_site", "daily_dimension")}
        distinct = conn.execute("SELECT count(DISTINCT value) FROM daily_dimension WHERE dimension='pages'"
                                ).fetchone()[0]
    print(f"generated {n:,} daily_dimension rows in {time.perf_counter() - t0:.1f} s: "
          + ", ".join(f"{t} {c:,}" for t, c in counts.items()) + f"; {distinct:,} distinct paths")

    last = FIRST_DAY + timedelta(days=scale.days - 1)
    year = Period(FIRST_DAY, last)
    rolling = Period(FIRST_DAY + timedelta(days=14), last + timedelta(days=14))  # unaligned to months
    results: dict[str, tuple[list[Timing], Timing]] = {}
    for label, period in ((f"whole range {year.start} .. {year.end}", year),
                          (f"same length, not month-aligned {rolling.start} .. {rolling.end}", rolling)):
        timings, total, _ = await time_reports(path, period, breakdowns, args.repeat)
        results[label] = (timings, total)
        print_reports(label, timings, total)
    if args.profile:
        explain(path, year)

    rollup_s: float | None = None
    if not args.skip_rollup:
        day = last + timedelta(days=1)
        t0 = time.perf_counter()
        rows = raw_events(day, scale, args.seed)
        fill_events(path, rows)
        del rows
        print(f"\ngenerated {scale.events:,} raw events for {day} in {time.perf_counter() - t0:.1f} s")
        sites = {SITE: SiteClock(ZoneInfo("UTC"), 10_000)}
        t0 = time.perf_counter()
        done = run_rollup(path, sites, time.time(), [(SITE, day.isoformat())])
        rollup_s = time.perf_counter() - t0
        assert done == [(SITE, day.isoformat())], done
        with sqlite3.connect(path) as conn:
            site_row = conn.execute("SELECT visitors, visits, pageviews, bounces, events FROM daily_site "
                                    "WHERE site_id = ? AND day = ?", (SITE, day.isoformat())).fetchone()
            kinds = dict(conn.execute("SELECT kind, count(*) FROM events GROUP BY kind").fetchall())
            dims = conn.execute("SELECT count(*) FROM daily_dimension WHERE day = ?", (day.isoformat(),)
                                ).fetchone()[0]
        print(f"  events by kind: {kinds}")
        print(f"  rolled up: visitors {site_row[0]:,}, visits {site_row[1]:,}, page views {site_row[2]:,}, "
              f"bounces {site_row[3]:,}, events {site_row[4]:,}; {dims:,} dimension rows")
        verdict = "ok" if rollup_s < TARGET_ROLLUP_S else "MISSED"
        print(f"  rollup of {scale.events:,} events: {rollup_s:.1f} s   target < {TARGET_ROLLUP_S:.0f} s: "
              f"{verdict}")
        if args.profile:
            print("\nrollup statement by statement (a second run of the same day):")
            for name, seconds in rollup_profile(path, day):
                print(f"  {name:<40}{seconds:8.2f} s")

    print("\nsummary")
    for label, (_, total) in results.items():
        print(f"  dashboard, {label[:32]:<32} p50 {total.p50:7.1f} ms  p99 {total.p99:7.1f} ms"
              f"  (target < {TARGET_DASHBOARD_MS:.0f} ms)")
    if rollup_s is not None:
        print(f"  rollup, {scale.events:,} events{'':<17} {rollup_s:7.1f} s{'':<17}"
              f"(target < {TARGET_ROLLUP_S:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
