"""The request and reply around the methods: formats (JSON, CSV, TSV), Matomo's error
shape with 400 for bad requests, and Live.getCounters over raw events."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from collector.clock import FrozenClock
from collector.model import Site
from collector.reporting.rows import PAGE_COLUMNS, ROW_COLUMNS, SUMMARY_COLUMNS
from tests.reporting.conftest import assert_error, call, ok
from tests.rollups.traffic import CHROME, D1, D3, Hit, Visitor, send

pytestmark = pytest.mark.both_backends  # the same numbers on SQLite and PostgreSQL

RANGE = {"period": "range", "date": f"{D1},{D3}"}


def table(reply: httpx.Response, media: str, delimiter: str = ",") -> list[dict[str, str]]:
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith(media)
    return list(csv.DictReader(io.StringIO(reply.text), delimiter=delimiter))


def as_text(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in row.items()} for row in rows]


# -- formats ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fmt, media, delimiter",
    [("CSV", "text/csv", ","), ("csv", "text/csv", ","), ("TSV", "text/tab-separated-values", "\t")],
)
async def test_csv_and_tsv_hold_the_json_rows(
    client: httpx.AsyncClient,
    site: Site,
    stats_token: str,
    tracked: None,
    fmt: str,
    media: str,
    delimiter: str,
) -> None:
    base = {"idSite": site.id, "token_auth": stats_token, **RANGE}
    for method, columns in (
        ("Actions.getPageUrls", PAGE_COLUMNS),
        ("DevicesDetection.getBrowsers", ROW_COLUMNS),
    ):
        reply = await call(client, method=method, format=fmt, **base)
        assert reply.text.splitlines()[0] == delimiter.join(columns)
        assert table(reply, media, delimiter) == as_text(await ok(client, method=method, **base))
    reply = await call(client, method="VisitsSummary.get", format=fmt, **base)
    assert table(reply, media, delimiter) == as_text([await ok(client, method="VisitsSummary.get", **base)])


async def test_csv_of_several_periods_has_a_date_column(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: None
) -> None:
    base = {"idSite": site.id, "token_auth": stats_token, "period": "day", "date": "last2"}
    reply = await call(client, method="VisitsSummary.get", format="csv", **base)
    assert reply.text.splitlines()[0] == ",".join(("date", *SUMMARY_COLUMNS))
    keyed = await ok(client, method="VisitsSummary.get", **base)
    assert table(reply, "text/csv") == as_text([{"date": day, **row} for day, row in keyed.items()])
    reply = await call(client, method="DevicesDetection.getType", format="csv", **base)
    keyed = await ok(client, method="DevicesDetection.getType", **base)
    assert table(reply, "text/csv") == as_text([{"date": d, **r} for d, rows in keyed.items() for r in rows])


async def test_an_empty_report_as_csv_still_has_its_header(
    client: httpx.AsyncClient, site: Site, stats_token: str
) -> None:
    reply = await call(
        client,
        method="Referrers.getWebsites",
        format="csv",
        idSite=site.id,
        token_auth=stats_token,
        period="day",
        date="today",
    )
    assert reply.status_code == 200 and reply.text.splitlines() == [",".join(ROW_COLUMNS)]


async def test_json_is_the_default_format(client: httpx.AsyncClient, site: Site, stats_token: str) -> None:
    reply = await call(
        client, method="VisitsSummary.get", idSite=site.id, token_auth=stats_token, period="day", date="today"
    )
    assert reply.status_code == 200 and reply.json()["nb_visits"] == 0


@pytest.mark.parametrize("fmt", ["xml", "XML", "html", "rss", "original", "php", "json2", ""])
async def test_other_formats_are_refused_in_json(
    client: httpx.AsyncClient, site: Site, stats_token: str, fmt: str
) -> None:
    reply = await client.get(
        "/index.php",
        params={
            "module": "API",
            "method": "VisitsSummary.get",
            "idSite": site.id,
            "token_auth": stats_token,
            "period": "day",
            "date": "today",
            "format": fmt,
        },
    )
    if fmt == "":
        assert reply.status_code == 200
    else:
        assert "JSON, CSV or TSV" in assert_error(reply, 400)


async def test_errors_in_csv_are_text(client: httpx.AsyncClient, site: Site, stats_token: str) -> None:
    reply = await call(
        client,
        method="VisitsSummary.get",
        format="csv",
        idSite=site.id,
        token_auth=stats_token,
        period="day",
        date="nope",
    )
    assert reply.status_code == 400 and reply.text.startswith("Error: Date format must be")
    reply = await call(
        client, method="VisitsSummary.get", format="tsv", idSite=site.id, period="day", date="today"
    )
    assert reply.status_code == 401 and reply.text.startswith("Error: You can't access")


# -- bad requests ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params, words",
    [
        ({"method": ""}, "'method'"),
        ({"method": "VisitsSummary.getNope"}, "does not exist"),
        ({"method": "Goals.get"}, "does not exist"),
        ({"method": "VisitsSummary"}, "does not exist"),
        ({"idSite": ""}, "'idSite'"),
        ({"idSite": "all"}, "one site id"),
        ({"idSite": "1,2"}, "one site id"),
        ({"idSite": "-1"}, "one site id"),
        ({"idSite": "0"}, "one site id"),
        ({"idSite": "9" * 30}, "one site id"),
        ({"idSite": "١"}, "one site id"),
        ({"period": ""}, "'period'"),
        ({"period": "hour"}, "not supported"),
        ({"date": ""}, "'date'"),
        ({"date": "2026-02-30"}, "YYYY-MM-DD"),
        ({"date": "last3,today"}, "YYYY-MM-DD"),
        ({"date": "1970-01-01"}, "out of range"),
        ({"period": "range", "date": "today"}, "period=range"),
        ({"filter_limit": "abc"}, "filter_limit"),
        ({"filter_limit": "-2"}, "filter_limit"),
        ({"filter_limit": "1e3"}, "filter_limit"),
        ({"filter_offset": "-1"}, "filter_offset"),
        ({"segment": "browserCode==FF"}, "Segments"),
    ],
)
async def test_bad_requests_are_400_with_a_message(
    client: httpx.AsyncClient, site: Site, stats_token: str, params: dict[str, str], words: str
) -> None:
    query = {
        "method": "Actions.getPageUrls",
        "idSite": str(site.id),
        "token_auth": stats_token,
        "period": "day",
        "date": "today",
        **params,
    }
    assert words in assert_error(await call(client, **query), 400)


async def test_an_oversized_body_is_400(client: httpx.AsyncClient, site: Site, stats_token: str) -> None:
    reply = await client.post(
        "/index.php?module=API&method=VisitsSummary.get",
        content=b"a=" + b"x" * 70_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert "over" in assert_error(reply, 400)


# -- Live.getCounters ------------------------------------------------------------------------------
async def test_live_counters_count_raw_events_of_the_last_minutes(
    client: httpx.AsyncClient, site: Site, stats_token: str, admin_token: str, clock: FrozenClock
) -> None:
    now = clock()

    def at(minutes_ago: float, kind: str = "pageview") -> Hit:
        return Hit(datetime.fromtimestamp(now - minutes_ago * 60, UTC), kind, "/", category="c", action="a")

    visitors = [
        Visitor("a", "10.1.0.1", CHROME, (at(10), at(2))),
        Visitor("b", "10.2.0.1", CHROME, (at(4),)),
        Visitor("c", "10.3.0.1", CHROME, (at(20, "event"),)),
        Visitor("d", "10.4.0.1", CHROME, (at(90),)),
    ]
    await send(client, site.id, admin_token, [(v, h) for v in visitors for h in v.hits])
    base = {"method": "Live.getCounters", "idSite": site.id, "token_auth": stats_token}
    counts = {m: await ok(client, lastMinutes=m, **base) for m in (1, 5, 30, 120, 2880)}
    assert counts[1] == [{"visits": 0, "actions": 0, "visitors": 0, "visitsConverted": 0}]
    assert counts[5] == [{"visits": 2, "actions": 2, "visitors": 2, "visitsConverted": 0}]
    assert counts[30] == [{"visits": 3, "actions": 3, "visitors": 3, "visitsConverted": 0}]
    assert counts[120] == counts[2880] == [{"visits": 4, "actions": 4, "visitors": 4, "visitsConverted": 0}]
    reply = await call(client, lastMinutes=30, format="csv", **base)
    assert reply.text.splitlines() == ["visits,actions,visitors,visitsConverted", "3,3,3,0"]


@pytest.mark.parametrize("minutes", [None, "", "0", "2881", "-5", "ten", "1.5"])
async def test_live_counters_need_last_minutes_from_1_to_2880(
    client: httpx.AsyncClient, site: Site, stats_token: str, minutes: str | None
) -> None:
    params: dict[str, Any] = {"method": "Live.getCounters", "idSite": site.id, "token_auth": stats_token}
    if minutes is not None:
        params["lastMinutes"] = minutes
    assert "lastMinutes" in assert_error(await call(client, **params), 400)


# -- columns ---------------------------------------------------------------------------------------
async def test_show_and_hide_columns(
    client: httpx.AsyncClient, site: Site, stats_token: str, tracked: None
) -> None:
    base = {"idSite": site.id, "token_auth": stats_token, **RANGE}
    summary = await ok(client, method="VisitsSummary.get", showColumns="nb_visits,bounce_rate", **base)
    assert summary == {"nb_visits": 15, "bounce_rate": "40%"}
    rows = await ok(client, method="DevicesDetection.getType", showColumns="nb_visits", **base)
    assert rows[0] == {"label": "Desktop", "nb_visits": 8}  # the label always stays, as in Matomo
    rows = await ok(
        client, method="Actions.getPageUrls", hideColumns="url,sum_time_spent, avg_time_on_page", **base
    )
    assert tuple(rows[0]) == tuple(
        c for c in PAGE_COLUMNS if c not in ("url", "sum_time_spent", "avg_time_on_page")
    )
    keyed = await ok(
        client,
        method="VisitsSummary.get",
        showColumns="nb_visits",
        idSite=site.id,
        token_auth=stats_token,
        period="day",
        date="last2",
    )
    assert keyed == {"2026-11-21": {"nb_visits": 5}, "2026-11-22": {"nb_visits": 5}}
    reply = await call(
        client,
        method="Live.getCounters",
        lastMinutes=5,
        hideColumns="visitsConverted",
        format="csv",
        idSite=site.id,
        token_auth=stats_token,
    )
    assert reply.text.splitlines() == ["visits,actions,visitors", "0,0,0"]
