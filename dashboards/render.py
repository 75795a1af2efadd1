"""Templates (Jinja2, autoescaped: every visitor-supplied string is escaped), the security
headers every dashboard reply carries, and HTML error pages."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dashboards import formatting

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


@cache
def asset_version(name: str) -> str:
    """A short content hash, so a changed asset gets a new URL."""
    data = resources.files("dashboards").joinpath("static", name).read_bytes()
    return hashlib.sha256(data).hexdigest()[:10]


def _static(name: str) -> str:
    return f"/static/{name}?v={asset_version(name)}"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dashboards", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = formatting.number
    env.filters["duration"] = formatting.duration
    env.globals["static"] = _static
    return env


def render(request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    page = environment().get_template(template).render(request=request, **context)
    return HTMLResponse(page, status_code=status,
                        headers={"Cache-Control": "no-store", "Vary": "Cookie", **(headers or {})})


def error_page(request: Request, status: int, title: str, message: str, **context: Any) -> Response:
    context.setdefault("session_user", None)
    context.setdefault("csrf", "")
    return render(request, "error.html", status=status, title=title, message=message, **context)


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every dashboard reply (pages, assets, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()
                         if k.encode() not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
