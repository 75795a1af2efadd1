"""Output formats: ``JSON`` (the default here; Matomo's default is XML, which we do not
serve), ``CSV`` and ``TSV`` (UTF-8; Matomo converts CSV to UTF-16 unless
``convertToUnicode=0``, we never do). Any other ``format`` is refused with a JSON error.

A reply over several periods is an object keyed by period label in JSON; in CSV/TSV it
gets a first ``date`` column holding that label, as Matomo's CSV renderer does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.responses import PlainTextResponse, Response

from collector.reporting.errors import ReportingError
from collector.web.apiutil import json_response
from collector.web.csvout import table_text

FORMATS = ("json", "csv", "tsv")
MEDIA = {"csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8"}


@dataclass(frozen=True, slots=True)
class Result:
    data: Any  # a row (dict), rows (list of dicts), or label → either, when keyed
    columns: tuple[str, ...]
    keyed: bool = False


def parse_format(raw: str | None) -> str:
    fmt = (raw or "json").lower()
    if fmt not in FORMATS:
        raise ReportingError(f"The format {(raw or '')[:20]!r} is not supported here; use JSON, CSV or TSV.")
    return fmt


def _rows(data: Any) -> list[dict[str, Any]]:
    return list(data) if isinstance(data, list) else [data]


def _table(result: Result) -> Iterable[dict[str, Any]]:
    if not result.keyed:
        yield from _rows(result.data)
        return
    for label, data in result.data.items():
        for row in _rows(data):
            yield {"date": label, **row}


def _text(result: Result, fmt: str) -> str:
    columns = ["date", *result.columns] if result.keyed else list(result.columns)
    return table_text(_table(result), columns, delimiter="\t" if fmt == "tsv" else ",", extra="ignore")


def render(result: Result, fmt: str) -> Response:
    if fmt == "json":
        return json_response(result.data)
    return Response(_text(result, fmt), media_type=MEDIA[fmt], headers={"Cache-Control": "no-store"})


def render_error(error: ReportingError, fmt: str) -> Response:
    """Matomo's error shapes: ``{"result":"error","message":…}``, or ``Error: …`` as text."""
    message = " ".join(error.message.split())
    if fmt == "json":
        return json_response({"result": "error", "message": message}, error.status)
    return PlainTextResponse(
        f"Error: {message}", status_code=error.status, headers={"Cache-Control": "no-store"}
    )
