"""Synthetic traffic with known answers.

Scripted visitors (each a distinct masked IP and/or User-Agent) do scripted hits at local
times in the site's zone (Europe/Oslo). The expected numbers are computed here, in plain
Python, from the visit rules of DESIGN.md and issue 3 — never with the project's SQL:

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
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit
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


CHROME = Agent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/130.0.0.0 Safari/537.36", "Chrome", "Windows", "desktop")
FIREFOX = Agent("Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
                "Firefox", "Linux", "desktop")
IPHONE = Agent("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
               "Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Mobile Safari", "iOS", "mobile")
IPAD = Agent("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Version/17.5 Mobile/15E148 Safari/604.1", "Mobile Safari", "iOS", "tablet")
ANDROID = Agent("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/130.0.0.0 Mobile Safari/537.36", "Chrome Mobile", "Android", "mobile")
EDGE = Agent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0", "Edge", "Windows", "desktop")
SAFARI = Agent("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
               "Version/18.1 Safari/605.1.15", "Safari", "Mac OS X", "desktop")


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
    out: dict[str, Any] = {"idsite": site_id, "rec": 1, "url": "https://example.com" + hit.path,
                           "cip": who.ip, "token_auth": token, "send_image": 0,
                           "cdt": int(hit.at.timestamp() * 1000)}
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


async def send(client: httpx.AsyncClient, site_id: int, token: str, pairs: Iterable[tuple[Visitor, Hit]]
               ) -> int:
    sent = 0
    for who, hit in pairs:
        reply = await client.get("/matomo.php", params=params(site_id, token, who, hit),
                                 headers={"User-Agent": who.agent.ua})
        assert reply.status_code == 204, reply.text
        assert "x-collector-dropped" not in reply.headers
        sent += 1
    return sent


# -- the known answers ------------------------------------------------------------------------------
def _query(path: str) -> dict[str, str]:
    return {k.lower(): v for k, v in parse_qsl(urlsplit(path).query)}


def page_of(path: str) -> str:
    """The page as reported: campaign keys removed (the script uses no other keys)."""
    split = urlsplit(path)
    kept = [(k, v) for k, v in parse_qsl(split.query) if not k.lower().startswith(CAMPAIGN_PREFIXES)]
    return split.path + ("?" + "&".join(f"{k}={v}" for k, v in kept) if kept else "")


def referrer_host(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    if host == "example.com" or host.endswith(".example.com"):
        return None
    return host.removeprefix("www.")


SEARCH = {"google.com", "bing.com", "duckduckgo.com"}
SOCIAL = {"t.co", "facebook.com", "reddit.com"}


def channel_of(first: Hit) -> str:
    query = _query(first.path)
    if query.get("utm_medium", "").lower() == "email":
        return "email"
    if any(k.startswith(CAMPAIGN_PREFIXES) for k in query):
        return "campaign"
    host = referrer_host(first.referrer)
    if host is None:
        return "direct"
    return "search" if host in SEARCH else "social" if host in SOCIAL else "referral"


@dataclass
class Visit:
    who: Visitor
    day: date
    hits: list[Hit] = field(default_factory=list)  # kept hits, pings included

    @property
    def first(self) -> Hit:
        return self.hits[0]

    @property
    def pages(self) -> list[str]:
        return [page_of(h.path) for h in self.hits if h.kind == "pageview"]

    @property
    def pageviews(self) -> int:
        return len(self.pages)

    @property
    def events(self) -> int:
        return sum(h.kind in INTERACTIVE for h in self.hits)

    @property
    def bounce(self) -> bool:
        return self.pageviews == 1 and self.events == 0

    @property
    def duration_s(self) -> int:
        return int((self.hits[-1].at - self.hits[0].at).total_seconds())

    @property
    def entry(self) -> str | None:
        return self.pages[0] if self.pages else None

    @property
    def exit(self) -> str | None:
        return self.pages[-1] if self.pages else None

    @property
    def start_hour(self) -> int:
        return self.first.at.astimezone(TZ).hour

    def attribute(self, dimension: str) -> str | None:
        first, query = self.first, _query(self.first.path)
        return {
            "channels": channel_of(first), "referrers": referrer_host(first.referrer),
            "browsers": self.who.agent.browser, "os": self.who.agent.os, "devices": self.who.agent.device,
            "utm_sources": query.get("utm_source"), "utm_mediums": query.get("utm_medium"),
            "utm_campaigns": query.get("utm_campaign"),
        }[dimension]


def visits_of(visitors: Iterable[Visitor]) -> list[Visit]:
    out: list[Visit] = []
    for who in visitors:
        by_day: dict[date, list[Hit]] = defaultdict(list)
        for hit in who.hits:
            by_day[hit.at.astimezone(TZ).date()].append(hit)
        for day, hits in sorted(by_day.items()):
            current: Visit | None = None
            for hit in sorted(hits, key=lambda h: h.at):
                running = current is not None and hit.at - current.hits[-1].at <= GAP
                if hit.kind == "ping":
                    if running and current is not None:
                        current.hits.append(hit)
                    continue  # no visit running: the ping is dropped
                if current is None or not running or hit.new_visit:
                    current = Visit(who, day)
                    out.append(current)
                current.hits.append(hit)
    return out


def metrics(visitors: int, visits: int, pageviews: int, bounces: int, duration_s: int, events: int
            ) -> dict[str, Any]:
    return {"visitors": visitors, "visits": visits, "pageviews": pageviews,
            "views_per_visit": round(pageviews / visits, 2) if visits else 0.0,
            "bounce_rate": round(100 * bounces / visits, 1) if visits else 0.0,
            "visit_duration_s": round(duration_s / visits) if visits else 0, "events": events}


def _rate(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def days(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


class Answers:
    """What the reports must say about ``visitors``."""

    def __init__(self, visitors: Iterable[Visitor]) -> None:
        self.visits = visits_of(visitors)

    def _in(self, first: str, last: str) -> list[Visit]:
        wanted = set(days(first, last))
        return [v for v in self.visits if v.day in wanted]

    @staticmethod
    def _totals(visits: list[Visit]) -> dict[str, Any]:
        visitors = len({(v.who.name, v.day) for v in visits})
        return metrics(visitors, len(visits), sum(v.pageviews for v in visits),
                       sum(v.bounce for v in visits), sum(v.duration_s for v in visits),
                       sum(v.events for v in visits))

    def daily_site(self) -> dict[str, tuple[int, ...]]:
        """day → (visitors, visits, pageviews, bounces, duration_s, events), as stored."""
        out = {}
        for day in sorted({v.day for v in self.visits}):
            vs = [v for v in self.visits if v.day == day]
            out[day.isoformat()] = (len({v.who.name for v in vs}), len(vs), sum(v.pageviews for v in vs),
                                    sum(v.bounce for v in vs), sum(v.duration_s for v in vs),
                                    sum(v.events for v in vs))
        return out

    def summary(self, first: str, last: str) -> dict[str, Any]:
        span = len(days(first, last))
        prev_last = date.fromisoformat(first) - timedelta(days=1)
        prev_first = prev_last - timedelta(days=span - 1)
        before = self._in(prev_first.isoformat(), prev_last.isoformat())
        return {"from": first, "to": last, "visitors_window": "day", **self._totals(self._in(first, last)),
                "previous": {"from": prev_first.isoformat(), "to": prev_last.isoformat(),
                             **self._totals(before)}}

    def daily(self, first: str, last: str) -> list[dict[str, Any]]:
        return [{"date": d.isoformat(), **self._totals(self._in(d.isoformat(), d.isoformat()))}
                for d in days(first, last)]

    def hourly(self, day: str) -> list[dict[str, Any]]:
        points = []
        visits = self._in(day, day)
        for hour in range(24):
            hits = [(v, h) for v in visits for h in v.hits if h.at.astimezone(TZ).hour == hour]
            starts = sum(v.start_hour == hour for v in visits)
            pageviews = sum(h.kind == "pageview" for _, h in hits)
            point = metrics(len({v.who.name for v, _ in hits}), starts, pageviews, 0, 0,
                            sum(h.kind in INTERACTIVE for _, h in hits))
            del point["bounce_rate"], point["visit_duration_s"]
            points.append({"date": f"{day}T{hour:02d}", **point})
        return points

    def _per_day(self, first: str, last: str, rows: Callable[[list[Visit]], dict[str, dict[str, int]]]
                 ) -> dict[str, dict[str, int]]:
        """Sum per-day rows over the range (visitors are distinct per day)."""
        total: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for d in days(first, last):
            for value, row in rows(self._in(d.isoformat(), d.isoformat())).items():
                for key, n in row.items():
                    total[value][key] += n
        return total

    def breakdown(self, dimension: str, first: str, last: str) -> dict[str, dict[str, Any]]:
        """value → the row the API must return, for every value."""
        if dimension in ("pages", "entry_pages", "exit_pages"):
            rows = self._per_day(first, last, _page_rows)
            out = {value: {"value": value, "visitors": r["visitors"], "visits": r["visits"],
                           "pageviews": r["pageviews"], "bounce_rate": _rate(r["bounces"], r["entries"]),
                           "entries": r["entries"], "exits": r["exits"]} for value, r in rows.items()}
            keep = {"pages": "pageviews", "entry_pages": "entries", "exit_pages": "exits"}[dimension]
            return {k: v for k, v in out.items() if v[keep] > 0}
        if dimension in ("events", "outlinks"):
            rows = self._per_day(first, last, lambda vs: _action_rows(vs, dimension))
            return {value: {"value": value, "events": r["events"], "visitors": r["visitors"],
                            "visits": r["visits"]} for value, r in rows.items()}
        rows = self._per_day(first, last, lambda vs: _visit_rows(vs, dimension))
        return {value: {"value": value, **metrics(r["visitors"], r["visits"], r["pageviews"], r["bounces"],
                                                  r["duration_s"], r["events"])}
                for value, r in rows.items()}


def _visit_rows(visits: list[Visit], dimension: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for value in {v.attribute(dimension) for v in visits} - {None}:
        assert value is not None
        vs = [v for v in visits if v.attribute(dimension) == value]
        out[value] = {"visitors": len({v.who.name for v in vs}), "visits": len(vs),
                      "pageviews": sum(v.pageviews for v in vs), "bounces": sum(v.bounce for v in vs),
                      "duration_s": sum(v.duration_s for v in vs), "events": sum(v.events for v in vs)}
    return out


def _page_rows(visits: list[Visit]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for page in {p for v in visits for p in v.pages}:
        seen = [v for v in visits if page in v.pages]
        entered = [v for v in visits if v.entry == page]
        out[page] = {"visitors": len({v.who.name for v in seen}), "visits": len(seen),
                     "pageviews": sum(v.pages.count(page) for v in visits), "entries": len(entered),
                     "exits": sum(v.exit == page for v in visits), "bounces": sum(v.bounce for v in entered)}
    return out


def _action_rows(visits: list[Visit], dimension: str) -> dict[str, dict[str, int]]:
    kind = {"events": "event", "outlinks": "outlink"}[dimension]
    found: dict[str, list[Visit]] = defaultdict(list)
    for v in visits:
        for h in v.hits:
            if h.kind == kind:
                value = f"{h.category} / {h.action}" if kind == "event" else _link(h.link or "")
                found[value].append(v)
    return {value: {"events": len(vs), "visitors": len({v.who.name for v in vs}),
                    "visits": len({id(v) for v in vs})} for value, vs in found.items()}


def _link(url: str) -> str:
    split = urlsplit(url)
    return (split.hostname or "") + (split.path or "/")


# -- the script: three days around "today" (2026-11-22, 13:00 in Oslo) ------------------------------
D1, D2, D3 = "2026-11-20", "2026-11-21", "2026-11-22"
OWN = "https://example.com/"

SCRIPT: tuple[Visitor, ...] = (
    Visitor("anna", "10.1.7.9", CHROME, (
        # from Google: two pages, an event, heartbeats; 300 s
        pv(D1, "09:00", "/", "https://www.google.com/search?q=analytics"), pv(D1, "09:02", "/pricing", OWN),
        ev(D1, "09:03", "signup", "click", "/pricing"), ping(D1, "09:04:30", "/pricing"),
        ping(D1, "09:05", "/pricing"),
        pv(D1, "10:00", "/blog", OWN),  # 55 min later: a new visit, a bounce
        pv(D1, "10:20", "/docs", OWN, new_visit=True), pv(D1, "10:25", "/docs/install", OWN),  # new_visit=1
        ping(D1, "11:10", "/docs/install"), ping(D1, "11:20", "/docs/install"),  # orphans: dropped
        pv(D2, "14:00", "/", "https://t.co/abc"), ping(D2, "14:10"),  # social; a bounce lasting 600 s
    )),
    Visitor("gro", "10.1.7.9", SAFARI, (  # anna's network, another browser: another visitor
        pv(D1, "09:01", "/"),
    )),
    Visitor("ben", "10.2.0.1", FIREFOX, (
        pv(D1, "15:00", "/landing?utm_source=newsletter&utm_medium=email&utm_campaign=nov"),
        pv(D1, "15:01", "/pricing", OWN),
        outlink(D1, "15:06", "https://github.com/acme/tool?tab=1", "/pricing"),
        # a campaign wins over its referrer
        pv(D2, "08:00", "/?utm_source=partner&utm_campaign=launch", "https://blog.partner.org/post"),
    )),
    Visitor("cara", "10.3.0.1", IPHONE, (
        # across midnight: two visits on two days; the ping at 00:03 starts nothing
        pv(D2, "23:50", "/", "https://news.unknown-host.net/a"), pv(D2, "23:55", "/blog", OWN),
        ev(D2, "23:58", "video", "play", "/blog"),
        ping(D3, "00:03", "/blog"), pv(D3, "00:05", "/blog/post", OWN), pv(D3, "00:12", "/", OWN),
    )),
    Visitor("dan", "10.4.0.1", ANDROID, (
        pv(D3, "09:00", "/"),  # a bounce
        ev(D3, "09:40", "cta", "click"),  # 40 min later: a visit with an event and no page view
        pv(D3, "10:30", "/pricing", "https://duckduckgo.com/"),  # a chain of pings keeps it alive
        ping(D3, "10:31", "/pricing"), ping(D3, "10:45", "/pricing"), ping(D3, "11:05", "/pricing"),
        pv(D3, "11:20", "/signup", OWN),
    )),
    Visitor("eva", "10.5.0.1", IPAD, (
        pv(D2, "12:00", "/"), pv(D2, "12:30", "/pricing", OWN),  # exactly 30 min: same visit
        pv(D2, "13:00:01", "/docs", OWN),  # 30 min 1 s: a new visit
    )),
    Visitor("finn", "10.6.0.1", EDGE, (
        pv(D3, "11:00", "/", "https://www.bing.com/"), ev(D3, "11:02", "signup", "submit"),
        pv(D3, "11:03", "/thanks", OWN),
    )),
)
