"""Synthetic traffic with known answers.

Scripted visitors (each a distinct masked IP and/or User-Agent) do scripted hits at local
times in the site's zone (Europe/Oslo). The expected numbers are computed here, in plain
Python, from the visit rules of docs/counting.md ("Visits") and issue 3 — never with the project's SQL:

* a visit starts at a visitor's first non-ping hit of a local day, after more than 30
  minutes without a hit, or on ``new_visit=1``; midnight (local) ends every visit;
* a ping (heartbeat) extends the current visit and never starts one: a ping with no
  visit running (before the day's first non-ping hit, or > 30 min after the last kept
  hit) is dropped;
* bounce = exactly one page view and no interactive event; duration = last − first hit;
* entry / exit page = first / last page view; attributes come from the visit's first hit;
* visitors over a range = distinct visitors per day, summed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

TZ = ZoneInfo("Europe/Oslo")
GAP = timedelta(minutes=30)
INTERACTIVE = ("event", "outlink", "download", "search")
CAMPAIGN_PREFIXES = ("utm_", "mtm_", "pk_")


@dataclass(frozen=True)
class Agent:
    ua: str
    browser: str
    os: str
    device: str


CHROME = Agent(
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
    "Chrome",
    "Windows",
    "desktop",
)
FIREFOX = Agent(
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0", "Firefox", "Linux", "desktop"
)
IPHONE = Agent(
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mobile Safari",
    "iOS",
    "mobile",
)
IPAD = Agent(
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "Mobile Safari",
    "iOS",
    "tablet",
)
ANDROID = Agent(
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Mobile Safari/537.36",
    "Chrome Mobile",
    "Android",
    "mobile",
)
EDGE = Agent(
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
    "Edge",
    "Windows",
    "desktop",
)
SAFARI = Agent(
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Safari",
    "Mac OS X",
    "desktop",
)


@dataclass(frozen=True)
class Hit:
    at: datetime  # aware, local time of the site
    kind: str = "pageview"  # pageview | event | ping | outlink
    path: str = "/"  # the page URL's path (and campaign query)
    referrer: str | None = None
    category: str | None = None
    action: str | None = None
    link: str | None = None
    new_visit: bool = False


@dataclass(frozen=True)
class Visitor:
    name: str
    ip: str  # the last two octets are masked away: vary the first two
    agent: Agent
    hits: tuple[Hit, ...]


def local(day: str, clock_time: str, tz: ZoneInfo = TZ) -> datetime:
    """``local("2026-11-20", "09:00")`` or ``"09:00:30"`` in the site's zone."""
    parts = [int(p) for p in clock_time.split(":")] + [0]
    return datetime.fromisoformat(day).replace(hour=parts[0], minute=parts[1], second=parts[2], tzinfo=tz)


def pv(day: str, at: str, path: str = "/", ref: str | None = None, new_visit: bool = False) -> Hit:
    return Hit(local(day, at), "pageview", path, ref, new_visit=new_visit)


def ev(day: str, at: str, category: str, action: str, path: str = "/") -> Hit:
    return Hit(local(day, at), "event", path, category=category, action=action)


def ping(day: str, at: str, path: str = "/") -> Hit:
    return Hit(local(day, at), "ping", path)


def outlink(day: str, at: str, link: str, path: str = "/") -> Hit:
    return Hit(local(day, at), "outlink", path, link=link)


# -- sending ----------------------------------------------------------------------------------------
def params(site_id: int, token: str, who: Visitor, hit: Hit) -> dict[str, Any]:
    out: dict[str, Any] = {
        "idsite": site_id,
        "rec": 1,
        "url": "https://example.com" + hit.path,
        "cip": who.ip,
        "token_auth": token,
        "send_image": 0,
        "cdt": int(hit.at.timestamp() * 1000),
    }
    if hit.referrer:
        out["urlref"] = hit.referrer
    if hit.kind == "ping":
        out["ping"] = 1
    elif hit.kind == "event":
        out.update(e_c=hit.category, e_a=hit.action)
    elif hit.kind == "outlink":
        out["link"] = hit.link
    if hit.new_visit:
        out["new_visit"] = 1
    return out


def shuffled(visitors: Iterable[Visitor], seed: int = 7) -> list[tuple[Visitor, Hit]]:
    """Every hit of every visitor, in an arrival order that is not the time order."""
    pairs = [(who, hit) for who in visitors for hit in who.hits]
    random.Random(seed).shuffle(pairs)
    return pairs


