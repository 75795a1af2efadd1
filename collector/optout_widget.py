"""``GET /js/optout-widget.js``: the account-settings opt-out widget (``static/optout-widget.js``).

A hand-written script, served as it is (no build step): gzipped when the browser accepts it,
with a strong ``ETag`` and an hour of caching, like the current tracker. docs/opt-out.md has
the snippet and the two modes (device: the tracker's localStorage flag; account: the site's
backend, which calls ``/api/v1/sites/{id}/optouts/{user_ref}``)."""

from __future__ import annotations

from functools import cache

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from collector.tracker import MOVING_CACHE, Asset, accepts_gzip, etag_matches, make_asset, read_static

FILE = "optout-widget.js"
MEDIA_TYPE = "application/javascript; charset=utf-8"


@cache
def widget() -> Asset:
    return make_asset(read_static(FILE), MOVING_CACHE)


def script_reply(request: Request, item: Asset) -> Response:
    """The asset as ``application/javascript``, gzip and ``If-None-Match`` honoured."""
    variant = item.gzipped if accepts_gzip(request.headers.get("accept-encoding", "")) else item.plain
    headers = {
        "ETag": variant.etag,
        "Cache-Control": item.cache_control,
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "cross-origin",
        "Access-Control-Allow-Origin": "*",
    }
    if etag_matches(request.headers.get("if-none-match", ""), variant.etag):
        return Response(status_code=304, headers=headers)
    if variant is item.gzipped:
        headers["Content-Encoding"] = "gzip"
    headers["Content-Length"] = str(len(variant.body))
    body = b"" if request.method == "HEAD" else variant.body
    return Response(body, media_type=MEDIA_TYPE, headers=headers)


async def optout_widget(request: Request) -> Response:
    return script_reply(request, widget())


ROUTES: list[BaseRoute] = [
    Route("/js/optout-widget.js", optout_widget, methods=["GET", "HEAD"]),
]
