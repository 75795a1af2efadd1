"""A site's privacy tools (site administrators): exclusion rules with a preview of the
stored events they match and a confirmed removal; export; erasure of a period.
And the audit log (global administrators), viewable and exportable as CSV."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from collector.dashboard import audit, auth
from collector.dashboard.render import render
from collector.model import Site
from collector.privacy import export
from collector.privacy import tools as privacy_tools
from collector.privacy.exclusions import RuleError, parse_rules
from collector.rollups.runner import raw_retention_days
from collector.stats.period import PeriodError, parse_period
from collector.web.csvout import lines_text
from collector.web.services import services

AUDIT_PAGE = 100
AUDIT_CSV_MAX = 100_000
AUDIT_REFUSAL = "Only administrators may read the audit log."


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
    retention = raw_retention_days(site, services(request).settings)
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


@auth.dashboard_view("admin")
async def privacy_page(request: Request, who: auth.Viewer, site: Site, _form: None) -> Response:
    done = {"rules": "Rules saved. New requests that match are no longer counted.", "erased": "Erased."}.get(
        request.query_params.get("done", ""), ""
    )
    if request.query_params.get("removed"):
        done = (
            f"Removed {request.query_params['removed']} stored events and recomputed "
            f"{request.query_params.get('days', '0')} days."
        )
    return await _page(request, who, site, done=done)


@auth.dashboard_view("admin", form=True)
async def save_rules(request: Request, who: auth.Viewer, site: Site, form: auth.Form) -> Response:
    text = form.get("exclusions", "")
    try:
        rules = parse_rules(text)
    except RuleError as exc:
        return await _page(request, who, site, 400, error=f"Not saved: {exc}.", rules_text=text)
    changed = dataclasses.replace(site.settings, exclusions=rules)
    await services(request).store.update_site(site.id, site.name, site.domains, site.timezone, changed)
    await audit.record(request, who.user.name, "exclusions.set", {"site": site.id, "rules": list(rules)})
    return RedirectResponse(f"/sites/{site.id}/privacy?done=rules", status_code=303)


@auth.dashboard_view("admin", form=True)
async def apply_rules(request: Request, who: auth.Viewer, site: Site, _form: auth.Form) -> Response:
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


@auth.dashboard_view("admin")
async def export_data(request: Request, who: auth.Viewer, site: Site, _form: None) -> Response:
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


@auth.dashboard_view("admin", form=True)
async def erase_data(request: Request, who: auth.Viewer, site: Site, form: auth.Form) -> Response:
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


def _prefix(request: Request) -> str:
    raw = request.query_params.get("action", "")
    return raw if len(raw) <= 40 and all(c.isalnum() or c in "._" for c in raw) else ""


@auth.dashboard_view("admin", site=False, refusal=AUDIT_REFUSAL)
async def audit_page(request: Request, who: auth.Viewer, _site: None, _form: None) -> Response:
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


@auth.dashboard_view("admin", site=False, refusal=AUDIT_REFUSAL)
async def audit_csv(request: Request, who: auth.Viewer, _site: None, _form: None) -> Response:
    entries = await services(request).store.list_audit(_prefix(request), 2**62, AUDIT_CSV_MAX)
    text = lines_text(
        ["id", "time_utc", "actor", "action", "detail", "masked_ip"],
        (
            [
                e.id,
                datetime.fromtimestamp(e.ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                e.actor,
                e.action,
                e.detail,
                e.ip,
            ]
            for e in entries
        ),
    )
    await audit.record(request, who.user.name, "audit.export", {"entries": len(entries)})
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"', "Cache-Control": "no-store"},
    )


def _utc(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
