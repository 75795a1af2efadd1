"""Every method answers with Matomo's field names, and its numbers are those of our JSON
API on the same (scripted, rolled-up) data."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from collector.model import Site
from collector.reporting.rows import PAGE_COLUMNS, ROW_COLUMNS, SUMMARY_COLUMNS
from collector.rollups.channels import is_search_engine, is_social
from tests.reporting.conftest import ok, stats
from tests.rollups.traffic import D1, D2, D3

pytestmark = pytest.mark.both_backends  # the same numbers on SQLite and PostgreSQL

ROW_METHODS = {
    "Referrers.getWebsites": "referrers",
    "Referrers.getReferrerType": "channels",
    "DevicesDetection.getBrowsers": "browsers",
    "DevicesDetection.getOsVersions": "os",
    "DevicesDetection.getType": "devices",
}
RANGE = {"period": "range", "date": f"{D1},{D3}"}


async def report(client: httpx.AsyncClient, site: Site, token: str, method: str, **params: Any) -> Any:
    return await ok(client, method=method, idSite=site.id, token_auth=token, **({**RANGE, **params}))


def expected_summary(ours: dict[str, Any]) -> dict[str, Any]:
    """What VisitsSummary.get must say, from the JSON API's summary."""
    visits = ours["visits"]
    return {
        "nb_uniq_visitors": ours["visitors"],
        "nb_visits": visits,
        "nb_actions": ours["pageviews"] + ours["events"],
        "nb_users": 0,
        "max_actions": 0,
        "nb_visits_converted": 0,
    }


async def test_visits_summary_has_matomo_fields(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: None
) -> None:
    data = await report(client, site, stats_token, "VisitsSummary.get")
    assert tuple(data) == SUMMARY_COLUMNS
    assert data == {
        "nb_uniq_visitors": 10,
        "nb_visits": 15,
        "nb_actions": 27,
        "nb_users": 0,
        "max_actions": 0,
        "sum_visit_length": 7440,
        "bounce_count": 6,
        "nb_visits_converted": 0,
        "bounce_rate": "40%",
        "nb_actions_per_visit": 1.8,
        "avg_time_on_site": 496,
    }


@pytest.mark.parametrize(
    "period, date, first, last",
    [
        ("day", D1, D1, D1),
        ("day", "yesterday", D2, D2),
        ("day", "today", D3, D3),
        ("range", f"{D2},{D3}", D2, D3),
        ("range", "last3", D1, D3),
        ("week", "today", "2026-11-16", D3),
        ("week", "2026-11-23", "2026-11-23", "2026-11-29"),
        ("month", "today", "2026-11-01", "2026-11-30"),
        ("year", "2026-01-01", "2026-01-01", "2026-12-31"),
    ],
)
async def test_visits_summary_agrees_with_the_json_api(
    client: httpx.AsyncClient,
    site: Site,
    stats_token: str,
    tracked: None,
    period: str,
    date: str,
    first: str,
    last: str,
) -> None:
    data = await report(client, site, stats_token, "VisitsSummary.get", period=period, date=date)
    ours = await stats(client, site, stats_token, f"summary?from={first}&to={last}")
    assert {k: data[k] for k in expected_summary(ours)} == expected_summary(ours)
    visits = ours["visits"]
    assert (round(100 * data["bounce_count"] / visits, 1) if visits else 0.0) == ours["bounce_rate"]
    assert (round(data["sum_visit_length"] / visits) if visits else 0) == ours["visit_duration_s"]
    assert data["bounce_rate"] == (f"{round(100 * data['bounce_count'] / visits)}%" if visits else "0%")


async def test_several_days_are_keyed_by_date(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: None
) -> None:
    for date in ("last4", f"2026-11-19,{D3}"):
        data = await report(client, site, stats_token, "VisitsSummary.get", period="day", date=date)
        assert list(data) == ["2026-11-19", D1, D2, D3]
        for day, row in data.items():
            ours = await stats(client, site, stats_token, f"summary?from={day}&to={day}")
            assert {k: row[k] for k in expected_summary(ours)} == expected_summary(ours)
    assert (data["2026-11-19"]["nb_visits"], data["2026-11-19"]["bounce_rate"]) == (0, "0%")


async def test_several_weeks_and_months_are_keyed_like_matomo(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: None
) -> None:
    weeks = await report(client, site, stats_token, "VisitsSummary.get", period="week", date="last2")
    assert list(weeks) == ["2026-11-09,2026-11-15", "2026-11-16,2026-11-22"]
    assert [week["nb_visits"] for week in weeks.values()] == [0, 15]
    months = await report(
        client, site, stats_token, "Referrers.getReferrerType", period="month", date="last2"
    )
    assert list(months) == ["2026-10", "2026-11"] and months["2026-10"] == []
    assert sum(r["nb_visits"] for r in months["2026-11"]) == 15


