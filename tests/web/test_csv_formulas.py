"""Tracked text never reaches a spreadsheet as a formula: every CSV and TSV the collector
writes (stats API, Matomo Reporting, the export zip, the audit log) goes through
``collector.web.csvout``, which neutralises a text cell starting with = + - @ tab or CR."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

import httpx
import pytest

from collector.clock import FrozenClock
from collector.model import Site
from collector.privacy import export
from collector.reporting.formats import Result, render
from collector.rollups.runner import rollup
from collector.settings import Settings
from collector.stats.period import Period
from collector.storage.sqlite import SqliteStore
from collector.web.csvout import lines_text, safe_cell, table_text
from tests.conftest import BROWSER_HEADERS

pytestmark = pytest.mark.both_backends  # the same behaviour on SQLite and PostgreSQL

HOSTILE = ['=HYPERLINK("http://evil")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_start_gets_an_apostrophe(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "/path", "", "a=b", "1-2", 0, -5, 2.5, None])
def test_everything_else_is_written_as_it_is(value: object) -> None:
    assert safe_cell(value) == value


def cells(text: str, delimiter: str = ",") -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]


def assert_neutral(text: str, delimiter: str = ",") -> None:
    values = cells(text, delimiter)
    assert values, text
    for value in values:
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_both_writers_neutralise() -> None:
    assert_neutral(table_text([{"value": v, "n": -1} for v in HOSTILE], ["value", "n"]).replace(",-1", ",1"))
    assert_neutral(lines_text(["a"], [[v] for v in HOSTILE]))
    tsv = table_text([{"value": v} for v in HOSTILE], ["value"], delimiter="\t")
    assert_neutral(tsv, "\t")


def test_matomo_csv_and_tsv_replies_neutralise() -> None:
    result = Result([{"label": v, "nb_visits": 1} for v in HOSTILE], ("label", "nb_visits"))
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        assert_neutral(bytes(render(result, fmt).body).decode(), delimiter)


async def test_tracked_values_reach_the_stats_csv_and_the_export_neutralised(
    client: httpx.AsyncClient,
    site: Site,
    stats_token: str,
    store: SqliteStore,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    for n, value in enumerate(HOSTILE):
        params = {
            "idsite": site.id,
            "rec": 1,
            "url": f"https://example.com/p?utm_source=s&utm_campaign={value}",
            "e_c": value,
            "e_a": "act",
        }
        reply = await client.get("/matomo.php", params=params, headers={**BROWSER_HEADERS, "X-N": str(n)})
        assert reply.status_code in (200, 204)
    await rollup(store, settings, clock)
    auth = {"Authorization": f"Bearer {stats_token}"}
    seen = 0
    for dimension in ("events", "utm_campaigns"):
        reply = await client.get(f"/api/v1/sites/{site.id}/breakdown/{dimension}?format=csv", headers=auth)
        assert reply.status_code == 200, reply.text
        values = [row["value"] for row in csv.DictReader(io.StringIO(reply.text, newline=""))]
        seen += sum(v.startswith("'") for v in values)
        assert_neutral(reply.text.replace(",-", ","))
    assert seen >= 2, "hostile values were tracked and reached the CSV"
    today = datetime.fromtimestamp(clock(), site.tz).date()
    data = await export.collect(store.stats(), site, Period(today, today))
    with zipfile.ZipFile(io.BytesIO(export.as_zip(data))) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode()
            if name.startswith("breakdown-"):
                for value in cells(text):
                    assert not value.startswith(("=", "+", "@", "\t", "\r")), (name, value)
