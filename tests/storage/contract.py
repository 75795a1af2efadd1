"""Helpers of the storage contract suite: events and write items, a small day of traffic
whose reports are known by hand, and the site clocks the rollup takes. Only the public
:class:`Store` interface is used."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from collector.model import DropReason, Event, Kind, Site, SiteClock
from collector.stats.period import Period
from collector.stats.reports import Totals
from collector.storage.base import Store, WriteItem

NOW = 1795348800.0  # 2026-11-22 12:00:00 UTC
DAY = "2026-11-22"
PERIOD = Period(date(2026, 11, 22), date(2026, 11, 22))
RETENTION_DAYS = 30

StoreFactory = Callable[[], Store]  # a new, unopened store on the test's database


def ms(hhmm: str, day: str = DAY) -> int:
    """The UTC instant of ``hh:mm`` on ``day``, in milliseconds."""
    moment = datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def event(
    site_id: int,
    path: str | None,
    *,
    visitor: int = 7,
    at: str = "10:00",
    day: str = DAY,
    kind: Kind = Kind.PAGEVIEW,
    **fields: Any,
) -> Event:
    return Event(site_id=site_id, ts_ms=ms(at, day), day=day, visitor=visitor, kind=kind, path=path, **fields)


def tracked(ev: Event, uid_hash: str | None = None) -> WriteItem:
    return WriteItem(ev.site_id, ev.day, ev, None, uid_hash)


def dropped(site_id: int, reason: DropReason, day: str = DAY) -> WriteItem:
    return WriteItem(site_id, day, None, reason)


def clocks(*sites: Site) -> dict[int, SiteClock]:
    return {site.id: SiteClock(site.tz, RETENTION_DAYS) for site in sites}


async def add_site(store: Store, name: str = "Shop", timezone: str = "UTC") -> Site:
    return await store.add_site(name, [f"{name.lower()}.example"], timezone, NOW)


def sample_day(site_id: int, day: str = DAY) -> list[WriteItem]:
    """Three visitors, one visit each:

    - 1 reads /a then /b (10:00, 10:05) from news.example on a desktop Firefox in Germany;
    - 2 reads /a alone (11:00) on a phone: a bounce;
    - 3 reads /c (12:00) and sends an event (12:01): not a bounce.

    and three drops: two ``dnt``, one ``bot``."""
    visit_1 = {"referrer_host": "news.example", "browser": "Firefox", "device": "desktop", "country": "de"}
    return [
        tracked(event(site_id, "/a", visitor=1, at="10:00", day=day, **visit_1)),
        tracked(event(site_id, "/b", visitor=1, at="10:05", day=day, **visit_1)),
        tracked(event(site_id, "/a", visitor=2, at="11:00", day=day, device="smartphone")),
        tracked(event(site_id, "/c", visitor=3, at="12:00", day=day)),
        tracked(
            event(
                site_id,
                "/c",
                visitor=3,
                at="12:01",
                day=day,
                kind=Kind.EVENT,
                event_category="video",
                event_action="play",
            )
        ),
        dropped(site_id, DropReason.DNT, day),
        dropped(site_id, DropReason.DNT, day),
        dropped(site_id, DropReason.BOT, day),
    ]


# What the sample day's reports are, worked out by hand.
SAMPLE_TOTALS = Totals(visitors=3, visits=3, pageviews=4, bounces=1, duration_s=300 + 60, events=1)
SAMPLE_DROPPED = [("dnt", 2), ("bot", 1)]


async def write_sample(store: Store, site: Site, day: str = DAY) -> None:
    items = sample_day(site.id, day)
    assert await store.write_batch(items) == [i.drop for i in items]