async def send(
    client: httpx.AsyncClient, site_id: int, token: str, pairs: Iterable[tuple[Visitor, Hit]]
) -> int:
    sent = 0
    for who, hit in pairs:
        reply = await client.get(
            "/matomo.php", params=params(site_id, token, who, hit), headers={"User-Agent": who.agent.ua}
        )
        assert reply.status_code == 204, reply.text
        assert "x-collector-dropped" not in reply.headers
        sent += 1
    return sent


# -- the script: three days around "today" (2026-11-22, 13:00 in Oslo) ------------------------------
D1, D2, D3 = "2026-11-20", "2026-11-21", "2026-11-22"
OWN = "https://example.com/"

SCRIPT: tuple[Visitor, ...] = (
    Visitor(
        "anna",
        "10.1.7.9",
        CHROME,
        (
            # from Google: two pages, an event, heartbeats; 300 s
            pv(D1, "09:00", "/", "https://www.google.com/search?q=analytics"),
            pv(D1, "09:02", "/pricing", OWN),
            ev(D1, "09:03", "signup", "click", "/pricing"),
            ping(D1, "09:04:30", "/pricing"),
            ping(D1, "09:05", "/pricing"),
            pv(D1, "10:00", "/blog", OWN),  # 55 min later: a new visit, a bounce
            pv(D1, "10:20", "/docs", OWN, new_visit=True),
            pv(D1, "10:25", "/docs/install", OWN),  # new_visit=1
            ping(D1, "11:10", "/docs/install"),
            ping(D1, "11:20", "/docs/install"),  # orphans: dropped
            pv(D2, "14:00", "/", "https://t.co/abc"),
            ping(D2, "14:10"),  # social; a bounce lasting 600 s
        ),
    ),
    Visitor(
        "gro",
        "10.1.7.9",
        SAFARI,
        (  # anna's network, another browser: another visitor
            pv(D1, "09:01", "/"),
        ),
    ),
    Visitor(
        "ben",
        "10.2.0.1",
        FIREFOX,
        (
            pv(D1, "15:00", "/landing?utm_source=newsletter&utm_medium=email&utm_campaign=nov"),
            pv(D1, "15:01", "/pricing", OWN),
            outlink(D1, "15:06", "https://github.com/acme/tool?tab=1", "/pricing"),
            # a campaign wins over its referrer
            pv(D2, "08:00", "/?utm_source=partner&utm_campaign=launch", "https://blog.partner.org/post"),
        ),
    ),
    Visitor(
        "cara",
        "10.3.0.1",
        IPHONE,
        (
            # across midnight: two visits on two days; the ping at 00:03 starts nothing
            pv(D2, "23:50", "/", "https://news.unknown-host.net/a"),
            pv(D2, "23:55", "/blog", OWN),
            ev(D2, "23:58", "video", "play", "/blog"),
            ping(D3, "00:03", "/blog"),
            pv(D3, "00:05", "/blog/post", OWN),
            pv(D3, "00:12", "/", OWN),
        ),
    ),
    Visitor(
        "dan",
        "10.4.0.1",
        ANDROID,
        (
            pv(D3, "09:00", "/"),  # a bounce
            ev(D3, "09:40", "cta", "click"),  # 40 min later: a visit with an event and no page view
            pv(D3, "10:30", "/pricing", "https://duckduckgo.com/"),  # a chain of pings keeps it alive
            ping(D3, "10:31", "/pricing"),
            ping(D3, "10:45", "/pricing"),
            ping(D3, "11:05", "/pricing"),
            pv(D3, "11:20", "/signup", OWN),
        ),
    ),
    Visitor(
        "eva",
        "10.5.0.1",
        IPAD,
        (
            pv(D2, "12:00", "/"),
            pv(D2, "12:30", "/pricing", OWN),  # exactly 30 min: same visit
            pv(D2, "13:00:01", "/docs", OWN),  # 30 min 1 s: a new visit
        ),
    ),
    Visitor(
        "finn",
        "10.6.0.1",
        EDGE,
        (
            pv(D3, "11:00", "/", "https://www.bing.com/"),
            ev(D3, "11:02", "signup", "submit"),
            pv(D3, "11:03", "/thanks", OWN),
        ),
    ),
)
