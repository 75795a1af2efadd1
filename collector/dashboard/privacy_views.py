"""A site's privacy tools (site administrators): exclusion rules with a preview of the
stored events they match and a confirmed removal; export; erasure of a period.
And the audit log (global administrators), viewable and exportable as CSV."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from collector.dashboard import audit, auth
from collector.dashboard.render import error_page, render
from collector.dashboard.views import site_admin_form, site_or_error
from collector.model import Site
from collector.privacy import export
from collector.privacy import tools as privacy_tools
from collector.privacy.exclusions import RuleError, parse_rules
from collector.stats.period import PeriodError, parse_period
from collector.web.services import services

AUDIT_PAGE = 100
AUDIT_CSV_MAX = 100_000


def _today(request: Request, site: Site) -> date:
    return datetime.fromtimestamp(services(request).clock(), site.tz).date()


async def _page(
    request: Request,
    who: auth.Viewer,
    site: Site,
    status: int = 200,
    error: str = "",
    done: str = "",
    rules_text: str | None = None,
) -> Response:
    matches = await privacy_tools.preview(services(request).store, site)
    retention = site.settings.raw_retention_days or services(request).settings.raw_retention_days
    today = _today(request, site)
    return render(
        request,
        "privacy.html",
        status=status,
        session_user=who.user,
        csrf=who.csrf,
        site=site,
        nav="privacy",
        matches=matches,
        total=sum(m.total for m in matches),
        retention=retention,
        rules_text="\n".join(site.settings.exclusions) if rules_text is None else rules_text,
        error=error,
        done=done,
        today=today.isoformat(),
        month_start=today.replace(day=1).isoformat(),
    )


async def privacy_page(request: Request) -> Response:
    found = await site_or_error(request, "admin")
    if isinstance(found, Response):
        return found
    who, site = found
    done = {"rules": "Rules saved. New requests that match are no longer counted.", "erased": "Erased."}.get(
        request.query_params.get("done", ""), ""
    )
    if request.query_params.get("removed"):
        done = (
            f"Removed {request.query_params['removed']} stored events and recomputed "
            f"{request.query_params.get('days', '0')} days."
        )
    return await _page(request, who, site, done=done)


async def save_rules(request: Request) -> Response:
    got = await site_admin_form(request)
    if isinstance(got, Response):
        return got
    who, site, form = got
    text = form.get("exclusions", "")
    try:
        rules = parse_rules(text)
    except RuleError as exc:
        return await _page(request, who, site, 400, error=f"Not saved: {exc}.", rules_text=text)
    changed = dataclasses.replace(site.settings, exclusions=rules)
    await services(request).store.update_site(site.id, site.name, site.domains, site.timezone, changed)
    await audit.record(request, who.user.name, "exclusions.set", {"site": site.id, "rules": list(rules)})
    return RedirectResponse(f"/sites/{site.id}/privacy?done=rules", status_code=303)


async def apply_rules(request: Request) -> Response:
    got = await site_admin_form(request)
    if isinstance(got, Response):
        return got
    who, site, _form = got
    state = services(request)
    removed = await privacy_tools.apply_exclusions(
        state.store, state.settings, state.clock, site, who.user.name, audit.masked_ip(request)
    )
    return RedirectResponse(
        f"/sites/{site.id}/privacy?removed={sum(removed.values())}&days={len(removed)}", status_code=303
    )


def _range(request: Request, site: Site, values: dict[str, str]) -> tuple[str, str] | str:
    try:
        period = parse_period(values.get("from") or None, values.get("to") or None, _today(request, site))
    except PeriodError as exc:
        return str(exc).replace("`", "")
    return period.start.isoformat(), period.end.isoformat()


async def export_data(request: Request) -> Response:
    found = await site_or_error(request, "admin")
    if isinstance(found, Response):
        return found
    who, site = found
    values = dict(request.query_params)
    span = _range(request, site, values)
    if isinstance(span, str):
        return await _page(request, who, site, 400, error=f"Not exported: {span}.")
    period = parse_period(span[0], span[1], _today(request, site))
    data = await export.collect(services(request).stats, site, period)
    as_zip = values.get("format") == "csv"
    payload = export.as_zip(data) if as_zip else export.as_json(data)
    await audit.record(request, who.user.name, "export", {"site": site.id, "from": span[0], "to": span[1]})
    name = f"site-{site.id}-{span[0]}-{span[1]}.{'zip' if as_zip else 'json'}"
    return Response(
        payload,
        media_type="application/zip" if as_zip else "application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


async def erase_data(request: Request) -> Response:
    got = await site_admin_form(request)
    if isinstance(got, Response):
        return got
    who, site, form = got
    if form.get("confirm", "").strip() != site.name:
        return await _page(
            request, who, site, 400, error="Not erased: type the site's name exactly to confirm."
        )
    span = _range(request, site, form)
    if isinstance(span, str):
        return await _page(request, who, site, 400, error=f"Not erased: {span}.")
    await privacy_tools.erase(
        services(request).store,
        services(request).clock,
        site,
        span[0],
        span[1],
        who.user.name,
        audit.masked_ip(request),
    )
    return RedirectResponse(f"/sites/{site.id}/privacy?done=erased", status_code=303)


async def _audit_viewer(request: Request) -> auth.Viewer | Response:
    who = await auth.viewer(request)
    if who is None:
        return auth.login_redirect(request)
    if not who.user.is_admin:
        return error_page(
            request,
            403,
            "Not allowed",
            "Only administrators may read the audit log.",
            session_user=who.user,
            csrf=who.csrf,
        )
    return who


def _prefix(request: Request) -> str:
    raw = request.query_params.get("action", "")
    return raw if len(raw) <= 40 and all(c.isalnum() or c in "._" for c in raw) else ""


async def audit_page(request: Request) -> Response:
    who = await _audit_viewer(request)
    if isinstance(who, Response):
        return who
    before_raw = request.query_params.get("before", "")
    before = int(before_raw) if before_raw.isdigit() and len(before_raw) < 19 else 2**62
    prefix = _prefix(request)
    entries = await services(request).store.list_audit(prefix, before, AUDIT_PAGE + 1)
    more = entries[AUDIT_PAGE].id if len(entries) > AUDIT_PAGE else None
    return render(
        request,
        "audit.html",
        session_user=who.user,
        csrf=who.csrf,
        entries=entries[:AUDIT_PAGE],
        prefix=prefix,
        older=entries[AUDIT_PAGE - 1].id if more else None,
        retention=services(request).settings.audit_retention_days,
    )


async def audit_csv(request: Request) -> Response:
    who = await _audit_viewer(request)
    if isinstance(who, Response):
        return who
    entries = await services(request).store.list_audit(_prefix(request), 2**62, AUDIT_CSV_MAX)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "time_utc", "actor", "action", "detail", "masked_ip"])
    for e in entries:
        when = datetime.fromtimestamp(e.ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        writer.writerow([e.id, when, _cell(e.actor), e.action, _cell(e.detail), e.ip])
    await audit.record(request, who.user.name, "audit.export", {"entries": len(entries)})
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"', "Cache-Control": "no-store"},
    )


def _cell(text: Any) -> str:
    """No spreadsheet formulas from stored text (a user name could start with '=')."""
    value = str(text)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
