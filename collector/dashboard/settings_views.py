"""A site's settings page (site administrators): name, domains, time zone, retention,
query keys, privacy signals, host check, consent mode; the tracking snippets and the
opt-out widget. Validation is ``collector.site_settings`` (the CLI's ``site set`` rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from collector.dashboard import audit, auth
from collector.dashboard.render import render
from collector.dashboard.views import origin, pixel_snippet, snippet
from collector.model import Site
from collector.site_settings import (
    SECTIONS,
    SITE_KEYS,
    FormField,
    SiteChangeError,
    SiteKey,
    apply_changes,
    current,
    reset,
)
from collector.web.services import services

# the form's fields: the rows of the site keys table that it shows, in the table's order
FIELDS: tuple[tuple[SiteKey, FormField], ...] = tuple((k, k.form) for k in SITE_KEYS if k.form is not None)


@dataclass(frozen=True, slots=True)
class Shown:
    """One field as the template renders it."""

    name: str
    field: FormField
    value: str | bool
    hint: Markup
    placeholder: str
    options: list[tuple[str, str]]  # a select's (value, label)


@cache
def time_zones() -> list[str]:
    return sorted(available_timezones())


def optout_snippet(request: Request, site: Site) -> str:
    return (
        f'<div data-collector-optout data-mode="account" data-site="{site.id}" '
        'data-endpoint="/your-backend/analytics-optout"></div>\n'
        f'<script src="{origin(request)}/js/optout-widget.js" defer></script>'
    )


def _text(value: object) -> str | bool:
    """A stored value as the form shows it: lists one a line, no value as an empty field."""
    if isinstance(value, bool):
        return value
    if value is None:
        return ""
    if isinstance(value, tuple):
        return "\n".join(str(v) for v in value)
    return str(value)


def form_values(site: Site) -> dict[str, str | bool]:
    return {key.name: _text(current(site, key)) for key, _ in FIELDS}


def _markup(text: str) -> Markup:
    """A hint of the table: escaped, `code` in backticks shown as code."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def _sections(
    values: dict[str, str | bool], zones: list[str], server_default: int
) -> list[tuple[str, list[Shown]]]:
    """The form's fieldsets, each with its fields."""
    sections: dict[str, list[Shown]] = {section: [] for section in SECTIONS}
    fill = str(server_default)
    for key, field in FIELDS:
        # the time zones are too many for the table: the page lists them
        options = [(z, z) for z in zones] if key.name == "timezone" else list(field.choices)
        sections[field.section].append(
            Shown(
                key.name,
                field,
                values[key.name],
                _markup(field.hint.replace("{server_default}", fill)),
                field.placeholder.replace("{server_default}", fill),
                options,
            )
        )
    return [(section, shown) for section, shown in sections.items() if shown]


def _page(
    request: Request,
    who: auth.Viewer,
    site: Site,
    values: dict[str, str | bool],
    status: int = 200,
    error: str = "",
    saved: bool = False,
) -> Response:
    zones = time_zones()
    timezone = str(values["timezone"])
    if timezone not in zones:
        zones = [timezone, *zones]
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
        sections=_sections(values, zones, services(request).settings.raw_retention_days),
        snippet=snippet(request, site),
        pixel=pixel_snippet(request, site),
        optout=optout_snippet(request, site),
    )


@auth.dashboard_view("admin")
async def settings_page(request: Request, who: auth.Viewer, site: Site, _form: None) -> Response:
    return _page(request, who, site, form_values(site), saved=request.query_params.get("saved") == "1")


def _changes(form: dict[str, str]) -> tuple[list[tuple[str, str]], list[str]]:
    """The form → (key, value) pairs to check, in this order: the fields always sent, the
    checkboxes (unticked: false), the optional fields filled in; and the optional fields
    left empty, which go back to their defaults."""
    sent = [
        (k.name, form.get(k.name, "")) for k, f in FIELDS if f.input != "checkbox" and not f.blank_is_default
    ]
    ticks = [(k.name, "true" if form.get(k.name) else "false") for k, f in FIELDS if f.input == "checkbox"]
    optional = [k.name for k, f in FIELDS if f.blank_is_default]
    filled = [(name, form[name]) for name in optional if form.get(name, "").strip()]
    blank = [name for name in optional if not form.get(name, "").strip()]
    return sent + ticks + filled, blank


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


@auth.dashboard_view("admin", form=True)
async def save_settings(request: Request, who: auth.Viewer, site: Site, form: auth.Form) -> Response:
    items, blank = _changes(form)
    try:
        changed = reset(apply_changes(site, items), blank)
    except SiteChangeError as exc:
        values: dict[str, str | bool] = {
            k.name: bool(form.get(k.name)) if f.input == "checkbox" else form.get(k.name, "")
            for k, f in FIELDS
        }
        return _page(request, who, site, values, 400, error=f"Not saved: {exc}.")
    store = services(request).store
    await store.update_site(site.id, changed.name, changed.domains, changed.timezone, changed.settings)
    await audit.record(
        request, who.user.name, "site.settings", {"site": site.id, "changes": _diff(site, changed)}
    )
    return RedirectResponse(f"/sites/{site.id}/settings?saved=1", status_code=303)
