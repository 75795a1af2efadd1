"""Templates (Jinja2, autoescaped: every visitor-supplied string is escaped), the security
headers every dashboard reply carries, and HTML error pages."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from collector.dashboard import formatting

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


_HOST = re.compile(r"(?:\*\.)?[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?")


def framed_csp(domains: Iterable[str]) -> str | None:
    """The CSP that lets only these host names frame a page (None: no valid host name, so
    the page keeps ``frame-ancestors 'none'``). A host source without a scheme matches the
    page's own scheme (and https when that is http)."""
    hosts = sorted({d for d in domains if _HOST.fullmatch(d)})
    if not hosts:
        return None
    return CSP.replace("frame-ancestors 'none'", "frame-ancestors " + " ".join(hosts))


def when(timestamp: float | None) -> str:
    """A stored Unix time as ``2026-11-22 12:00 UTC``."""
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


@cache
def asset_version(name: str) -> str:
    """A short content hash, so a changed asset gets a new URL."""
    data = resources.files("collector.dashboard").joinpath("static", name).read_bytes()
    return hashlib.sha256(data).hexdigest()[:10]


def _static(name: str) -> str:
    return f"/static/{name}?v={asset_version(name)}"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("collector.dashboard", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = formatting.number
    env.filters["duration"] = formatting.duration
    env.filters["when"] = when
    env.globals["static"] = _static
    return env


def render(
    request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    page = environment().get_template(template).render(request=request, **context)
    return HTMLResponse(
        page, status_code=status, headers={"Cache-Control": "no-store", "Vary": "Cookie", **(headers or {})}
    )


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
                own = {k.lower(): v for k, v in message.get("headers", [])}
                present = set(own)
                csp = own.get(b"content-security-policy", b"frame-ancestors 'none'")
                if b"frame-ancestors 'none'" not in csp:
                    present.add(b"x-frame-options")  # a page that may be framed (see framed_csp)
                extra = [
                    (k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in present
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
