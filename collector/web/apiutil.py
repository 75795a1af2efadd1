"""What every JSON API handler shares: errors as ``{"error", "detail"}``, orjson replies,
and bearer-token authorisation for one site and a set of scopes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from collector.auth.tokens import token_hash
from collector.model import Site
from collector.web.services import services


class ApiError(Exception):
    def __init__(self, status: int, error: str, detail: Any = None) -> None:
        super().__init__(error)
        self.status, self.error, self.detail = status, error, detail


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(
        orjson.dumps(payload),
        status_code=status,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


async def site_for_bearer(request: Request, scopes: tuple[str, ...]) -> Site:
    """The site in the path, if the bearer token has one of ``scopes`` for it."""
    raw_id = request.path_params.get("site_id", "")
    try:
        site_id = int(raw_id)
    except ValueError as exc:
        raise ApiError(404, "not found", "no such site") from exc
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "send Authorization: Bearer <token>")
    info = await services(request).store.find_token(token_hash(token.strip()))
    if info is None or info.site_id != site_id or info.scope not in scopes:
        raise ApiError(403, "forbidden", f"this token has no {' or '.join(scopes)} scope for this site")
    site: Site | None = await services(request).store.get_site(site_id)
    if site is None:
        raise ApiError(404, "not found", "no such site")
    return site


SiteHandler = Callable[[Request, Site], Awaitable[Response]]


def with_site(
    scopes: tuple[str, ...], handler: SiteHandler, bad_request: tuple[type[Exception], ...] = ()
) -> Callable[[Request], Awaitable[Response]]:
    """Authorise, run ``handler``, and map errors to JSON (``bad_request`` ones to 400)."""

    async def wrapped(request: Request) -> Response:
        try:
            site = await site_for_bearer(request, scopes)
            return await handler(request, site)
        except ApiError as exc:
            return json_response({"error": exc.error, "detail": exc.detail}, exc.status)
        except bad_request as exc:
            return json_response({"error": "bad request", "detail": str(exc)}, 400)

    return wrapped
