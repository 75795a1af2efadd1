"""The known answers for scripted traffic (tests/rollups/traffic.py), computed in plain
Python from the visit rules of docs/counting.md ("Visits") and issue 3 — never with the project's SQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.rollups.traffic import CAMPAIGN_PREFIXES, GAP, INTERACTIVE, TZ, Hit, Visitor


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
            "channels": channel_of(first),
            "referrers": referrer_host(first.referrer),
            "browsers": self.who.agent.browser,
            "os": self.who.agent.os,
            "devices": self.who.agent.device,
            "utm_sources": query.get("utm_source"),
            "utm_mediums": query.get("utm_medium"),
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


def metrics(
    visitors: int, visits: int, pageviews: int, bounces: int, duration_s: int, events: int
) -> dict[str, Any]:
    return {
        "visitors": visitors,
        "visits": visits,
        "pageviews": pageviews,
        "views_per_visit": round(pageviews / visits, 2) if visits else 0.0,
        "bounce_rate": round(100 * bounces / visits, 1) if visits else 0.0,
        "visit_duration_s": round(duration_s / visits) if visits else 0,
        "events": events,
    }


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
        return metrics(
            visitors,
            len(visits),
            sum(v.pageviews for v in visits),
            sum(v.bounce for v in visits),
            sum(v.duration_s for v in visits),
            sum(v.events for v in visits),
        )

    def daily_site(self) -> dict[str, tuple[int, ...]]:
        """day → (visitors, visits, pageviews, bounces, duration_s, events), as stored."""
        out = {}
        for day in sorted({v.day for v in self.visits}):
            vs = [v for v in self.visits if v.day == day]
            out[day.isoformat()] = (
                len({v.who.name for v in vs}),
                len(vs),
                sum(v.pageviews for v in vs),
                sum(v.bounce for v in vs),
                sum(v.duration_s for v in vs),
                sum(v.events for v in vs),
            )
        return out

    def summary(self, first: str, last: str) -> dict[str, Any]:
        span = len(days(first, last))
        prev_last = date.fromisoformat(first) - timedelta(days=1)
        prev_first = prev_last - timedelta(days=span - 1)
        before = self._in(prev_first.isoformat(), prev_last.isoformat())
        return {
            "from": first,
            "to": last,
            "visitors_window": "day",
            **self._totals(self._in(first, last)),
            "previous": {"from": prev_first.isoformat(), "to": prev_last.isoformat(), **self._totals(before)},
        }

    def daily(self, first: str, last: str) -> list[dict[str, Any]]:
        return [
            {"date": d.isoformat(), **self._totals(self._in(d.isoformat(), d.isoformat()))}
            for d in days(first, last)
        ]

    def hourly(self, day: str) -> list[dict[str, Any]]:
        points = []
        visits = self._in(day, day)
        for hour in range(24):
            hits = [(v, h) for v in visits for h in v.hits if h.at.astimezone(TZ).hour == hour]
            starts = sum(v.start_hour == hour for v in visits)
            pageviews = sum(h.kind == "pageview" for _, h in hits)
            point = metrics(
                len({v.who.name for v, _ in hits}),
                starts,
                pageviews,
                0,
                0,
                sum(h.kind in INTERACTIVE for _, h in hits),
            )
            del point["bounce_rate"], point["visit_duration_s"]
            points.append({"date": f"{day}T{hour:02d}", **point})
        return points

    def _per_day(
        self, first: str, last: str, rows: Callable[[list[Visit]], dict[str, dict[str, int]]]
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
            out = {
                value: {
                    "value": value,
                    "visitors": r["visitors"],
                    "visits": r["visits"],
                    "pageviews": r["pageviews"],
                    "bounce_rate": _rate(r["bounces"], r["entries"]),
                    "entries": r["entries"],
                    "exits": r["exits"],
                }
                for value, r in rows.items()
            }
            keep = {"pages": "pageviews", "entry_pages": "entries", "exit_pages": "exits"}[dimension]
            return {k: v for k, v in out.items() if v[keep] > 0}
        if dimension in ("events", "outlinks"):
            rows = self._per_day(first, last, lambda vs: _action_rows(vs, dimension))
            return {
                value: {
                    "value": value,
                    "events": r["events"],
                    "visitors": r["visitors"],
                    "visits": r["visits"],
                }
                for value, r in rows.items()
            }
        rows = self._per_day(first, last, lambda vs: _visit_rows(vs, dimension))
        return {
            value: {
                "value": value,
                **metrics(
                    r["visitors"], r["visits"], r["pageviews"], r["bounces"], r["duration_s"], r["events"]
                ),
            }
            for value, r in rows.items()
        }


def _visit_rows(visits: list[Visit], dimension: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for value in {v.attribute(dimension) for v in visits} - {None}:
        assert value is not None
        vs = [v for v in visits if v.attribute(dimension) == value]
        out[value] = {
            "visitors": len({v.who.name for v in vs}),
            "visits": len(vs),
            "pageviews": sum(v.pageviews for v in vs),
            "bounces": sum(v.bounce for v in vs),
            "duration_s": sum(v.duration_s for v in vs),
            "events": sum(v.events for v in vs),
        }
    return out


def _page_rows(visits: list[Visit]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for page in {p for v in visits for p in v.pages}:
        seen = [v for v in visits if page in v.pages]
        entered = [v for v in visits if v.entry == page]
        out[page] = {
            "visitors": len({v.who.name for v in seen}),
            "visits": len(seen),
            "pageviews": sum(v.pages.count(page) for v in visits),
            "entries": len(entered),
            "exits": sum(v.exit == page for v in visits),
            "bounces": sum(v.bounce for v in entered),
        }
    return out


def _action_rows(visits: list[Visit], dimension: str) -> dict[str, dict[str, int]]:
    kind = {"events": "event", "outlinks": "outlink"}[dimension]
    found: dict[str, list[Visit]] = defaultdict(list)
    for v in visits:
        for h in v.hits:
            if h.kind == kind:
                value = f"{h.category} / {h.action}" if kind == "event" else _link(h.link or "")
                found[value].append(v)
    return {
        value: {
            "events": len(vs),
            "visitors": len({v.who.name for v in vs}),
            "visits": len({id(v) for v in vs}),
        }
        for value, vs in found.items()
    }


def _link(url: str) -> str:
    split = urlsplit(url)
    return (split.hostname or "") + (split.path or "/")
