"""The request's parameters: the query string, then (for a POST) a form body; a name in
both keeps its query-string value, as Matomo's ``$_GET + $_POST`` does."""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.requests import Request

from collector.ingest.params import parse_query
from collector.reporting.errors import ReportingError, missing

MAX_BODY = 64 * 1024
_INT = re.compile(r"-?\d{1,12}", re.ASCII)

Params = Mapping[str, str]


async def _body(request: Request) -> str:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ReportingError(f"The request body is over {MAX_BODY} bytes.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ReportingError(f"The request body is over {MAX_BODY} bytes.")
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


async def read_params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    content_type = request.headers.get("content-type", "").lower()
    if request.method == "POST" and "multipart/" not in content_type:
        parse_query(await _body(request), into=params)
    return params


def integer(params: Params, name: str, default: int | None, low: int, high: int) -> int:
    """An integer parameter within [low, high]; ``default`` None makes it required."""
    raw = params.get(name, "")
    if raw == "":
        if default is None:
            raise missing(name)
        return default
    if not _INT.fullmatch(raw) or not low <= int(raw) <= high:
        raise ReportingError(
            f"The parameter '{name}' must be an integer from {low} to {high}, not {raw[:20]!r}."
        )
    return int(raw)


def site_id(params: Params) -> int:
    """``idSite`` (``idsite`` is accepted too): one site; lists and ``all`` are refused."""
    raw = params.get("idSite") or params.get("idsite") or ""
    if not raw:
        raise missing("idSite")
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) < 2**31:
        raise ReportingError(
            f"The parameter 'idSite' must be one site id (a positive integer), not {raw[:20]!r}."
        )
    return int(raw)
