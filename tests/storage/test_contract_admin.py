"""The storage contract, administration: sites, users, tokens, opt-outs, the audit log
and the retention purges (through the public :class:`Store` interface only)."""

from __future__ import annotations

from datetime import date

from collector.model import SiteSettings
from collector.stats.period import Period
from collector.stats.reports import DIMENSIONS
from collector.storage.base import Store
from tests.storage.contract import NOW, PERIOD, add_site, clocks, event, tracked, write_sample


async def test_a_new_site_has_its_own_secret_and_the_default_settings(store: Store) -> None:
    site = await store.add_site("Shop", ["shop.example", "www.shop.example"], "Europe/Oslo", NOW)
    other = await store.add_site("Blog", [], "UTC", NOW)
    assert (site.name, site.domains, site.timezone, site.settings) == (
        "Shop",
        ("shop.example", "www.shop.example"),
        "Europe/Oslo",
        SiteSettings(),
    )
    assert len(site.secret) >= 16 and site.secret != other.secret
    assert other.id != site.id
    assert await store.list_sites() == [site, other]


async def test_update_site_changes_every_field_it_is_given(store: Store) -> None:
    site = await add_site(store)
    other = await add_site(store, "Other")
    settings = SiteSettings(
        allowed_query_keys=("q",),
        campaign_keys=("ref",),
        raw_retention_days=5,
        aggregate_retention_months=24,
        honour_dnt=False,
        honour_gpc=False,
        check_host=False,
        consent_mode="consent_required",
        exclusions=("path:/admin/*", "ip:10.0.0.0/8"),
    )
    await store.update_site(site.id, "Shop!", ["a.example"], "UTC", settings)
    again = await store.get_site(site.id)
    assert again is not None
    assert (again.name, again.domains, again.timezone, again.settings) == (
        "Shop!",
        ("a.example",),
        "UTC",
        settings,
    )
    assert again.secret == site.secret  # never changed by an update
    assert await store.get_site(other.id) == other  # nor is another site
    await store.update_site(site.id, "Shop!", ["a.example"], "UTC", settings)  # the same again
    assert await store.get_site(site.id) == again


async def test_users_are_found_by_name(store: Store) -> None:
    ann = await store.add_user("ann", "scrypt$ann", True, NOW)
    bob = await store.add_user("bob", "scrypt$bob", False, NOW)
    assert ann != bob
    found = await store.get_user("ann")
    assert found is not None and (found.id, found.name, found.password_hash, found.is_admin) == (
        ann,
        "ann",
        "scrypt$ann",
        True,
    )
    found = await store.get_user("bob")
    assert found is not None and (found.id, found.is_admin) == (bob, False)
    assert await store.get_user("carol") is None


async def test_tokens_belong_to_one_site_and_scope(store: Store) -> None:
    site = await add_site(store)
    other = await add_site(store, "Other")
    first = await store.add_token(b"a" * 32, site.id, "stats", "wall", NOW)
    second = await store.add_token(b"b" * 32, other.id, "admin", "", NOW)
    assert first != second
    a, b = await store.find_token(b"a" * 32), await store.find_token(b"b" * 32)
    assert a is not None and (a.site_id, a.scope) == (site.id, "stats")
    assert b is not None and (b.site_id, b.scope) == (other.id, "admin")


async def test_opt_outs_are_added_once_and_removed(store: Store) -> None:
    site = await add_site(store)
    other = await add_site(store, "Other")
    await store.add_optout(site.id, "aa" * 16, NOW)
    await store.add_optout(site.id, "aa" * 16, NOW)  # idempotent
    assert await store.has_optout(site.id, "aa" * 16)
    assert not await store.has_optout(other.id, "aa" * 16)
    assert await store.add_optouts(site.id, ["aa" * 16, "bb" * 16, "cc" * 16, "cc" * 16], NOW) == 2
    assert await store.add_optouts(site.id, ["bb" * 16], NOW) == 0
    assert await store.add_optouts(site.id, [], NOW) == 0
    assert await store.has_optout(site.id, "bb" * 16) and await store.has_optout(site.id, "cc" * 16)
    await store.remove_optout(site.id, "aa" * 16)
    await store.remove_optout(site.id, "aa" * 16)  # idempotent
    assert not await store.has_optout(site.id, "aa" * 16)
    assert await store.has_optout(site.id, "bb" * 16)
    assert await store.write_batch([tracked(event(site.id, "/x"), uid_hash="aa" * 16)]) == [None]


