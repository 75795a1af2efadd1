"""Export a site's aggregates for a period: JSON, or a zip of CSV files (one per report)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import orjson

from collector.model import Site
from collector.stats import reports
from collector.stats.period import Period
from collector.web.csvout import table_text

EXPORT_LIMIT = 10_000  # rows per breakdown


async def collect(reader: reports.StatsReader, site: Site, period: Period) -> dict[str, Any]:
    """Every report of the period, from the daily tables."""
    return {
        "site": {"id": site.id, "name": site.name, "timezone": site.timezone},
        "summary": await reports.summary(reader, site.id, period),
        "timeseries": (await reports.timeseries(reader, site.id, period, "day"))["points"],
        "breakdowns": {
            name: (await reports.breakdown(reader, site.id, name, period, EXPORT_LIMIT, 0))["rows"]
            for name in reports.DIMENSIONS
        },
        "dropped": (await reports.dropped(reader, site.id, period))["reasons"],
    }


def as_json(data: dict[str, Any]) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2)


def _csv(rows: list[dict[str, Any]]) -> str:
    return table_text(rows, list(rows[0])) if rows else ""


def as_zip(data: dict[str, Any]) -> bytes:
    summary = {k: v for k, v in data["summary"].items() if k != "previous"}
    files = {
        "summary.csv": _csv([summary]),
        "timeseries.csv": _csv(data["timeseries"]),
        "dropped.csv": _csv(data["dropped"]),
    }
    files.update({f"breakdown-{name}.csv": _csv(rows) for name, rows in data["breakdowns"].items()})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()
