"""The pages: the sites overview, a site's dashboard, its CSV downloads and the realtime
count the script refreshes. Thin handlers: who is looking, which site and period, load,
render."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from collector.dashboard import auth, charts, periods
from collector.dashboard.data import Report, load, site_card, site_today
from collector.dashboard.formatting import Change, change, duration, number
from collector.dashboard.panels import (
    FILTER_LABELS,
    GROUPS,
    TABS,
    TabView,
    filter_shown,
    query,
    reason_label,
    tab_view,
)
from collector.dashboard.render import error_page, render
from collector.dashboard.worldmap import VIEWBOX
from collector.model import Site
from collector.stats import api as stats_api
from collector.stats import reports
from collector.stats.api import MAX_LIMIT
from collector.stats.filters import FilterError, Filters, parse_filters
from collector.stats.period import PeriodError
from collector.web.apiutil import ApiError, json_response
from collector.web.services import services


@dataclass(frozen=True, slots=True)
class Tile:
    key: str
    label: str
    value: str
    raw: float | None  # for locale formatting in the browser
    decimals: int
    change: Change
    previous: str


def _tiles(summary: Mapping[str, Any]) -> list[Tile]:
    before = summary["previous"]

    def tile(key: str, label: str, show: Any, **how: bool) -> Tile:
        raw = float(summary[key]) if key in ("visitors", "visits", "pageviews", "views_per_visit") else None
        return Tile(
            key,
            label,
            show(summary[key]),
            raw,
            2 if key == "views_per_visit" else 0,
            change(summary[key], before[key], **how),
            show(before[key]),
        )

    return [
        tile("visitors", "Unique visitors", number),
        tile("visits", "Visits", number),
        tile("pageviews", "Page views", number),
        tile("views_per_visit", "Views per visit", lambda v: number(v, 2)),
        tile("bounce_rate", "Bounce rate", lambda v: f"{number(v, 1)}%", lower_is_better=True, points=True),
        tile("visit_duration_s", "Visit duration", duration),
    ]


def origin(request: Request) -> str:
    scheme = "https" if auth.is_https(request) else "http"
    return f"{scheme}://{request.url.netloc}"


def snippet(request: Request, site: Site) -> str:
    base = f"{origin(request)}/"
    return (
        "<script>\n"
        "  var _paq = window._paq = window._paq || [];\n"
        "  _paq.push(['disableCookies']);\n"
        "  _paq.push(['trackPageView']);\n"
        "  _paq.push(['enableLinkTracking']);\n"
        "  (function() {\n"
        f'    var u = "{base}";\n'
        "    _paq.push(['setTrackerUrl', u + 'matomo.php']);\n"
        f"    _paq.push(['setSiteId', '{site.id}']);\n"
        "    var d = document, g = d.createElement('script'), s = d.getElementsByTagName('script')[0];\n"
        "    g.async = true; g.src = u + 'matomo.js'; s.parentNode.insertBefore(g, s);\n"
        "  })();\n"
        "</script>"
    )


def pixel_snippet(request: Request, site: Site) -> str:
    """The image-pixel form, for pages (or e-mail) without JavaScript."""
    return (
        f'<noscript><p><img referrerpolicy="no-referrer-when-downgrade" '
        f'src="{origin(request)}/matomo.php?idsite={site.id}&amp;rec=1" '
        'style="border:0" alt=""></p></noscript>'
    )


@auth.dashboard_view(site=False)
async def overview(request: Request, who: auth.Viewer, _site: None, _form: None) -> Response:
    cards = [await site_card(request, site) for site in await auth.visible_sites(request, who)]
    return render(
        request, "sites.html", session_user=who.user, csrf=who.csrf, cards=cards, sparkline=charts.sparkline
    )


def _selection(query_params: QueryParams, today: date) -> tuple[periods.Choice, Filters, list[str]]:
    notices = []
    try:
        choice = periods.choose(query_params, today)
    except PeriodError as exc:
        notices.append(f"That period could not be shown ({exc}); showing the last 30 days instead.")
        choice = periods.choose({}, today)
    try:
        filters = parse_filters(query_params)
    except FilterError as exc:
        notices.append(f"The filters were removed: {exc}.")
        filters = Filters()
    return choice, filters, notices


@auth.dashboard_view()
async def dashboard(request: Request, who: auth.Viewer, site: Site, _form: None) -> Response:
    can_admin = await auth.site_role(request, who, site.id) == "admin"
    return await report_page(
        request,
        site,
        f"/sites/{site.id}",
        session_user=who.user,
        csrf=who.csrf,
        shared=False,
        can_admin=can_admin,
    )


async def report_page(
    request: Request,
    site: Site,
    base: str,
    *,
    shared: bool,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    """A site's dashboard under ``base`` (``/sites/ID``, or a shared link's ``/share/SECRET``)."""
    today = site_today(request, site)
    choice, filters, notices = _selection(request.query_params, today)
    report = await load(request, site, choice, filters)
    params = {**choice.params(), **filters.as_dict()}
    views = _tab_views(base, report, params, filters)
    context.setdefault("can_admin", False)
    return render(
        request,
        "site.html",
        headers=headers,
        site=site,
        today=today,
        base=base,
        shared=shared,
        choice=choice,
        choices=periods.CHOICES,
        filters=filters.as_dict(),
        filter_labels=FILTER_LABELS,
        filter_shown=filter_shown,
        world_viewbox=VIEWBOX,
        params=params,
        notices=notices,
        report=report,
        tiles=_tiles(report.summary),
        chart=charts.time_chart(report.points, choice.interval),
        groups=[(group, views[group.key]) for group in GROUPS],
        dropped=[(reason_label(r["reason"]), r["requests"]) for r in report.dropped["reasons"]],
        snippet=snippet(request, site),
        query=query,
        describe=periods.describe,
        csv_timeseries=f"{base}/csv/timeseries{query(params)}",
        nav="dashboard",
        **context,
    )


def _tab_views(
    base: str, report: Report, params: dict[str, str], filters: Filters
) -> dict[str, list[TabView]]:
    return {
        group.key: [
            tab_view(
                tab,
                report.breakdowns[tab.dimension],
                report.summary,
                params,
                filters.as_dict(),
                f"{base}/csv/{tab.dimension}{query(params)}",
            )
            for tab in group.tabs
        ]
        for group in GROUPS
    }


@auth.dashboard_view()
async def csv_download(request: Request, _who: auth.Viewer, site: Site, _form: None) -> Response:
    return await csv_reply(request, site)


async def csv_reply(request: Request, site: Site) -> Response:
    """The stats API's ``?format=csv`` reply for the dashboard's period and filters (the API
    handlers answer, so the bytes are the API's)."""
    name = request.path_params["report"]
    if name != "timeseries" and name not in TABS:
        return error_page(request, 404, "No such report", "There is no such download.")
    choice, filters, notices = _selection(request.query_params, site_today(request, site))
    if notices:
        return error_page(request, 400, "Bad request", " ".join(notices))
    api_query = {**choice.period.bind(), **filters.as_dict(), "format": "csv"}
    if name == "timeseries":
        api_query["interval"] = choice.interval
        handler = stats_api.timeseries
    else:
        api_query["limit"] = str(MAX_LIMIT)
        handler = stats_api.breakdown
    scope = {
        **request.scope,
        "query_string": urlencode(api_query).encode(),
        "path_params": {"site_id": str(site.id), "dimension": name},
    }
    try:
        return await handler(Request(scope, request.receive), site)
    except (ApiError, PeriodError, FilterError) as exc:  # pragma: no cover - validated above
        return error_page(request, 400, "Bad request", str(exc))


def _json_not_found(_request: Request) -> Response:
    return json_response({"error": "not found", "detail": None}, 404)


@auth.dashboard_view(not_found=_json_not_found)
async def realtime(request: Request, _who: auth.Viewer, site: Site, _form: None) -> Response:
    return await realtime_reply(request, site)


async def realtime_reply(request: Request, site: Site) -> Response:
    return json_response(await reports.realtime(services(request).stats, site.id, services(request).clock()))