async def test_the_audit_log_lists_newest_first_by_prefix_and_pages(store: Store) -> None:
    for n, action in enumerate(("token.add", "site.update", "token.revoke", "erase")):
        await store.audit("ann", action, f'{{"n": {n}}}', NOW + n, "203.0.0.0" if n == 0 else "")
    entries = await store.list_audit("", 2**62, 10)
    assert [e.action for e in entries] == ["erase", "token.revoke", "site.update", "token.add"]
    last = entries[-1]
    assert (last.ts, last.actor, last.detail, last.ip) == (int(NOW), "ann", '{"n": 0}', "203.0.0.0")
    assert [e.action for e in await store.list_audit("token.", 2**62, 10)] == ["token.revoke", "token.add"]
    page = await store.list_audit("", 2**62, 2)
    assert [e.action for e in page] == ["erase", "token.revoke"]
    rest = await store.list_audit("", page[-1].id, 10)
    assert [e.action for e in rest] == ["site.update", "token.add"]
    assert await store.purge_audit(NOW + 2) == 2  # entries older than the cut-off
    assert [e.action for e in await store.list_audit("", 2**62, 10)] == ["erase", "token.revoke"]
    assert await store.purge_audit(NOW + 2) == 0


async def test_purge_events_removes_a_sites_raw_events_before_a_day(store: Store) -> None:
    site = await add_site(store)
    other = await add_site(store, "Other")
    for day in ("2026-10-01", "2026-11-21", "2026-11-22"):
        await write_sample(store, site, day)
    await write_sample(store, other, "2026-10-01")
    assert await store.purge_events(site.id, "2026-11-21") == 5  # the first day's five events
    assert await store.days_with_events(None, None) == [
        (site.id, "2026-11-21"),
        (site.id, "2026-11-22"),
        (other.id, "2026-10-01"),
    ]
    assert await store.purge_events(site.id, "2026-11-21") == 0


async def test_purge_aggregates_removes_daily_rows_and_their_month_sums(store: Store) -> None:
    site = await add_site(store)
    days = [f"2026-10-{d:02d}" for d in range(1, 32)] + ["2026-11-22"]
    for day in days:
        await write_sample(store, site, day)
    await store.rollup(clocks(site), NOW, [(site.id, d) for d in days])
    year = Period(date(2026, 1, 1), date(2026, 11, 30))
    pages = DIMENSIONS["pages"]
    before = await store.stats().breakdown(site.id, pages, year, 10, 0)
    assert [(r.value, r.totals.pageviews) for r in before] == [("/a", 2 * 32), ("/b", 32), ("/c", 32)]
    assert await store.purge_aggregates(site.id, "2026-11-01") > 0
    assert (await store.stats().totals(site.id, Period(date(2026, 10, 1), date(2026, 10, 31)))).visits == 0
    after = await store.stats().breakdown(site.id, pages, year, 10, 0)  # October's month sums too
    assert [(r.value, r.totals.pageviews) for r in after] == [("/a", 2), ("/b", 1), ("/c", 1)]
    assert (await store.stats().totals(site.id, PERIOD)).visits == 3  # the day after the cut-off stays
    assert await store.days_with_events(site.id, "2026-10-01") == [(site.id, "2026-10-01")]  # raw stays
    assert await store.purge_aggregates(site.id, "2026-11-01") == 0
