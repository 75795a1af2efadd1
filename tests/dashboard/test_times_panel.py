"""The times-of-day panel: the weekday × hour heatmap on the site page holds the stats
API's grid, cell by cell, as a real table (headers for screen readers), with shade levels
that show any visit and no inline style."""

from __future__ import annotations

import re

import httpx
import pytest

from collector.dashboard.heatmap import LEVELS, heatmap, level
from collector.model import Site
from tests.dashboard.test_pages import api

pytestmark = pytest.mark.both_backends  # the same behaviour on SQLite and PostgreSQL


async def test_the_heatmap_holds_the_apis_grid(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, site: Site, traffic: None, admin_token: str
) -> None:
    page = await browser.get(f"/sites/{site.id}?period=7d")
    assert page.status_code == 200
    times = await api(client, admin_token, f"/api/v1/sites/{site.id}/times?from=2026-11-16&to=2026-11-22")
    panel = page.text.split('class="card panel times"', 1)[1].split("</section>", 1)[0]
    assert "<caption" in panel and 'scope="row"' in panel and "style=" not in panel
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", panel, re.S)
    assert len(rows) == 7
    shown = [[int(n) for n in re.findall(r'class="heat heat-\d" data-n="(\d+)"', row)] for row in rows]
    assert shown == [row["visits"] for row in times["grid"]]
    assert sum(map(sum, shown)) == sum(h["visits"] for h in times["hours"]) > 0
    assert "Busiest: Sundays" in panel  # most of the fixture's visits are today, Sunday 2026-11-22


@pytest.mark.parametrize(
    ("visits", "most", "want"), [(0, 10, 0), (1, 100, 1), (50, 100, 3), (100, 100, LEVELS), (5, 0, 0)]
)
def test_levels(visits: int, most: int, want: int) -> None:
    assert level(visits, most) == want


def test_an_empty_period_has_no_busiest_time() -> None:
    empty = {
        "grid": [{"name": "Monday", "visits": [0] * 24}],
        "hours": [{"visits": 0}] * 24,
        "weekdays": [{"name": "Monday", "visits": 0}],
    }
    heat = heatmap(empty)
    assert (heat.visits, heat.busiest_hour, heat.busiest_day) == (0, None, None)
