"""Countries end to end, on both backends: browser beacons from fixed addresses through
``/matomo.php``, the rollup, then the stats API's ``breakdown/countries`` and Matomo's
``UserCountry.getCountry`` and ``getContinent``; the site setting off; the authenticated
``country`` parameter winning; and no full address in what was stored."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from collector.clock import FrozenClock
from collector.model import Site
from collector.rollups.runner import rollup
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from tests.conftest import CHROME, Tables

pytestmark = pytest.mark.both_backends

DAY = "2026-11-22"
GERMANS = ("193.99.144.85", "193.99.1.2", "193.99.200.7")  # 193.99.0.0/16: German as a whole
SHARED = "81.2.69.160"  # British, in a /16 a quarter each RU, GB, US, CZ: unknown
IRISH_V6 = "2a00:1450:4001:81a::200e"


async def beacon(app: Starlette, peer: str, site_id: int, **params: str) -> None:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        reply = await client.get(
            "/matomo.php",
            params={"idsite": str(site_id), "rec": "1", "url": "https://example.com/", **params},
            headers={"User-Agent": CHROME},
        )
    assert reply.status_code in (200, 204) and "x-collector-dropped" not in reply.headers, reply.headers


@pytest.fixture
async def tracked(
    app: Starlette, site: Site, admin_token: str, store: SqliteStore, settings: Settings, clock: FrozenClock
) -> AsyncIterator[None]:
    # one visitor each: the masked address is the same /16, so the languages tell them apart
    for peer, lang in zip((*GERMANS, SHARED, IRISH_V6), ("de", "en", "nl", "en", "ga"), strict=True):
        await beacon(app, peer, site.id, lang=lang)
    # the site's own server names the country: it wins over the address (German here)
    await beacon(app, GERMANS[0], site.id, lang="fr", country="fr", token_auth=admin_token)
    await rollup(store, settings, clock)
    yield


async def stats(client: httpx.AsyncClient, site: Site, token: str, **query: str) -> Any:
    reply = await client.get(
        f"/api/v1/sites/{site.id}/breakdown/countries",
        params={"from": DAY, "to": DAY, **query},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert reply.status_code == 200, reply.text
    return reply.json() if "format" not in query else reply.text


async def matomo(client: httpx.AsyncClient, site: Site, token: str, method: str) -> Any:
    reply = await client.get(
        "/index.php",
        params={
            "module": "API",
            "method": method,
            "idSite": str(site.id),
            "period": "day",
            "date": DAY,
            "format": "JSON",
            "token_auth": token,
        },
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


async def test_the_stats_api_names_each_country_with_code_and_name(
    tracked: None, client: httpx.AsyncClient, site: Site, stats_token: str
) -> None:
    rows = (await stats(client, site, stats_token))["rows"]
    found = {row["value"]: row for row in rows}
    assert set(found) == {"de", "ie", "fr"}  # the shared block is unknown: no row
    assert (found["de"]["code"], found["de"]["name"], found["de"]["visits"]) == ("DE", "Germany", 3)
    assert (found["ie"]["code"], found["ie"]["name"]) == ("IE", "Ireland")
    assert (found["fr"]["code"], found["fr"]["name"], found["fr"]["visits"]) == ("FR", "France", 1)
    text = await stats(client, site, stats_token, format="csv")
    assert text.splitlines()[0].startswith("value,code,name,visitors")
    assert "de,DE,Germany,3" in text


async def test_matomo_get_country_and_get_continent(
    tracked: None, client: httpx.AsyncClient, site: Site, stats_token: str
) -> None:
    countries = await matomo(client, site, stats_token, "UserCountry.getCountry")
    germany = next(row for row in countries if row["label"] == "Germany")
    assert germany["code"] == "de" and germany["segment"] == "countryCode==de"
    assert germany["nb_visits"] == 3 and germany["nb_uniq_visitors"] == 3
    assert {row["label"] for row in countries} == {"Germany", "Ireland", "France"}
    continents = await matomo(client, site, stats_token, "usercountry.getcontinent")
    assert [(row["label"], row["code"], row["nb_visits"]) for row in continents] == [("Europe", "Europe", 5)]


async def test_the_filter_takes_the_stored_code(
    tracked: None, client: httpx.AsyncClient, site: Site, stats_token: str
) -> None:
    reply = await client.get(
        f"/api/v1/sites/{site.id}/summary",
        params={"from": DAY, "to": DAY, "country": "DE"},
        headers={"Authorization": f"Bearer {stats_token}"},
    )
    assert reply.status_code == 200 and reply.json()["visits"] == 3


async def test_nothing_stored_holds_a_full_address(tracked: None, tables: Tables) -> None:
    events = await tables.rows("SELECT * FROM events")
    assert len(events) == 6
    text = repr(events)
    for peer in (*GERMANS, SHARED, IRISH_V6, "193.99.144", "81.2.69", "4001:81a"):
        assert peer not in text
    assert sorted(str(e["country"]) for e in events) == ["None", "de", "de", "de", "fr", "ie"]


async def test_the_site_setting_off_keeps_the_country_unknown(
    app: Starlette, store: SqliteStore, clock: FrozenClock, tables: Tables
) -> None:
    other = await store.add_site("Quiet", ["example.com"], "UTC", clock())
    quiet = dataclasses.replace(other.settings, collect_country=False)
    await store.update_site(other.id, other.name, other.domains, other.timezone, quiet)
    await beacon(app, GERMANS[0], other.id)
    await beacon(app, GERMANS[1], other.id)
    events = await tables.rows(f"SELECT country FROM events WHERE site_id = {other.id}")
    assert [e["country"] for e in events] == [None, None]
