"""Exclusion rules (new requests dropped as ``excluded``; stored matches removed and their
days rolled up again, against a ground truth), consent modes, and erasure."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from collector.clock import FrozenClock
from collector.model import Site, SiteSettings
from collector.privacy import tools as privacy_tools
from collector.privacy.exclusions import RuleError, compile_rules, parse_rule, parse_rules
from collector.rollups.runner import rollup
from collector.settings import Settings
from collector.site_settings import SiteChangeError, apply_changes
from collector.storage.sqlite import SqliteStore
from tests.conftest import CHROME, Tables

pytestmark = pytest.mark.both_backends  # the same behaviour on SQLite and PostgreSQL

KIOSK = CHROME + " OfficeKiosk/3.1"  # a real browser the owner does not want counted


@pytest.mark.parametrize(
    "text, expected",
    [
        ("path:/admin/*", "path:/admin/*"),
        ("  PATH : /wp-*  ", "path:/wp-*"),
        ("referrer:Intranet.Example.", "referrer:intranet.example"),
        ("ua:*OfficeKiosk*", "ua:*OfficeKiosk*"),
        ("ip:10.20.0.7/16", "ip:10.20.0.0/16"),
        ("ip:2001:db8::/32", "ip:2001:db8::/32"),
    ],
)
def test_rules_are_parsed_and_normalised(text: str, expected: str) -> None:
    assert str(parse_rule(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "path",
        "host:x",
        "path:admin",
        "path:/a b",
        "referrer:not a host",
        "ip:10.20.0.300/16",
        "ip:office",
        "ua:\x00",
        "path:/" + "a" * 300,
    ],
)
def test_bad_rules_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(RuleError):
        parse_rule(text)


def test_rules_match_what_they_say() -> None:
    path, ref, ua, ip = compile_rules(
        ("path:/admin/*", "referrer:intranet.example", "ua:*officekiosk*", "ip:10.20.0.0/16")
    )
    assert path.matches("/admin/users", None, "", "") and not path.matches("/blog/admin/", None, "", "")
    assert ref.matches(None, "wiki.intranet.example", "", "")
    assert not ref.matches(None, "xintranet.example", "", "")
    assert ua.matches(None, None, KIOSK, "") and not ua.matches(None, None, CHROME, "")
    assert ip.matches(None, None, "", "10.20.0.0") and not ip.matches(None, None, "", "10.21.0.0")
    assert not ip.matches(None, None, "", "not an address")


def test_settings_take_rules_one_a_line_and_refuse_bad_ones(site: Site) -> None:
    changed = apply_changes(site, [("exclusions", "path:/admin/*\nua:*bot*\npath:/admin/*")])
    assert changed.settings.exclusions == ("path:/admin/*", "ua:*bot*")
    with pytest.raises(SiteChangeError, match="kind:pattern"):
        apply_changes(site, [("exclusions", "admin")])
    with pytest.raises(SiteChangeError, match="consent_mode"):
        apply_changes(site, [("consent_mode", "maybe")])
    assert len(parse_rules(",".join(f"path:/{n}" for n in range(50)))) == 50
    with pytest.raises(RuleError):
        parse_rules(",".join(f"path:/{n}" for n in range(51)))


async def _configure(store: SqliteStore, site: Site, **changes: Any) -> Site:
    site = dataclasses.replace(site, settings=dataclasses.replace(site.settings, **changes))
    await store.update_site(site.id, site.name, site.domains, site.timezone, site.settings)
    return site


async def _track(
    client: httpx.AsyncClient, site: Site, path: str, ua: str = CHROME, **params: str
) -> httpx.Response:
    query = {"idsite": str(site.id), "rec": "1", "url": f"https://example.com{path}", **params}
    return await client.get("/matomo.php", params=query, headers={"User-Agent": ua})


@pytest.fixture
async def proxied(app: Any) -> Any:
    """A client in the office network 10.20.0.0/16."""
    transport = httpx.ASGITransport(app=app, client=("10.20.30.40", 54321))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_new_requests_matching_a_rule_are_dropped_as_excluded(
    client: httpx.AsyncClient,
    proxied: httpx.AsyncClient,
    store: SqliteStore,
    site: Site,
    tables: Tables,
) -> None:
    await _configure(
        store,
        site,
        exclusions=("path:/admin/*", "referrer:intranet.example", "ua:*officekiosk*", "ip:10.20.0.0/16"),
    )
    assert (await _track(client, site, "/admin/users")).headers["X-Collector-Dropped"] == "excluded"
    reply = await _track(client, site, "/", urlref="https://wiki.intranet.example/page")
    assert reply.headers["X-Collector-Dropped"] == "excluded"
    assert (await _track(client, site, "/", ua=KIOSK)).headers["X-Collector-Dropped"] == "excluded"
    assert (await _track(proxied, site, "/")).headers["X-Collector-Dropped"] == "excluded"
    kept = await _track(client, site, "/pricing", urlref="https://news.example/")
    assert "X-Collector-Dropped" not in kept.headers
    assert await tables.rows("SELECT path FROM events") == [{"path": "/pricing"}]
    assert await tables.rows("SELECT reason, n FROM dropped") == [{"reason": "excluded", "n": 4}]


async def test_consent_required_drops_requests_without_consent(
    client: httpx.AsyncClient,
    store: SqliteStore,
    site: Site,
    tables: Tables,
) -> None:
    await _configure(store, site, consent_mode="consent_required")
    assert (await _track(client, site, "/a")).headers["X-Collector-Dropped"] == "no_consent"
    assert (await _track(client, site, "/b", consent="0")).headers["X-Collector-Dropped"] == "no_consent"
    assert "X-Collector-Dropped" not in (await _track(client, site, "/c", consent="1")).headers
    assert await tables.rows("SELECT path FROM events") == [{"path": "/c"}]
    assert await tables.rows("SELECT reason, n FROM dropped") == [{"reason": "no_consent", "n": 2}]


async def test_cookieless_mode_counts_without_consent(
    client: httpx.AsyncClient,
    site: Site,
    tables: Tables,
) -> None:
    assert site.settings.consent_mode == "cookieless"
    assert "X-Collector-Dropped" not in (await _track(client, site, "/a")).headers


# Ground truth for the retroactive test: four visitors (distinct browsers), one visit each.
# (Chrome major version, [(minute, path, referrer)])
TRAFFIC: list[tuple[int, list[tuple[int, str, str]]]] = [
    (131, [(0, "/", ""), (2, "/pricing", ""), (5, "/admin/users", "")]),
    (132, [(0, "/admin/", ""), (1, "/admin/sites", "")]),
    (133, [(0, "/blog", "https://wiki.intranet.example/x")]),
    (134, [(0, "/blog", "https://news.example/"), (3, "/", "")]),
]


async def _send_traffic(client: httpx.AsyncClient, site: Site, clock: FrozenClock) -> None:
    start = clock() - 3600
    for major, hits in TRAFFIC:
        ua = CHROME.replace("Chrome/130.", f"Chrome/{major}.")
        for minute, path, ref in hits:
            params = {"cdt": str(int(start + minute * 60))}
            if ref:
                params["urlref"] = ref
            assert (await _track(client, site, path, ua=ua, **params)).status_code == 200


def _truth(excluded: tuple[str, ...]) -> dict[str, int]:
    """Visits, page views and bounces once hits matching ``excluded`` are gone."""
    rules = compile_rules(excluded)
    visits = pageviews = bounces = 0
    for _major, hits in TRAFFIC:
        kept = [
            h
            for h in hits
            if not any(r.matches(h[1], (h[2].split("/")[2] if h[2] else None), CHROME, "") for r in rules)
        ]
        if kept:
            visits += 1
            pageviews += len(kept)
            bounces += len(kept) == 1
    return {"visits": visits, "pageviews": pageviews, "bounces": bounces}


async def _totals(client: httpx.AsyncClient, site: Site, token: str) -> dict[str, int]:
    reply = await client.get(
        f"/api/v1/sites/{site.id}/summary",
        params={"from": "2026-11-22", "to": "2026-11-22"},
        headers={"Authorization": f"Bearer {token}"},
    )
    data = reply.json()
    return {
        "visits": data["visits"],
        "pageviews": data["pageviews"],
        "bounces": round(data["bounce_rate"] * data["visits"] / 100),
    }


async def test_retroactive_exclusion_matches_the_ground_truth(
    client: httpx.AsyncClient,
    store: SqliteStore,
    site: Site,
    clock: FrozenClock,
    settings: Settings,
    admin_token: str,
    tables: Tables,
) -> None:
    await _send_traffic(client, site, clock)
    await rollup(store, settings, clock)
    assert await _totals(client, site, admin_token) == _truth(())

    rules = ("path:/admin/*", "referrer:intranet.example", "ua:*officekiosk*")
    site = await _configure(store, site, exclusions=rules)
    preview = {str(m.rule): m.total for m in await privacy_tools.preview(store, site)}
    assert preview == {"path:/admin/*": 3, "referrer:intranet.example": 1, "ua:*officekiosk*": 0}
    assert await _totals(client, site, admin_token) == _truth(())  # a preview changes nothing

    removed = await privacy_tools.apply_exclusions(store, settings, clock, site, "test")
    assert removed == {"2026-11-22": 4}
    assert await _totals(client, site, admin_token) == _truth(rules)
    assert await tables.rows("SELECT count(*) AS n FROM events WHERE path LIKE '/admin%'") == [{"n": 0}]
    assert (await tables.rows("SELECT action FROM audit_log ORDER BY id"))[-1] == {
        "action": "exclusions.apply"
    }


async def test_erase_removes_a_period_and_keeps_the_rest(
    client: httpx.AsyncClient,
    store: SqliteStore,
    site: Site,
    clock: FrozenClock,
    settings: Settings,
    tables: Tables,
) -> None:
    await _send_traffic(client, site, clock)
    await _track(client, site, "/yesterday", cdt=str(int(clock() - 86400)))
    await rollup(store, settings, clock)
    days = await tables.rows("SELECT day FROM daily_site ORDER BY day")
    assert days == [{"day": "2026-11-21"}, {"day": "2026-11-22"}]
    removed = await privacy_tools.erase(store, clock, site, "2026-11-22", "2026-11-22", "test")
    assert removed > 8
    assert await tables.rows("SELECT DISTINCT day FROM events") == [{"day": "2026-11-21"}]
    assert await tables.rows("SELECT day FROM daily_site") == [{"day": "2026-11-21"}]
    assert await tables.rows("SELECT count(*) AS n FROM daily_dimension WHERE day = '2026-11-22'") == [
        {"n": 0}
    ]
    other = await store.add_site("Other", ["other.example"], "UTC", clock())
    assert await privacy_tools.erase(store, clock, other, "0000-01-01", "9999-12-31", "test") == 0
    assert await tables.rows("SELECT count(*) AS n FROM events") == [{"n": 1}]


def test_site_settings_default_to_cookieless_without_rules() -> None:
    assert SiteSettings().consent_mode == "cookieless" and SiteSettings().exclusions == ()


async def test_a_sites_own_campaign_keys_name_the_campaign(
    client: httpx.AsyncClient,
    store: SqliteStore,
    site: Site,
    tables: Tables,
) -> None:
    changed = apply_changes(site, [("campaign_keys", "Ref\nsource_id")])
    assert changed.settings.campaign_keys == ("ref", "source_id")
    await _configure(store, site, campaign_keys=changed.settings.campaign_keys)
    await _track(client, site, "/landing?REF=spring-sale&other=1")
    await _track(client, site, "/landing?utm_campaign=winter&ref=ignored")  # the standard key wins
    await _track(client, site, "/plain?other=1")
    stored = await tables.rows("SELECT path, utm_campaign FROM events ORDER BY id")
    assert stored == [
        {"path": "/landing", "utm_campaign": "spring-sale"},
        {"path": "/landing?utm_campaign=winter", "utm_campaign": "winter"},
        {"path": "/plain", "utm_campaign": None},
    ]
