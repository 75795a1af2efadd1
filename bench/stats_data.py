"""The stats benchmark's data: a year of daily tables for one site, generated straight into
SQLite, and one day of raw events (see bench/stats.py for what is measured)."""

from __future__ import annotations

import heapq
import random
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from collector.storage.sql import query

FIRST_DAY = date(2025, 1, 1)
SITE = 1

# -- what the generated traffic looks like ------------------------------------------------

SECTIONS = ("blog", "docs", "products", "guides", "news", "help", "category", "tags")
CHANNELS = (("direct", 35), ("search", 33), ("referral", 14), ("social", 10), ("campaign", 6), ("email", 2))
SEARCH_HOSTS = (
    "www.google.com",
    "duckduckgo.com",
    "www.bing.com",
    "www.ecosia.org",
    "search.brave.com",
    "www.qwant.com",
    "yandex.ru",
    "www.startpage.com",
)
SOCIAL_HOSTS = (
    "news.ycombinator.com",
    "www.reddit.com",
    "t.co",
    "www.linkedin.com",
    "mastodon.social",
    "www.facebook.com",
    "bsky.app",
    "lobste.rs",
    "www.youtube.com",
)
BROWSERS = (
    "Chrome",
    "Safari",
    "Mobile Safari",
    "Firefox",
    "Edge",
    "Samsung Internet",
    "Chrome Mobile",
    "Opera",
    "Firefox Mobile",
    "Brave",
    "Vivaldi",
    "DuckDuckGo",
    "Yandex Browser",
    "UC Browser",
    "Chromium",
)
OSES = ("Windows", "Mac OS X", "iOS", "Android", "Linux", "Chrome OS", "Ubuntu", "Fedora", "FreeBSD")
DEVICES = ("desktop", "mobile", "tablet", "other")
SCREENS = ("desktop", "mobile", "laptop", "tablet")
LANGS = (
    "en",
    "de",
    "fr",
    "es",
    "nb",
    "sv",
    "nl",
    "it",
    "pt",
    "pl",
    "ja",
    "zh",
    "ru",
    "da",
    "fi",
    "cs",
    "tr",
    "ko",
    "uk",
    "hu",
    "ro",
    "el",
    "he",
    "ar",
    "id",
    "vi",
    "th",
    "hi",
    "bg",
    "sk",
    "lt",
    "lv",
    "et",
    "sl",
    "hr",
    "sr",
    "ca",
    "eu",
    "gl",
    "is",
    "fa",
    "ms",
    "bn",
    "ta",
    "ur",
)
UTM_SOURCES = (
    "newsletter",
    "mastodon",
    "partner",
    "twitter",
    "linkedin",
    "facebook",
    "podcast",
    "producthunt",
    "github",
    "reddit",
    "devto",
    "hn",
    "youtube",
    "sponsor",
    "affiliate",
)
UTM_MEDIUMS = ("email", "social", "cpc", "referral", "display", "affiliate", "podcast")
EVENT_NAMES = tuple(
    f"{c} / {a}"
    for c in ("video", "form", "cta", "nav", "cart")
    for a in ("play", "pause", "submit", "click", "open", "close", "add", "remove")
)
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
    hosts = (
        *SEARCH_HOSTS,
        *SOCIAL_HOSTS,
        *(
            f"{w}{n}.example.{tld}"
            for n in range(600)
            for w, tld in (("blog", "org"), ("news", "com"), ("www.site", "net"))
        ),
    )
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
    outlinks = tuple(
        f"https://{h}/{p}"
        for h in ("github.com", "example.org", "docs.python.org", "en.wikipedia.org", "youtube.com")
        for p in range(400)
    )
    downloads = tuple(f"https://cdn.example.com/files/report-{n:03d}.pdf" for n in range(150))
    searches = tuple(f"query {n} {SECTIONS[n % len(SECTIONS)]}" for n in range(20000))
    return [
        (Catalogue("events", EVENT_NAMES, 40, 0, 1.2), 0.5),
        (Catalogue("outlinks", outlinks, 80, 120, 1.1), 0.2),
        (Catalogue("downloads", downloads, 30, 20, 1.1), 0.1),
        (Catalogue("searches", searches, 100, 300, 1.0), 0.2),
    ]


# -- the daily tables ---------------------------------------------------------------------

DIM_SQL = (
    "INSERT INTO daily_dimension (site_id, dimension, day, value, visitors, visits, pageviews, "
    "entries, exits, bounces, duration_s, events) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)
SITE_SQL = (
    "INSERT INTO daily_site (site_id, day, visitors, visits, pageviews, bounces, duration_s, "
    "events) VALUES (?,?,?,?,?,?,?,?)"
)
HOUR_SQL = (
    "INSERT INTO hourly_site (site_id, day, hour, visitors, visits, pageviews, events) VALUES (?,?,?,?,?,?,?)"
)


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
        rows.append(
            (SITE, "pages", day, pages.values[rank], visitors, visits, pv, entries, exits, bounces, 0, 0)
        )
    return rows


def day_tables(
    index: int,
    scale: Scale,
    pages: Catalogue,
    visit_dims: list[tuple[Catalogue, float]],
    action_dims: list[tuple[Catalogue, float]],
    seed: int,
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
            rows.append(
                (
                    SITE,
                    cat.name,
                    day,
                    cat.values[rank],
                    n - n // 6,
                    n,
                    _coin(rng, n * 2.5),
                    0,
                    0,
                    b,
                    d,
                    _coin(rng, n * 0.3),
                )
            )
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
    pages = Catalogue(
        "pages",
        tuple(path_name(r) for r in range(scale.catalogue)),
        core=scale.paths // 2,
        tail=scale.paths - scale.paths // 2,
        s=1.0,
    )
    visit_dims, action_dims = visit_catalogues(scale), action_catalogues()
    conn = bulk_connection(path)
    n = 0
    try:
        conn.execute("BEGIN")
        for index in range(scale.days):
            site_row, hours, rows = day_tables(index, scale, pages, visit_dims, action_dims, seed)
            conn.execute(SITE_SQL, site_row)
            conn.executemany(HOUR_SQL, hours)
            conn.executemany(DIM_SQL, rows)
            n += len(rows)
        for sql in query("rebuild_months").split(";\n"):  # what the rollup keeps in step
            conn.execute(sql, {"site": SITE, "first": "0000-01", "last": "9999-12"})
        conn.execute("COMMIT")
    finally:
        conn.close()
    return n


def bulk_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    return conn
