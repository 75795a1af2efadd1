"""The storage contract, the privacy tools' part: counting and deleting the stored raw
events exclusion rules match, and erasing a period (through the public :class:`Store`
interface only). New requests are matched in Python (``Rule.matches``); stored ones by
the backend, which must agree with it."""

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
    SAMPLE_DROPPED,
    add_site,
    clocks,
    event,
    tracked,
    write_sample,
)

PATHS = ["/", "/admin", "/admin/users", "/admin/sites?utm_source=x", "/blog/admin/", "/b", "/ab", "/Admin/x"]
REFERRERS = [None, "intranet.example", "wiki.intranet.example", "xintranet.example", "news.example"]


async def _write_paths(store: Store, site_id: int, day: str = DAY) -> None:
    items = [
        tracked(event(site_id, path, visitor=n, day=day, referrer_host=REFERRERS[n % len(REFERRERS)]))
        for n, path in enumerate(PATHS)
    ]
    assert await store.write_batch(items) == [None] * len(items)


def _expected(rule_text: str) -> int:
    """How many of the written events the rule matches by ``Rule.matches`` (as on new
    requests: the path without its query string)."""
    rule = parse_rule(rule_text)
    return sum(
        rule.matches(path.partition("?")[0], REFERRERS[n % len(REFERRERS)], "", "")
        for n, path in enumerate(PATHS)
    )


@pytest.mark.parametrize(
    "rule",
    [
        "path:/admin/*",
        "path:/admin*",
        "path:*admin*",
        "path:/?",
        "path:/[ab]*",
        "path:/[!a]*",  # a negated class: [!…] in Python, [^…] in SQLite's GLOB
        "path:/[!a-z]*",
        "path:/[^a]*",  # ^ is a member in a glob, not a negation (SQLite's GLOB negates)
        "path:/[]-a]*",  # a range from ]: in SQLite a ] is a member only first
        "referrer:intranet.example",
        "referrer:example",
    ],
)
async def test_count_excluded_matches_what_new_requests_match(store: Store, rule: str) -> None:
    site = await add_site(store)
    other = await add_site(store, "Other")
    await _write_paths(store, site.id)
    await _write_paths(store, site.id, "2026-11-21")
    await _write_paths(store, other.id)
    expected = _expected(rule)
    assert expected > 0
    assert await store.count_excluded(site.id, parse_rule(rule)) == {"2026-11-21": expected, DAY: expected}


async def test_rules_that_cannot_match_stored_events_count_nothing(store: Store) -> None:
    site = await add_site(store)
    await _write_paths(store, site.id)
    for rule in ("ua:*", "ip:0.0.0.0/0", "path:/nothing-like-it"):
        assert await store.count_excluded(site.id, parse_rule(rule)) == {}
    assert await store.delete_excluded(site.id, compile_rules(("ua:*", "ip:0.0.0.0/0"))) == {}
    assert await store.count_excluded(site.id, parse_rule("path:*")) == {DAY: len(PATHS)}


async def test_delete_excluded_deletes_the_matches_and_counts_each_event_once(store: Store) -> None:
    site = await add_site(store)
    other = await add_site(store, "Other")
    await _write_paths(store, site.id)
    await _write_paths(store, site.id, "2026-11-21")
    await _write_paths(store, other.id)
    rules = compile_rules(("path:/admin/*", "path:/admin*", "referrer:intranet.example"))
    matched = sum(
        any(r.matches(p.partition("?")[0], REFERRERS[n % len(REFERRERS)], "", "") for r in rules)
        for n, p in enumerate(PATHS)
    )
    assert await store.delete_excluded(site.id, rules) == {"2026-11-21": matched, DAY: matched}
    for rule in rules:
        assert await store.count_excluded(site.id, rule) == {}
    left = len(PATHS) - matched
    assert await store.count_excluded(site.id, parse_rule("path:*")) == {"2026-11-21": left, DAY: left}
    assert await store.count_excluded(other.id, parse_rule("path:*")) == {DAY: len(PATHS)}  # untouched
    assert await store.delete_excluded(site.id, rules) == {}  # nothing left to delete


async def test_erase_removes_a_period_of_a_site_and_nothing_else(store: Store) -> None:
    site = await add_site(store)
    other = await add_site(store, "Other")
    days = ["2026-11-20", "2026-11-21", DAY]
    for day in days:
        await write_sample(store, site, day)
    await write_sample(store, other)
    await store.add_optout(site.id, "aa" * 16, NOW)
    await store.rollup(clocks(site, other), NOW, None)
    november = Period(date(2026, 11, 1), date(2026, 11, 30))
    assert await store.erase(site.id, "2026-11-21", DAY) > 2 * 8  # raw rows, daily rows, counters
    assert await store.days_with_events(None, None) == [(site.id, "2026-11-20"), (other.id, DAY)]
    stats = store.stats()
    assert await stats.totals(site.id, Period(date(2026, 11, 21), date(2026, 11, 22))) == Totals()
    assert await stats.dropped(site.id, PERIOD) == []
    assert (await stats.totals(site.id, november)).visits == 3  # the 20th stays
    pages = await stats.breakdown(site.id, DIMENSIONS["pages"], november, 10, 0)  # month sums too
    assert [(r.value, r.totals.pageviews) for r in pages] == [("/a", 2), ("/b", 1), ("/c", 1)]
    assert (await stats.totals(other.id, PERIOD)).visits == 3
    assert await stats.dropped(other.id, PERIOD) == SAMPLE_DROPPED
    assert await store.has_optout(site.id, "aa" * 16)  # the site, its tokens and opt-outs stay
    assert await store.get_site(site.id) == site
    assert await store.erase(site.id, "2026-11-21", DAY) == 0
