"""The operator's privacy tools that change stored data: retroactive exclusions and
erasure. The CLI and the dashboard call these; each writes an audit entry."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from collector.clock import Clock
from collector.model import Site
from collector.privacy.exclusions import Rule, compile_rules
from collector.rollups.runner import site_clocks
from collector.settings import Settings
from collector.storage import roles
from collector.storage.base import Store


@dataclass(frozen=True, slots=True)
class RuleMatches:
    rule: Rule
    per_day: dict[str, int]  # empty for rules that cannot match stored events

    @property
    def total(self) -> int:
        return sum(self.per_day.values())


async def preview(store: roles.Erasure, site: Site) -> list[RuleMatches]:
    """How many stored raw events (all within the raw retention window) each of the
    site's rules matches, per day."""
    return [
        RuleMatches(rule, await store.count_excluded(site.id, rule))
        for rule in compile_rules(site.settings.exclusions)
    ]


async def _reroll(store: Store, settings: Settings, clock: Clock, site_id: int, days: list[str]) -> None:
    if days:
        sites = await site_clocks(store, settings)
        await store.rollup(sites, clock(), [(site_id, d) for d in sorted(days)])


async def apply_exclusions(
    store: Store, settings: Settings, clock: Clock, site: Site, actor: str, ip: str = ""
) -> dict[str, int]:
    """Remove the stored raw events the site's rules match and roll their days up again,
    so the daily tables agree with the rules. Returns the removed count per day."""
    removed = await store.delete_excluded(site.id, compile_rules(site.settings.exclusions))
    await _reroll(store, settings, clock, site.id, list(removed))
    await store.audit(
        actor,
        "exclusions.apply",
        orjson.dumps({"site": site.id, "removed": sum(removed.values()), "days": len(removed)}).decode(),
        clock(),
        ip,
    )
    return removed


async def erase(
    store: Store, clock: Clock, site: Site, first: str, last: str, actor: str, ip: str = ""
) -> int:
    """Delete everything collected for the site from ``first`` to ``last`` (its days,
    inclusive): raw events, daily tables, drop counters."""
    removed = await store.erase(site.id, first, last)
    await store.audit(
        actor,
        "erase",
        orjson.dumps({"site": site.id, "from": first, "to": last, "rows": removed}).decode(),
        clock(),
        ip,
    )
    return removed
