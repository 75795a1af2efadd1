"""A site's settings page (site administrators): name, domains, time zone, retention,
query keys, privacy signals, host check, consent mode; the tracking snippets and the
opt-out widget. Validation is ``collector.site_settings`` (the CLI's ``site set`` rules)."""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from collector.dashboard import audit, auth
from collector.dashboard.render import render
from collector.dashboard.views import origin, pixel_snippet, site_admin_form, site_or_error, snippet
from collector.model import CONSENT_MODES, Site
from collector.site_settings import SiteChangeError, apply_changes
from collector.web.services import services

CHECKBOXES = ("honour_dnt", "honour_gpc", "check_host")
TEXT_FIELDS = (
    "name",
    "domains",
    "timezone",
    "allowed_query_keys",
    "campaign_keys",
    "aggregate_retention_months",
    "consent_mode",
)
CONSENT_LABELS = {
    "cookieless": "Cookie-less: count every visit (nothing is stored on the device)",
    "consent_required": "Consent required: count only requests sent with consent=1",
}


@cache
def time_zones() -> list[str]:
    return sorted(available_timezones())


def optout_snippet(request: Request, site: Site) -> str:
    return (
        f'<div data-collector-optout data-mode="account" data-site="{site.id}" '
        'data-endpoint="/your-backend/analytics-optout"></div>\n'
        f'<script src="{origin(request)}/js/optout-widget.js" defer></script>'
    )


def form_values(site: Site) -> dict[str, Any]:
    s = site.settings
    return {
        "name": site.name,
        "domains": "\n".join(site.domains),
        "timezone": site.timezone,
        "raw_retention_days": "" if s.raw_retention_days is None else str(s.raw_retention_days),
        "aggregate_retention_months": str(s.aggregate_retention_months),
        "allowed_query_keys": "\n".join(s.allowed_query_keys),
        "campaign_keys": "\n".join(s.campaign_keys),
        "honour_dnt": s.honour_dnt,
        "honour_gpc": s.honour_gpc,
        "check_host": s.check_host,
        "consent_mode": s.consent_mode,
    }


def _page(
    request: Request,
    who: auth.Viewer,
    site: Site,
    values: dict[str, Any],
    status: int = 200,
    error: str = "",
    saved: bool = False,
) -> Response:
    zones = time_zones()
    if values["timezone"] not in zones:
        zones = [values["timezone"], *zones]
    return render(
        request,
        "settings.html",
        status=status,
        session_user=who.user,
        csrf=who.csrf,
        site=site,
        nav="settings",
        values=values,
        error=error,
        saved=saved,
        zones=zones,
        consent_modes=[(m, CONSENT_LABELS.get(m, m)) for m in CONSENT_MODES],
        default_retention=services(request).settings.raw_retention_days,
        snippet=snippet(request, site),
        pixel=pixel_snippet(request, site),
        optout=optout_snippet(request, site),
    )


async def settings_page(request: Request) -> Response:
    found = await site_or_error(request, "admin")
    if isinstance(found, Response):
        return found
    who, site = found
    return _page(request, who, site, form_values(site), saved=request.query_params.get("saved") == "1")


def _changes(form: dict[str, str]) -> list[tuple[str, str]]:
    items = [(key, form.get(key, "")) for key in TEXT_FIELDS]
    items += [(key, "true" if form.get(key) else "false") for key in CHECKBOXES]
    if form.get("raw_retention_days", "").strip():
        items.append(("raw_retention_days", form["raw_retention_days"]))
    return items


def _diff(before: Site, after: Site) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for key in ("name", "domains", "timezone"):
        if getattr(before, key) != getattr(after, key):
            out[key] = [getattr(before, key), getattr(after, key)]
    for key in before.settings.__dataclass_fields__:
        old, new = getattr(before.settings, key), getattr(after.settings, key)
        if old != new:
            out[key] = [old, new]
    return out


async def save_settings(request: Request) -> Response:
    got = await site_admin_form(request)
    if isinstance(got, Response):
        return got
    who, site, form = got
    try:
        changed = apply_changes(site, _changes(form))
    except SiteChangeError as exc:
        values = {
            **form_values(site),
            **{k: form.get(k, "") for k in (*TEXT_FIELDS, "raw_retention_days")},
            **{k: bool(form.get(k)) for k in CHECKBOXES},
        }
        return _page(request, who, site, values, 400, error=f"Not saved: {exc}.")
    if not form.get("raw_retention_days", "").strip():
        changed = dataclasses.replace(
            changed, settings=dataclasses.replace(changed.settings, raw_retention_days=None)
        )
    store = services(request).store
    await store.update_site(site.id, changed.name, changed.domains, changed.timezone, changed.settings)
    await audit.record(
        request, who.user.name, "site.settings", {"site": site.id, "changes": _diff(site, changed)}
    )
    return RedirectResponse(f"/sites/{site.id}/settings?saved=1", status_code=303)
