"""The rollup task: which days to recompute, for which sites, and when.

``serve`` runs it every ``COLLECTOR_ROLLUP_INTERVAL_S`` (days that received events since
the last run); ``collector rollup [--site] [--day]`` recomputes chosen days by hand.
"""

from __future__ import annotations

from typing import Protocol

from collector.clock import Clock
from collector.model import Site, SiteClock
from collector.settings import Settings
from collector.storage import roles


class RollupStore(roles.Sites, roles.Rollups, Protocol):
    """The roles a rollup uses: the sites' clocks, and the rollup itself."""


def raw_retention_days(site: Site, settings: Settings) -> int:
    """How many days a site's raw events are kept: its own setting, else the server's."""
    return site.settings.raw_retention_days or settings.raw_retention_days


async def site_clocks(store: roles.Sites, settings: Settings) -> dict[int, SiteClock]:
    return {
        site.id: SiteClock(site.tz, raw_retention_days(site, settings)) for site in await store.list_sites()
    }


async def rollup(
    store: RollupStore, settings: Settings, clock: Clock, site_id: int | None = None, day: str | None = None
) -> list[tuple[int, str]]:
    """Recompute dirty days (no arguments) or every day with raw events for the chosen
    site and/or day. Returns the (site, day) pairs rolled up."""
    sites = await site_clocks(store, settings)
    if site_id is None and day is None:
        return await store.rollup(sites, clock(), None)
    chosen = await store.days_with_events(site_id, day)
    return await store.rollup(sites, clock(), chosen)