async def test_page_urls_agree_with_the_pages_breakdown(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: None
) -> None:
    rows = await report(client, site, stats_token, "Actions.getPageUrls")
    ours = (await stats(client, site, stats_token, f"breakdown/pages?from={D1}&to={D3}&limit=1000"))["rows"]
    assert rows and all(tuple(row) == PAGE_COLUMNS for row in rows)
    assert [r["label"] for r in rows] == [o["value"] for o in ours]
    for row, mine in zip(rows, ours, strict=True):
        assert row["url"] == "https://example.com" + mine["value"]
        assert (
            row["nb_hits"],
            row["nb_visits"],
            row["nb_uniq_visitors"],
            row["entry_nb_visits"],
            row["exit_nb_visits"],
        ) == (mine["pageviews"], mine["visits"], mine["visitors"], mine["entries"], mine["exits"])
        assert row["bounce_rate"] == f"{round(mine['bounce_rate'] + 1e-9)}%"
    home = rows[0]
    assert (home["label"], home["nb_hits"], home["bounce_rate"], home["exit_rate"]) == ("/", 9, "50%", "56%")


def _visit_row(value: str, mine: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": value,
        "nb_uniq_visitors": mine["visitors"],
        "nb_visits": mine["visits"],
        "nb_actions": mine["pageviews"] + mine["events"],
    }


@pytest.mark.parametrize("method", ["DevicesDetection.getBrowsers", "DevicesDetection.getOsVersions"])
async def test_device_reports_agree_with_the_breakdowns(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: None, method: str
) -> None:
    rows = await report(client, site, stats_token, method)
    ours = await stats(client, site, stats_token, f"breakdown/{ROW_METHODS[method]}?from={D1}&to={D3}")
    assert rows and all(tuple(row) == ROW_COLUMNS for row in rows)
    assert [{k: r[k] for k in ("label", "nb_uniq_visitors", "nb_visits", "nb_actions")} for r in rows] == [
        _visit_row(o["value"], o) for o in ours["rows"]
    ]


async def test_device_types_use_matomo_labels(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: None
) -> None:
    rows = await report(client, site, stats_token, "DevicesDetection.getType")
    ours = await stats(client, site, stats_token, f"breakdown/devices?from={D1}&to={D3}")
    labels = {"desktop": "Desktop", "mobile": "Smartphone", "tablet": "Tablet"}
    assert [(r["label"], r["nb_visits"]) for r in rows] == [
        (labels[o["value"]], o["visits"]) for o in ours["rows"]
    ]


async def test_websites_are_referrers_other_than_search_and_social(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: None
) -> None:
    rows = await report(client, site, stats_token, "Referrers.getWebsites")
    ours = (await stats(client, site, stats_token, f"breakdown/referrers?from={D1}&to={D3}"))["rows"]
    kept = [o for o in ours if not is_search_engine(o["value"]) and not is_social(o["value"])]
    assert [r["label"] for r in rows] == ["blog.partner.org", "news.unknown-host.net"]
    assert [{k: r[k] for k in ("label", "nb_uniq_visitors", "nb_visits", "nb_actions")} for r in rows] == [
        _visit_row(o["value"], o) for o in kept
    ]


async def test_referrer_types_merge_channels_under_matomo_labels(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: None
) -> None:
    rows = await report(client, site, stats_token, "Referrers.getReferrerType")
    ours = {
        o["value"]: o
        for o in (await stats(client, site, stats_token, f"breakdown/channels?from={D1}&to={D3}"))["rows"]
    }
    by_label = {r["label"]: r for r in rows}
    assert set(by_label) == {"Direct Entry", "Search Engines", "Campaigns", "Social Networks", "Websites"}
    assert by_label["Direct Entry"]["nb_visits"] == ours["direct"]["visits"]
    assert by_label["Websites"]["nb_visits"] == ours["referral"]["visits"]
    assert by_label["Campaigns"]["nb_visits"] == ours["campaign"]["visits"] + ours["email"]["visits"]
    summary = await report(client, site, stats_token, "VisitsSummary.get")
    for column in ("nb_visits", "nb_actions", "bounce_count", "sum_visit_length"):
        assert sum(r[column] for r in rows) == summary[column]


@pytest.mark.parametrize("method", ["Actions.getPageUrls", *ROW_METHODS])
async def test_filter_limit_and_offset(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: None, method: str
) -> None:
    every = await report(client, site, stats_token, method, filter_limit=-1)
    assert every == await report(client, site, stats_token, method)  # default 100: all of these
    assert len(every) >= 2
    assert await report(client, site, stats_token, method, filter_limit=1) == every[:1]
    assert await report(client, site, stats_token, method, filter_limit=2, filter_offset=1) == every[1:3]
    assert await report(client, site, stats_token, method, filter_offset=len(every)) == []
    assert await report(client, site, stats_token, method, filter_limit=0) == []


async def test_filter_limit_applies_to_each_period(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: None
) -> None:
    data = await report(
        client, site, stats_token, "Actions.getPageUrls", period="day", date="last3", filter_limit=1
    )
    assert list(data) == [D1, D2, D3] and all(len(rows) == 1 for rows in data.values())


async def test_no_data_is_zeros_and_empty_lists(
    client: httpx.AsyncClient, site: Site, stats_token: str
) -> None:
    summary = await report(client, site, stats_token, "VisitsSummary.get")
    assert summary["nb_visits"] == 0 and summary["bounce_rate"] == "0%" and summary["avg_time_on_site"] == 0
    for method in ("Actions.getPageUrls", *ROW_METHODS):
        assert await report(client, site, stats_token, method) == []
