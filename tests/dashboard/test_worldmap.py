"""The Countries tab: countries by their English names, and the world map drawn by the
collector (the land an image of its own, the countries with visitors drawn over it, shaded,
titled), with the table as its alternative and the map's attribution."""

from __future__ import annotations

import re

import httpx
import pytest

from collector.clock import FrozenClock
from collector.dashboard.worldmap import LEVELS, level, outlines, world_map
from collector.model import Site
from collector.rollups.runner import rollup
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from tests.dashboard.conftest import track

pytestmark = pytest.mark.both_backends


@pytest.fixture
async def countries(
    client: httpx.AsyncClient,
    site: Site,
    admin_token: str,
    clock: FrozenClock,
    store: SqliteStore,
    settings: Settings,
) -> None:
    """Three visitors from Germany's 193.99.0.0/16, one from Ireland's 2a00:1450:4001::/48."""
    for n, lang in enumerate(("de", "en", "fr")):
        await track(client, site, admin_token, clock, ip="193.99.144.85", path="/", minutes=n, lang=lang)
    await track(client, site, admin_token, clock, ip="2a00:1450:4001:81a::200e", path="/", minutes=5)
    await rollup(store, settings, clock)


async def test_the_countries_tab_has_names_and_the_map(
    browser: httpx.AsyncClient, site: Site, countries: None
) -> None:
    page = await browser.get(f"/sites/{site.id}?period=today")
    assert page.status_code == 200
    panel = page.text.split('id="tp-countries"', 1)[1].split('class="tabpanel"', 1)[0]
    assert ">Germany</a>" in panel and ">Ireland</a>" in panel
    assert re.search(r'<img src="/static/world\.svg\?v=\w+" alt=""', panel)
    assert 'role="img" aria-labelledby="worldmap-title"' in panel
    assert '<path class="geo-5" d="M' in panel and "<title>Germany: 3 visitors</title>" in panel
    assert '<path class="geo-2" d="M' in panel and "<title>Ireland: 1 visitors</title>" in panel
    assert "CC BY 4.0" in panel and "style=" not in panel
    assert "<table" in panel.split("</figure>", 1)[1]  # the table alternative follows the map
    chip = await browser.get(f"/sites/{site.id}?period=today&country=de")
    assert "Country: <strong>Germany</strong>" in chip.text


async def test_the_map_is_served_by_the_collector(browser: httpx.AsyncClient) -> None:
    reply = await browser.get("/static/world.svg")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("image/svg+xml")
    assert reply.text.count("<path id=") >= 240 and "http" not in reply.text.split("-->", 1)[1]


def test_the_map_has_an_outline_for_nearly_every_country() -> None:
    from collector.geo.countries import table

    shapes = outlines()
    missing = [code for code in table() if code.lower() not in shapes]
    assert len(shapes) >= 240 and len(missing) <= 5, missing


@pytest.mark.parametrize(
    ("visitors", "most", "want"), [(1, 100, 1), (20, 100, 1), (21, 100, 2), (100, 100, LEVELS)]
)
def test_levels(visitors: int, most: int, want: int) -> None:
    assert level(visitors, most) == want


def test_no_country_no_map_and_unknown_codes_are_listed() -> None:
    assert world_map([]) is None
    found = world_map([{"value": "de", "visitors": 4}, {"value": "zz", "visitors": 1}])
    assert found is not None and [s.code for s in found.shades] == ["de"] and found.off_map == ["ZZ"]
