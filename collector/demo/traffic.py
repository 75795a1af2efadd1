"""``collector demo``: realistic traffic through the real ingest path.

Visits over the last N days, each a few page views with heartbeats, events, outlinks,
downloads and searches, from varied browsers, devices, languages, referrers and UTM
campaigns, with bots, DNT and GPC requests mixed in. The clock is moved per request, so
the same pipeline and writer serve as in production.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from collector.clock import FrozenClock, system_clock
from collector.geo.locator import open_locator
from collector.ingest.buffer import GroupCommitWriter
from collector.ingest.pipeline import HeaderInfo, PipelineEnv
from collector.ingest.service import Ingestor
from collector.ingest.spam import SpamList
from collector.ingest.useragent import UAParser
from collector.ingest.visitor import utc_day
from collector.metrics import Metrics
from collector.settings import Settings
from collector.storage.base import Store

BROWSERS = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0.0.0 Safari/537.36",
        "1920x1080",
        30,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.1 Safari/605.1.15",
        "1440x900",
        12,
    ),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0", "1366x768", 10),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "390x844",
        18,
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0.0.0 Mobile Safari/537.36",
        "412x915",
        16,
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.6 Mobile/15E148 Safari/604.1",
        "820x1180",
        5,
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
        "2560x1440",
        6,
    ),
]
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    "python-requests/2.32.3",
]
LANGUAGES = [
    ("en-US,en;q=0.9", 40),
    ("nb-NO,nb;q=0.9,en;q=0.8", 20),
    ("de-DE,de;q=0.9", 12),
    ("fr-FR,fr;q=0.9", 8),
    ("sv-SE,sv;q=0.9", 8),
    ("es-ES,es;q=0.9", 7),
    ("ja-JP,ja;q=0.9", 5),
]
PAGES = [
    ("/", "Home", 30),
    ("/pricing", "Pricing", 12),
    ("/features", "Features", 10),
    ("/blog/", "Blog", 8),
    ("/blog/cookieless-analytics", "Analytics without cookies", 9),
    ("/blog/matomo-migration", "Moving from Matomo", 6),
    ("/docs/", "Documentation", 8),
    ("/docs/install", "Install", 6),
    ("/docs/api", "API reference", 4),
    ("/about", "About us", 4),
    ("/contact", "Contact", 3),
    ("/signup", "Sign up", 5),
]
REFERRERS = [
    ("", 40),
    ("https://www.google.com/", 25),
    ("https://duckduckgo.com/", 6),
    ("https://www.bing.com/search?q=analytics", 4),
    ("https://news.ycombinator.com/item?id=1", 5),
    ("https://www.reddit.com/r/privacy/", 4),
    ("https://t.co/abc", 3),
    ("https://github.com/example/project", 4),
    ("https://www.linkedin.com/feed/", 3),
    ("https://blog.example.org/post", 3),
    ("https://semalt.com/", 1),
]
CAMPAIGNS = [None] * 12 + [
    "utm_source=newsletter&utm_medium=email&utm_campaign=november",
    "utm_source=mastodon&utm_medium=social&utm_campaign=launch",
    "mtm_campaign=spring-sale&mtm_source=partner",
]


@dataclass
class _Visit:
    ip: str
    ua: str
    res: str
    lang: str


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, ...]]) -> tuple[Any, ...]:
    return rng.choices(weighted, weights=[int(i[-1]) for i in weighted])[0]


def _headers(visit: _Visit, dnt: bool = False, gpc: bool = False) -> HeaderInfo:
    return HeaderInfo(peer=visit.ip, user_agent=visit.ua, accept_language=visit.lang, dnt=dnt, gpc=gpc)


async def run_demo(
    store: Store, settings: Settings, site_id: int, *, days: int, visits_per_day: int, seed: int
) -> dict[str, int]:
    rng = random.Random(seed)
    clock = FrozenClock(system_clock())
    metrics = Metrics()
    writer = GroupCommitWriter(store, metrics)
    env = PipelineEnv(
        settings.trusted_proxies,
        settings.ip_mask_bytes,
        UAParser(),
        SpamList(settings.referrer_spam_file),
        open_locator(settings.geo_database, settings.ip_mask_bytes),
    )
    ingestor = Ingestor(store, writer, env, clock, metrics)
    site = await ingestor.site(site_id)
    assert site is not None
    host = site.domains[0] if site.domains else "demo.example"
    end = system_clock()
    writer.start()
    counts: Counter[str] = Counter()
    try:
        for day in range(days, -1, -1):
            for _ in range(visits_per_day):
                start = end - day * 86400 - rng.uniform(0, 86400 if day else 3600 * 6)
                await _one_visit(ingestor, clock, rng, site_id, host, start, counts)
    finally:
        await writer.stop()
        # the demo's past days keep no salt (made now, they would live 48 hours)
        await ingestor.salts.drop_days_before(utc_day(system_clock()) - timedelta(days=1))
    return {
        "requests": sum(counts.values()),
        **counts,
        "stored": metrics.accepted,
        "dropped": sum(metrics.dropped.values()),
    }


async def _one_visit(
    ingestor: Ingestor,
    clock: FrozenClock,
    rng: random.Random,
    site_id: int,
    host: str,
    start: float,
    counts: Counter[str],
) -> None:
    ua, res, _ = _pick(rng, BROWSERS)
    visit = _Visit(
        ip=f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.1",
        ua=ua,
        res=res,
        lang=_pick(rng, LANGUAGES)[0],
    )
    roll = rng.random()
    dnt = roll < 0.04
    gpc = 0.04 <= roll < 0.07
    if roll > 0.95:
        visit.ua = rng.choice(BOTS)
    ref = _pick(rng, REFERRERS)[0]
    campaign = rng.choice(CAMPAIGNS)
    now = start
    for n in range(rng.choices([1, 2, 3, 4, 6], weights=[40, 25, 15, 12, 8])[0]):
        path, title, _ = _pick(rng, PAGES)
        url = f"https://{host}{path}" + (f"?{campaign}" if campaign and n == 0 else "")
        params = {
            "idsite": str(site_id),
            "rec": "1",
            "url": url,
            "action_name": title,
            "res": visit.res,
            "pv_id": f"{rng.randrange(16**6):06x}",
            "urlref": ref if n == 0 else f"https://{host}/",
        }
        await _send(ingestor, clock, now, params, _headers(visit, dnt, gpc), counts, "pageview")
        now += rng.uniform(5, 240)
        if rng.random() < 0.5:
            await _send(
                ingestor, clock, now, {**params, "ping": "1"}, _headers(visit, dnt, gpc), counts, "ping"
            )
        if rng.random() < 0.15:
            event = (
                {"e_c": "Video", "e_a": "Play", "e_n": "intro"}
                if rng.random() < 0.5
                else {"e_c": "Signup", "e_a": "Submit"}
            )
            await _send(
                ingestor,
                clock,
                now,
                {**params, **event, "ca": "1"},
                _headers(visit, dnt, gpc),
                counts,
                "event",
            )
        if rng.random() < 0.06:
            await _send(
                ingestor,
                clock,
                now,
                {**params, "link": "https://github.com/example"},
                _headers(visit, dnt, gpc),
                counts,
                "outlink",
            )
        if rng.random() < 0.04:
            await _send(
                ingestor,
                clock,
                now,
                {**params, "download": f"https://{host}/files/whitepaper.pdf"},
                _headers(visit, dnt, gpc),
                counts,
                "download",
            )
        if rng.random() < 0.05:
            await _send(
                ingestor,
                clock,
                now,
                {
                    **params,
                    "search": rng.choice(["pricing", "api", "gdpr", "install docker"]),
                    "search_count": "3",
                },
                _headers(visit, dnt, gpc),
                counts,
                "search",
            )
        now += rng.uniform(1, 60)


async def _send(
    ingestor: Ingestor,
    clock: FrozenClock,
    ts: float,
    params: dict[str, str],
    headers: HeaderInfo,
    counts: Counter[str],
    kind: str,
) -> None:
    clock.now = ts
    await ingestor.track_one(dict(params), headers)
    counts[kind] += 1
