"""The stats JSON API (and CSV on request). Thin handlers: authorise, parse the period,
call one report, encode."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from collector.model import Site
from collector.rollups.runner import site_clocks
from collector.stats import reports, times
from collector.stats.filters import FilterError, parse_filters
from collector.stats.period import Period, PeriodError, parse_interval, parse_period
from collector.stats.reports import StatsReader
from collector.web.apiutil import ApiError, SiteHandler, json_response, site_for_bearer, with_site
from collector.web.csvout import table_text
from collector.web.services import services

READ_SCOPES = ("stats", "admin")
MAX_LIMIT = 1000


def csv_response(rows: list[dict[str, Any]], filename: str, fieldnames: list[str] | None = None) -> Response:
    columns = list(rows[0]) if rows else fieldnames
    return Response(
        table_text(rows, columns) if columns else "",
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.csv"',
            "Cache-Control": "no-store",
        },
    )


async def authorised_site(request: Request) -> Site:
    """The site in the path, if the bearer token may read its stats."""
    return await site_for_bearer(request, READ_SCOPES)


def _period(request: Request, site: Site) -> Period:
    today = datetime.fromtimestamp(services(request).clock(), site.tz).date()
    return parse_period(request.query_params.get("from"), request.query_params.get("to"), today)


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(400, "bad request", f"`{name}` must be an integer from {low} to {high}")
    return int(raw)


def _wants_csv(request: Request) -> bool:
    fmt = request.query_params.get("format", "json").lower()
    if fmt not in ("json", "csv"):
        raise ApiError(400, "bad request", "`format` must be json or csv")
    return fmt == "csv"


Report = Callable[[StatsReader], Awaitable[dict[str, Any]]]


async def _run(request: Request, site: Site, period: Period, report: Report) -> dict[str, Any]:
    """Run a report on the daily tables or, with filters, on raw events (and say so)."""
    filters = parse_filters(request.query_params)
    if not filters.active:
        return await report(services(request).stats)
    sites = await site_clocks(services(request).store, services(request).settings)
    reader = services(request).store.filtered_stats(filters, sites)
    try:
        data = await report(reader)
    finally:
        reader.close()
    today = datetime.fromtimestamp(services(request).clock(), site.tz).date()
    first_raw_day = today - timedelta(days=sites[site.id].retention_days)
    return {
        **data,
        "filters": filters.as_dict(),
        "source": "raw_events",
        "complete": period.start >= first_raw_day,
        "note": "filtered reports are computed from raw events, kept "
        f"{sites[site.id].retention_days} days; earlier days count nothing",
    }


def _no_filters(request: Request, report: str) -> None:
    if parse_filters(request.query_params).active:
        raise ApiError(400, "bad request", f"filters do not apply to {report}")


async def summary(request: Request, site: Site) -> Response:
    period = _period(request, site)
    return json_response(
        await _run(request, site, period, lambda reader: reports.summary(reader, site.id, period))
    )


async def timeseries(request: Request, site: Site) -> Response:
    period = _period(request, site)
    interval = parse_interval(request.query_params.get("interval"), period)
    as_csv = _wants_csv(request)
    data = await _run(
        request, site, period, lambda reader: reports.timeseries(reader, site.id, period, interval)
    )
    if as_csv:
        return csv_response(data["points"], f"timeseries-{site.id}-{period.start}-{period.end}")
    return json_response(data)


async def breakdown(request: Request, site: Site) -> Response:
    name = request.path_params["dimension"]
    if name not in reports.DIMENSIONS:
        raise ApiError(404, "not found", f"unknown dimension; one of: {' '.join(reports.DIMENSIONS)}")
    period = _period(request, site)
    limit = _int(request, "limit", 10, 1, MAX_LIMIT)
    offset = _int(request, "offset", 0, 0, 10**6)
    as_csv = _wants_csv(request)
    data = await _run(
        request, site, period, lambda reader: reports.breakdown(reader, site.id, name, period, limit, offset)
    )
    if as_csv:
        return csv_response(
            data["rows"], f"{name}-{site.id}-{period.start}-{period.end}", reports.breakdown_columns(name)
        )
    return json_response(data)


async def times_of_day(request: Request, site: Site) -> Response:
    """Visits by hour and weekday in the site's time zone; as CSV, the weekday × hour grid."""
    period = _period(request, site)
    as_csv = _wants_csv(request)
    data = await _run(request, site, period, lambda reader: times.times_of_day(reader, site.id, period))
    if as_csv:
        grid = [
            {"weekday": row["name"], **{f"{h:02d}h": v for h, v in enumerate(row["visits"])}}
            for row in data["grid"]
        ]
        return csv_response(grid, f"times-{site.id}-{period.start}-{period.end}")
    return json_response(data)


async def realtime(request: Request, site: Site) -> Response:
    _no_filters(request, "realtime")
    return json_response(await reports.realtime(services(request).stats, site.id, services(request).clock()))


async def dropped(request: Request, site: Site) -> Response:
    _no_filters(request, "dropped requests (they carry no attributes)")
    return json_response(await reports.dropped(services(request).stats, site.id, _period(request, site)))


def endpoint(handler: SiteHandler) -> Callable[[Request], Awaitable[Response]]:
    return with_site(READ_SCOPES, handler, bad_request=(PeriodError, FilterError))


PREFIX = "/api/v1/sites/{site_id}"
ROUTES = [
    Route(f"{PREFIX}/summary", endpoint(summary), methods=["GET"]),
    Route(f"{PREFIX}/timeseries", endpoint(timeseries), methods=["GET"]),
    Route(f"{PREFIX}/breakdown/{{dimension}}", endpoint(breakdown), methods=["GET"]),
    Route(f"{PREFIX}/times", endpoint(times_of_day), methods=["GET"]),
    Route(f"{PREFIX}/realtime", endpoint(realtime), methods=["GET"]),
    Route(f"{PREFIX}/dropped", endpoint(dropped), methods=["GET"]),
]
