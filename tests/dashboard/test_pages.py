"""The sites overview and a site's dashboard: numbers equal the stats API's, periods,
filters, CSV downloads, realtime, the privacy panel, empty states and access rules."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from collector.clock import FrozenClock
from collector.model import Site
from collector.storage.sqlite import SqliteStore
from tests.dashboard.conftest import log_in, new_client, track

pytestmark = pytest.mark.both_backends  # the same behaviour on SQLite and PostgreSQL


async def api(client: httpx.AsyncClient, token: str, path: str) -> Any:
    reply = await client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200, reply.text
    return reply.json() if reply.headers["content-type"].startswith("application/json") else reply.text


def tile(html: str, key: str) -> str:
    found = re.search(rf'data-kpi="{key}">.*?<p class="tile-value"[^>]*>([^<]+)</p>', html, re.S)
    assert found, key
    return found.group(1)


def hrefs(html: str, pattern: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*)"', html) if re.search(pattern, h)]


async def test_the_overview_shows_each_site_with_today_and_a_sparkline(
    browser: httpx.AsyncClient, site: Site, traffic: None, store: SqliteStore, clock: FrozenClock
) -> None:
    await store.add_site("Second <b>shop</b>", ["shop.example"], "UTC", clock())
    page = await browser.get("/")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert f'href="/sites/{site.id}">Example</a>' in page.text
    assert "Second &lt;b&gt;shop&lt;/b&gt;" in page.text
    cards = page.text.split('class="card site-card"')[1:]
    assert len(cards) == 2
    assert re.search(r'Visitors today</dt><dd data-n="3">3</dd>', cards[0])
    assert re.search(r'Last 30 days</dt><dd data-n="4">4</dd>', cards[0])
    assert cards[0].count('<svg class="spark"') == 1 and 'role="img"' in cards[0]
    assert "Visitors over the last 30 days: 4 in all" in cards[0]
    assert "No visitors in 30 days" in cards[1]


async def test_the_kpis_equal_the_api_with_changes(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, site: Site, traffic: None, admin_token: str
) -> None:
    page = await browser.get(f"/sites/{site.id}?period=today")
    assert page.status_code == 200
    summary = await api(client, admin_token, f"/api/v1/sites/{site.id}/summary?from=2026-11-22&to=2026-11-22")
    assert (summary["visitors"], summary["visits"], summary["pageviews"]) == (3, 3, 4)
    assert tile(page.text, "visitors") == str(summary["visitors"])
    assert tile(page.text, "visits") == str(summary["visits"])
    assert tile(page.text, "pageviews") == str(summary["pageviews"])
    assert tile(page.text, "views_per_visit") == f"{summary['views_per_visit']:.2f}"
    assert tile(page.text, "bounce_rate") == f"{summary['bounce_rate']:.1f}%"
    assert summary["previous"]["visitors"] == 1
    assert "+200%" in page.text and "up 200% against the previous period" in page.text
    assert "Unique visitors are counted per day, without cookies" in page.text
    assert 'aria-current="true">Today</a>' in page.text


@pytest.mark.parametrize(
    "query, label, slots",
    [
        ("period=today", "Today", 24),
        ("period=yesterday", "Yesterday", 24),
        ("period=7d", "Last 7 days", 7),
        ("", "Last 30 days", 30),
        ("period=month", "This month", 22),
        ("period=lastmonth", "Last month", 31),
        ("period=12mo", "Last 12 months", 12),
        ("period=custom&from=2026-11-01&to=2026-11-10", "1 Nov – 10 Nov 2026", 10),
    ],
)
async def test_every_period_renders_its_chart(
    browser: httpx.AsyncClient, site: Site, traffic: None, query: str, label: str, slots: int
) -> None:
    page = await browser.get(f"/sites/{site.id}?{query}")
    assert page.status_code == 200
    assert f"Showing <strong>{label}</strong>" in page.text
    assert page.text.count('<rect class="hit"') == slots
    table = page.text.split('class="table-view"')[1].split("</details>")[0]
    assert table.count('<tr><th scope="row">') == slots  # the chart as a table
    assert 'aria-describedby="chart-help"' in page.text


async def test_a_bad_period_falls_back_with_a_notice(browser: httpx.AsyncClient, site: Site) -> None:
    bad = ("period=custom&from=2026-11-10&to=2026-11-01", "period=custom&from=nonsense", "period=decade")
    for query in bad:
        page = await browser.get(f"/sites/{site.id}?{query}")
        assert page.status_code == 200 and "That period could not be shown" in page.text
        assert "Showing <strong>Last 30 days</strong>" in page.text


async def test_a_row_filters_the_dashboard_and_the_chip_removes_it(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, site: Site, traffic: None, admin_token: str
) -> None:
    page = await browser.get(f"/sites/{site.id}?period=today")
    pricing = hrefs(page.text, r"page=%2Fpricing")
    assert pricing and parse_qs(urlsplit(pricing[0]).query) == {"period": ["today"], "page": ["/pricing"]}
    assert hrefs(page.text, r"device=mobile") and hrefs(page.text, r"utm_campaign=nov")
    assert hrefs(page.text, r"referrer=google.com")
    filtered = await browser.get(f"/sites/{site.id}{pricing[0]}")
    assert filtered.status_code == 200
    chip = re.search(r'<a class="chip" href="([^"]+)"', filtered.text)
    assert chip and "Page: <strong>/pricing</strong>" in filtered.text
    assert parse_qs(urlsplit(chip.group(1).replace("&amp;", "&")).query) == {"period": ["today"]}
    summary = await api(
        client, admin_token, f"/api/v1/sites/{site.id}/summary?from=2026-11-22&to=2026-11-22&page=/pricing"
    )
    assert tile(filtered.text, "visits") == str(summary["visits"]) == "2"
    assert tile(filtered.text, "pageviews") == str(summary["pageviews"]) == "3"
    assert "Filtered reports are counted from raw events" in filtered.text
    assert '<tr class="active">' in filtered.text
    # period links keep the filter
    links = filtered.text.split('class="period-links"')[1].split("</ul>")[0]
    assert links.count("page=%2Fpricing") == 7


async def test_two_filters_and_a_bad_filter(browser: httpx.AsyncClient, site: Site, traffic: None) -> None:
    page = await browser.get(f"/sites/{site.id}?period=today&device=mobile&page=/")
    assert page.status_code == 200 and page.text.count('<a class="chip"') == 2
    assert tile(page.text, "visits") == "1"
    bad = await browser.get(f"/sites/{site.id}?period=today&country=" + "x" * 2000)
    assert bad.status_code == 200 and "The filters were removed" in bad.text
    assert '<a class="chip"' not in bad.text


@pytest.mark.parametrize(
    "report, api_path",
    [
        ("pages", "breakdown/pages?limit=1000"),
        ("referrers", "breakdown/referrers?limit=1000"),
        ("timeseries", "timeseries?interval=day"),
    ],
)
@pytest.mark.parametrize("filters", ["", "&device=mobile"])
async def test_csv_downloads_are_the_api_csv(
    browser: httpx.AsyncClient,
    client: httpx.AsyncClient,
    site: Site,
    traffic: None,
    admin_token: str,
    report: str,
    api_path: str,
    filters: str,
) -> None:
    page = await browser.get(f"/sites/{site.id}?period=7d{filters}")
    link = hrefs(page.text, rf"^/sites/{site.id}/csv/{report}\?")
    assert len(link) == 1
    mine = await browser.get(link[0])
    assert mine.status_code == 200 and mine.headers["content-type"].startswith("text/csv")
    assert "attachment" in mine.headers["content-disposition"]
    theirs = await api(
        client,
        admin_token,
        f"/api/v1/sites/{site.id}/{api_path}&from=2026-11-16&to=2026-11-22&format=csv{filters}",
    )
    assert mine.text == theirs
    if not (report == "referrers" and filters):  # no mobile visit came from a referrer
        assert mine.text.count("\n") >= 2


async def test_unknown_csv_reports_and_sites_are_404(browser: httpx.AsyncClient, site: Site) -> None:
    assert (await browser.get(f"/sites/{site.id}/csv/passwords")).status_code == 404
    missing = await browser.get("/sites/999")
    assert missing.status_code == 404 and "No such site" in missing.text
    assert (await browser.get("/sites/999/realtime")).status_code == 404


async def test_realtime_is_in_the_page_and_as_json(
    browser: httpx.AsyncClient,
    client: httpx.AsyncClient,
    site: Site,
    traffic: None,
    admin_token: str,
    clock: FrozenClock,
) -> None:
    await track(client, site, admin_token, clock, ip="10.9.0.1", path="/now", minutes=3 * 60)
    data = (await browser.get(f"/sites/{site.id}/realtime")).json()
    assert data == await api(client, admin_token, f"/api/v1/sites/{site.id}/realtime")
    assert data["visitors"] == 1
    page = await browser.get(f"/sites/{site.id}")
    assert re.search(r"data-realtime-visitors>1</strong>\s*visitor in the last 30 minutes", page.text)


async def test_the_privacy_panel_lists_what_was_dropped(
    browser: httpx.AsyncClient, site: Site, traffic: None
) -> None:
    page = await browser.get(f"/sites/{site.id}?period=today")
    panel = page.text.split('id="privacy-title"')[1]
    assert "Do Not Track" in panel and re.search(r'data-n="1">1</td>', panel)
    assert "In all" in panel
    yesterday = await browser.get(f"/sites/{site.id}?period=yesterday")
    assert "Nothing was dropped in this period." in yesterday.text


async def test_a_site_without_data_shows_its_snippet(browser: httpx.AsyncClient, site: Site) -> None:
    page = await browser.get(f"/sites/{site.id}")
    assert page.status_code == 200 and "No data yet — here is your snippet" in page.text
    assert "_paq.push([&#39;setSiteId&#39;, &#39;1&#39;]);" in page.text
    assert "var u = &#34;http://testserver/&#34;;" in page.text
    assert 'class="tile"' not in page.text and 'id="privacy-title"' in page.text


async def test_a_user_without_access_sees_no_site(
    app: Starlette, site: Site, traffic: None, viewer_user: str
) -> None:
    async with new_client(app) as client:
        assert (await log_in(client, viewer_user)).status_code == 303
        overview = await client.get("/")
        assert overview.status_code == 200 and "No sites to show" in overview.text
        assert "Example" not in overview.text
        for path in (f"/sites/{site.id}", f"/sites/{site.id}/csv/pages", f"/sites/{site.id}/realtime"):
            assert (await client.get(path)).status_code == 404


async def test_an_admin_without_sites_is_told_how_to_add_one(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/")
    assert "No sites yet" in page.text and "collector site add" in page.text
