"""The browser tracker, served from the package (built by ``tracker-js/``; no Node needed).

``/matomo.js``, ``/piwik.js`` and ``/js/collector.js`` serve the current build
(``static/tracker.js``) and may change with a release, so caches keep them for an hour.
``/js/collector.v1.js`` is a published version (``static/collector.v1.js``): its bytes never
change, so caches keep it for a year without asking again.

Each file is read and gzipped once. Replies carry a strong ``ETag`` per representation
(the gzip variant has its own), answer ``If-None-Match`` with 304, and set no cookie.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response

CURRENT = "tracker.js"
V1 = "collector.v1.js"
MEDIA_TYPE = "text/javascript; charset=utf-8"
MOVING_CACHE = "public, max-age=3600"
VERSIONED_CACHE = "public, max-age=31536000, immutable"


@dataclass(frozen=True, slots=True)
class Variant:
    body: bytes
    etag: str


@dataclass(frozen=True, slots=True)
class Asset:
    plain: Variant
    gzipped: Variant
    cache_control: str


def read_static(name: str) -> bytes:
    return resources.files("collector").joinpath("static", name).read_bytes()


def make_asset(body: bytes, cache_control: str) -> Asset:
    digest = hashlib.sha256(body).hexdigest()[:32]
    packed = gzip.compress(body, compresslevel=9, mtime=0)
    return Asset(
        plain=Variant(body, f'"{digest}"'),
        gzipped=Variant(packed, f'"{digest}-gz"'),
        cache_control=cache_control,
    )


@cache
def asset(name: str) -> Asset:
    return make_asset(read_static(name), VERSIONED_CACHE if name == V1 else MOVING_CACHE)


def accepts_gzip(accept_encoding: str) -> bool:
    """True when ``gzip`` (or ``*``) is listed with a non-zero quality."""
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.partition(";")
        if coding.strip() not in ("gzip", "x-gzip", "*"):
            continue
        quality = params.strip()
        if not quality.startswith("q="):
            return True
        try:
            return float(quality[2:]) > 0
        except ValueError:
            return False
    return False


def etag_matches(if_none_match: str, etag: str) -> bool:
    """``If-None-Match`` uses the weak comparison: ``W/"x"`` matches ``"x"``; ``*`` matches."""
    tags = [t.strip() for t in if_none_match.split(",")]
    return any(t == "*" or t.removeprefix("W/") == etag for t in tags)


def reply(request: Request, item: Asset, media_type: str = MEDIA_TYPE) -> Response:
    """A static script: gzip when accepted, ``If-None-Match`` honoured, cacheable anywhere."""
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
    return Response(body, media_type=media_type, headers=headers)


async def current(request: Request) -> Response:
    """``/matomo.js``, ``/piwik.js``, ``/js/collector.js``: the current build."""
    return reply(request, asset(CURRENT))


async def v1(request: Request) -> Response:
    """``/js/collector.v1.js``: version 1, frozen."""
    return reply(request, asset(V1))
