"""``/index.php?module=API&method=…``: a subset of Matomo's Reporting API for its read
clients (GET, or POST with form parameters).

Methods: ``VisitsSummary.get``, ``Actions.getPageUrls`` (always flat), ``Referrers.getWebsites``,
``Referrers.getReferrerType``, ``DevicesDetection.getBrowsers|getOsVersions|getType``,
``VisitTime.getVisitInformationPerServerTime|getVisitInformationPerLocalTime|getByDayOfWeek``,
``Live.getCounters``, ``API.getMatomoVersion``/``API.getPiwikVersion`` and the
``SitesManager`` look-ups of Matomo's log importer (:mod:`collector.reporting.sites`). Parameters:
``idSite``, ``period``, ``date`` (:mod:`collector.reporting.dates`), ``format``
(:mod:`collector.reporting.formats`), ``token_auth`` (:mod:`collector.reporting.auth`),
``filter_limit`` (default 100, -1 for all), ``filter_offset``, ``showColumns``/``hideColumns``;
``lastMinutes`` for ``Live.getCounters``. ``segment`` is refused rather than ignored; other
Matomo parameters (``flat``, ``expanded``, ``filter_sort_column``…) are ignored.

Status codes. Real Matomo renders every error as ``{"result":"error","message":…}``; it
replies 401 for access errors (``NoAccessException``) and 200 for everything else. We keep
the body and the 401, but answer bad requests (unknown method, bad date, bad format…) with
400, so a wrong query shows up as an error in logs and HTTP clients; Matomo clients read
``result`` in the body and work either way. A 5xx is a bug."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from collector.model import Site
from collector.reporting import sites
from collector.reporting.auth import read_token, readable_site
from collector.reporting.columns import select
from collector.reporting.dates import parse_dates
from collector.reporting.errors import ReportingError, missing
from collector.reporting.formats import Result, parse_format, render, render_error
from collector.reporting.methods import MAX_SCANNED, REPORTS, Ask, Paging
from collector.reporting.params import Params, integer, read_params, site_id
from collector.web.services import services

MATOMO_VERSION = "5.0.0"  # the Matomo API this subset follows
VERSION_METHODS = ("API.getMatomoVersion", "API.getPiwikVersion")
LIVE_COLUMNS = ("visits", "actions", "visitors", "visitsConverted")
METHODS = {name.lower(): name for name in (*REPORTS, "Live.getCounters", *VERSION_METHODS, *sites.METHODS)}
MAX_OFFSET = 10**6


def _method(raw: str | None) -> str:
    if not raw:
        raise missing("method")
    name = METHODS.get(raw.lower())
    if name is None:
        module = raw.partition(".")[0][:40]
        raise ReportingError(
            f"The method {raw[:80]!r} does not exist or is not available in the module "
            f"{module!r}. Supported: {', '.join(METHODS.values())}."
        )
    return name


async def _counters(request: Request, params: Params, site: Site) -> Result:
    """``Live.getCounters``: raw events of the last minutes. ``visits`` is the number of
    visitors active (exact up to 30 minutes, as a visit ends after 30 idle minutes; a lower
    bound beyond), ``actions`` counts page views only, ``visitsConverted`` is always 0."""
    minutes = integer(params, "lastMinutes", None, 1, 2880)
    since_ms = int((services(request).clock() - minutes * 60) * 1000)
    visitors, pageviews = await services(request).stats.realtime(site.id, since_ms)
    row = {"visits": visitors, "actions": pageviews, "visitors": visitors, "visitsConverted": 0}
    return Result([row], LIVE_COLUMNS)


async def _report(request: Request, params: Params, site: Site, method: str) -> Result:
    if params.get("segment"):
        raise ReportingError("Segments are not supported by this server; remove the 'segment' parameter.")
    today = datetime.fromtimestamp(services(request).clock(), site.tz).date()
    dates = parse_dates(params.get("period"), params.get("date"), today)
    paging = Paging(
        integer(params, "filter_limit", 100, -1, MAX_SCANNED),
        integer(params, "filter_offset", 0, 0, MAX_OFFSET),
    )
    report = REPORTS[method]
    if report.single_period and dates.multiple:
        raise ReportingError(f"{method} does not support multiple dates.")
    reader = services(request).stats
    results = {item.label: await report.run(Ask(reader, site, item.period, paging)) for item in dates.periods}
    data = results if dates.multiple else next(iter(results.values()))
    return Result(data, report.columns, keyed=dates.multiple)


async def _call(request: Request, params: Params) -> Result:
    method = _method(params.get("method"))
    if method in VERSION_METHODS:
        await read_token(request, params, None)
        return Result({"value": MATOMO_VERSION}, ("value",))
    if method in sites.METHODS:
        return await sites.call(request, params, method)
    site = await readable_site(request, params, site_id(params))
    if method == "Live.getCounters":
        return await _counters(request, params, site)
    return await _report(request, params, site, method)


async def handle(request: Request) -> Response:
    fmt = "json"
    try:
        params = await read_params(request)
        fmt = parse_format(params.get("format"))
        return render(select(await _call(request, params), params), fmt)
    except ReportingError as exc:
        return render_error(exc, fmt)
