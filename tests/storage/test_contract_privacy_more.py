"""More of the storage contract's privacy part: path rules on paths full of characters
that are special to a regular expression, and the daily tables after a retroactive
exclusion or an erasure, once the rollup (chosen days or the periodic pass) has run
again (public :class:`Store` interface only)."""

from __future__ import annotations

from datetime import date

import pytest

from collector.privacy.exclusions import compile_rules, parse_rule
from collector.stats.period import Period
from collector.stats.reports import DIMENSIONS, Totals
from collector.storage.base import Store
from tests.storage.contract import (
    DAY,
    NOW,
    PERIOD,
    add_site,
    clocks,
    event,
    sample_day,
    tracked,
    write_sample,
)

PATHS = [
    "/a.b",
    "/axb",
    "/a+b",
    "/aab",
    "/(x)",
    "/x",
    "/a|b",
    "/ab",
    "/$",
    "/{1}",
    "/]",
    "/-",
    "/!",
    "/[",
    "/\\",
    "/é",
    "/a.b?utm_source=x",
]
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.mark.parametrize(
    "rule",
    [
        "/a.b",
        "/a+b",
        "/(x)",
        "/a|b",
        "/$",
        "/{1}",
        "/[]]",
        "/[!]]*",
        "/[a-]",
        "/[-a]",
        "/[\\]",
        "/[[]",
        "/[a-c-e]*",
        "/*[!a-z]",
        "/?",
        "/a?b",
    ],
)
async def test_path_rules_take_regex_characters_literally(store: Store, rule: str) -> None:
    site = await add_site(store)
    items = [tracked(event(site.id, path, visitor=n)) for n, path in enumerate(PATHS)]
    assert await store.write_batch(items) == [None] * len(items)
    parsed = parse_rule(f"path:{rule}")
    expected = sum(parsed.matches(p.partition("?")[0], None, "", "") for p in PATHS)
    assert expected > 0
    assert await store.count_excluded(site.id, parsed) == {DAY: expected}
    assert await store.delete_excluded(site.id, (parsed,)) == {DAY: expected}
    assert await store.count_excluded(site.id, parse_rule("path:*")) == {DAY: len(PATHS) - expected}


async def _reports(store: Store, site_id: int) -> tuple[Totals, list[tuple[str, int]]]:
    stats = store.stats()
    pages = await stats.breakdown(site_id, DIMENSIONS["pages"], NOVEMBER, 10, 0)
    return await stats.totals(site_id, PERIOD), [(r.value, r.totals.pageviews) for r in pages]


async def test_days_rolled_up_again_after_an_exclusion_count_what_is_left(store: Store) -> None:
    site = await add_site(store)
    twin = await add_site(store, "Twin")  # what the site would hold had the rule been there
    await write_sample(store, site)
    left = [item for item in sample_day(twin.id) if item.event is None or item.event.path != "/a"]
    assert await store.write_batch(left) == [item.drop for item in left]
    sites = clocks(site, twin)
    await store.rollup(sites, NOW, None)
    removed = await store.delete_excluded(site.id, compile_rules(("path:/a",)))
    assert removed == {DAY: 2}
    assert await store.rollup(sites, NOW, [(site.id, day) for day in removed]) == [(site.id, DAY)]
    assert await _reports(store, site.id) == await _reports(store, twin.id)
    await store.rollup(sites, NOW, None)  # the periodic pass after it changes nothing
    assert await _reports(store, site.id) == await _reports(store, twin.id)
    assert (await _reports(store, site.id))[1] == [("/b", 1), ("/c", 1)]


async def test_an_erased_period_stays_empty_after_the_rollup(store: Store) -> None:
    site = await add_site(store)
    await write_sample(store, site)
    await write_sample(store, site, "2026-11-21")
    # before any rollup: the raw events (5 a day) and the drop counters (2 a day)
    assert await store.erase(site.id, "2026-11-21", DAY) == 2 * (5 + 2)
    await store.rollup(clocks(site), NOW, None)
    assert await store.days_with_events(site.id, None) == []
    assert await _reports(store, site.id) == (Totals(), [])
    assert await store.stats().dropped(site.id, PERIOD) == []
