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

from collector.web.tracker import MOVING_CACHE, Asset, make_asset, read_static, reply

FILE = "optout-widget.js"
MEDIA_TYPE = "application/javascript; charset=utf-8"


@cache
def widget() -> Asset:
    return make_asset(read_static(FILE), MOVING_CACHE)


def script_reply(request: Request, item: Asset) -> Response:
    """The asset as ``application/javascript``, gzip and ``If-None-Match`` honoured."""
    return reply(request, item, MEDIA_TYPE)


async def optout_widget(request: Request) -> Response:
    return script_reply(request, widget())


ROUTES: list[BaseRoute] = [
    Route("/js/optout-widget.js", optout_widget, methods=["GET", "HEAD"]),
]
