"""``/matomo.php`` and ``/piwik.php``: read the HTTP request, call the ingestor, reply as
Matomo does. Thin on purpose: no privacy rule lives here.

``track`` is a plain ASGI app (Starlette routes it as one), because a beacon is the
hottest path there is: a GET is read straight from the ASGI scope and answered with
prebuilt headers, without Request or Response objects. POST, HEAD and OPTIONS take the
same steps through a Starlette :class:`Request`.

Cookies on the request are never read. Replies say ``Access-Control-Allow-Origin: *``,
except a POST from a page of the site it tracks for (its ``Origin`` host is one of the
site's domains): that one echoes the origin and allows credentials, because matomo.js
sends its XHR with credentials and, refused, sends the beacon again as an image (counted
twice). Any other origin gets ``*``, so no other page reads a credentialed reply.
Dropped requests get the same reply as tracked ones, plus ``X-Collector-Dropped:
<reason>``, except for ``opted_out``: whether a user has opted out is for the opt-out
API's token to read, so a request with a ``uid`` gets the reply of a tracked one either
way. A request the store cannot take now gets 503 with ``Retry-After``
(docs/contract.md, "Tracking").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from collector.ingest.buffer import RETRY_AFTER_S
from collector.ingest.minimise import host_matches
from collector.ingest.params import BadRequest, Params, looks_like_bulk, parse_bulk, parse_query
from collector.ingest.pipeline import HeaderInfo
from collector.ingest.service import Ingestor
from collector.model import DropReason
from collector.storage.base import StoreUnavailable
from collector.web.services import of_app, services

log = logging.getLogger("collector")

GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
ABOUT = (
    b"This is a Matomo-compatible tracking endpoint of a cookie-less analytics collector.\n"
    b"Send tracking requests with ?idsite=N&rec=1 (see the Matomo Tracking HTTP API).\n"
)
MAX_QUERY = 16 * 1024
_PREFETCH = {"preview", "instant", "prefetch"}
_SIGNALS = frozenset(
    {b"dnt", b"x-do-not-track", b"sec-gpc", b"x-purpose", b"purpose", b"sec-purpose", b"x-moz"}
)
_WANTED = _SIGNALS | {b"user-agent", b"accept-language", b"referer", b"x-forwarded-for"}

RawHeaders = list[tuple[bytes, bytes]]


def headers_from_scope(scope: Scope) -> HeaderInfo:
    """One pass over the raw headers; only what the pipeline needs is kept."""
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in _WANTED:
            if name == b"x-forwarded-for" and name in found:
                found[name] += b"," + value  # several headers make one list
            else:
                found[name] = value
    client = scope.get("client")
    forwarded = found.get(b"x-forwarded-for")
    referer = found.get(b"referer")
    dnt, gpc, prefetch = (False, False, False) if _SIGNALS.isdisjoint(found) else _signals(found)
    return HeaderInfo(
        peer=client[0] if client else None,
        forwarded_for=forwarded.decode("latin-1") if forwarded else None,
        user_agent=found.get(b"user-agent", b"").decode("latin-1"),
        accept_language=found.get(b"accept-language", b"").decode("latin-1"),
        referer=referer.decode("latin-1") if referer else None,
        dnt=dnt,
        gpc=gpc,
        prefetch=prefetch,
    )


def _signals(found: Mapping[bytes, bytes]) -> tuple[bool, bool, bool]:
    """Do Not Track, Global Privacy Control, prefetch (from the headers that say so)."""

    def text(name: bytes) -> str:
        return found[name].decode("latin-1") if name in found else ""

    purpose = text(b"x-purpose") or text(b"purpose") or text(b"sec-purpose")
    return (
        text(b"dnt").strip().startswith("1") or text(b"x-do-not-track").strip() == "1",
        text(b"sec-gpc").strip() == "1",
        purpose.split(";")[0].strip().lower() in _PREFETCH or text(b"x-moz").strip().lower() == "prefetch",
    )


def header_info(request: Request) -> HeaderInfo:
    return headers_from_scope(request.scope)


class _Reply:
    """The two ASGI messages a Starlette :class:`Response` would send, prebuilt."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: RawHeaders, body: bytes = b"") -> None:
        self.status = status
        self.headers = headers
        self.body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": list(self.headers)})
        await send({"type": "http.response.body", "body": self.body})


_ANY_ORIGIN = (b"access-control-allow-origin", b"*")  # beacons need no credentials: none allowed
_NO_STORE = (b"cache-control", b"no-store")
_GIF_TAIL = [(b"content-length", str(len(GIF)).encode()), (b"content-type", b"image/gif")]
_replies: dict[tuple[bool, bytes], _Reply] = {}


def dropped_header(reasons: Iterable[DropReason]) -> str:
    """``X-Collector-Dropped``'s value: the distinct reasons, ``opted_out`` left out (the
    reply must not tell whether the ``uid`` it carried has opted out)."""
    return ",".join(dict.fromkeys([r.value for r in reasons if r is not DropReason.OPTED_OUT]))


def _tracked_reply(send_image: bool, reasons: Iterable[DropReason], cors: RawHeaders | None = None) -> _Reply:
    """204, or the 1×1 GIF; ``X-Collector-Dropped`` lists the drop reasons. Replies with
    the shared ``*`` origin are built once; one for a site's own origin is not kept."""
    dropped = dropped_header(reasons).encode()
    if cors is not None:
        headers = [_NO_STORE, *cors]
        if dropped:
            headers.append((b"x-collector-dropped", dropped))
        return _Reply(200, [*headers, *_GIF_TAIL], GIF) if send_image else _Reply(204, headers)
    if (send_image, dropped) in _replies:
        return _replies[(send_image, dropped)]
    headers = [_NO_STORE, _ANY_ORIGIN]
    if dropped:
        headers.append((b"x-collector-dropped", dropped))
    reply = _Reply(200, [*headers, *_GIF_TAIL], GIF) if send_image else _Reply(204, headers)
    if len(_replies) < 64:
        _replies[(send_image, dropped)] = reply
    return reply


_STORED = {image: _tracked_reply(image, ()) for image in (True, False)}
# Not stored, and nothing of it: the client may send it again later.
_NOT_STORED = b"not stored: the collector cannot write now; send it again later\n"
_UNAVAILABLE = _Reply(
    503,
    [
        _NO_STORE,
        _ANY_ORIGIN,
        (b"retry-after", str(RETRY_AFTER_S).encode()),
        (b"content-length", str(len(_NOT_STORED)).encode()),
        (b"content-type", b"text/plain; charset=utf-8"),
    ],
    _NOT_STORED,
)


def _cors(request: Request, headers: dict[str, str]) -> dict[str, str]:
    headers["Access-Control-Allow-Origin"] = "*"
    return headers


async def _own_origin(request: Request, ingestor: Ingestor, site_id: str | None) -> str | None:
    """The request's ``Origin`` when its host is one of the tracked site's domains."""
    origin = request.headers.get("origin")
    if not origin or not site_id or not site_id.isdigit() or len(site_id) > 18:
        return None
    host = urlsplit(origin).hostname
    site = await ingestor.site(int(site_id))
    if site is None or not host or not host_matches(host, site.domains):
        return None
    return origin


def _credentialed(origin: str) -> RawHeaders:
    return [
        (b"access-control-allow-origin", origin.encode("latin-1")),
        (b"access-control-allow-credentials", b"true"),
        (b"vary", b"Origin"),
    ]


def _about(cors: Mapping[str, str]) -> Response:
    return Response(ABOUT, media_type="text/plain", headers=cors)


def _bad(cors: Mapping[str, str], message: str) -> Response:
    return Response(
        message + "\n",
        status_code=400,
        media_type="text/plain",
        headers={"Cache-Control": "no-store", **cors},
    )


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BadRequest(f"body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest(f"body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def preflight(request: Request) -> Response:
    return Response(
        status_code=204,
        headers={
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": "GET, POST",
            "Access-Control-Allow-Headers": "*",
            "Access-Control-Max-Age": "86400",
        },
    )


def _query(scope: Scope) -> Params:
    query: str = scope["query_string"].decode("utf-8", "replace")
    if len(query) > MAX_QUERY:
        raise BadRequest(f"query string over {MAX_QUERY} bytes")
    return parse_query(query)


async def _beacon(scope: Scope) -> _Reply | Response:
    """A GET: everything it needs is in the scope."""
    ingestor: Ingestor = of_app(scope["app"]).ingestor
    try:
        params = _query(scope)
        if not params:
            return _about({"Access-Control-Allow-Origin": "*"})
        reason = await ingestor.track_one(params, headers_from_scope(scope))
    except BadRequest as exc:
        return _bad({"Access-Control-Allow-Origin": "*"}, str(exc))
    except StoreUnavailable:  # counted and logged (once a minute) by the writer
        return _UNAVAILABLE
    if reason is None:
        return _STORED[params.get("send_image") != "0"]
    return _tracked_reply(params.get("send_image") != "0", (reason,))


async def _request(request: Request) -> _Reply | Response:
    """POST (form or bulk body), HEAD and OPTIONS."""
    if request.method == "OPTIONS":
        return await preflight(request)
    ingestor: Ingestor = services(request).ingestor
    limits = services(request).settings
    cors = _cors(request, {})
    try:
        params = _query(request.scope)
        body = b""
        if request.method == "POST":
            body = await _read_body(request, limits.max_body_bytes)
        headers = headers_from_scope(request.scope)
        if body and looks_like_bulk(body):
            return await _bulk(request, ingestor, body, headers, limits.max_bulk_requests)
        if body:
            parse_query(body.decode("utf-8", "replace"), into=params)
        if not params:
            return _about(cors)
        reason = await ingestor.track_one(params, headers)
    except BadRequest as exc:
        return _bad(cors, str(exc))
    except StoreUnavailable:
        return _UNAVAILABLE
    own = await _own_origin(request, ingestor, params.get("idsite"))
    return _tracked_reply(
        params.get("send_image") != "0", (reason,) if reason else (), _credentialed(own) if own else None
    )


class TrackingEndpoint:
    """The ASGI app of the tracking routes."""

    __name__ = "track"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        reply: _Reply | Response
        if scope["method"] == "GET":
            reply = await _beacon(scope)
        else:
            reply = await _request(Request(scope, receive))
        await reply(scope, receive, send)


track = TrackingEndpoint()

BEACON_PATHS = frozenset({"/matomo.php", "/piwik.php", "/js/tracker.php"})


async def beacon(scope: Scope, receive: Receive, send: Send) -> None:
    """A GET to a tracking path, called by the app before any middleware or routing (see
    :class:`collector.app.CollectorApp`). Every input gets its answer from ``_beacon``
    (fuzzed); should it raise anyway, the reply is the app's JSON 500, as on every route."""
    try:
        reply: _Reply | Response = await _beacon(scope)
    except Exception as exc:
        log.error("unhandled %s on %s", type(exc).__name__, scope["path"])
        reply = Response(
            b'{"error":"internal error","detail":null}', status_code=500, media_type="application/json"
        )
    await reply(scope, receive, send)


async def _bulk(
    request: Request, ingestor: Ingestor, body: bytes, headers: HeaderInfo, max_items: int
) -> Response:
    items, top = parse_bulk(body, max_items)
    result = await ingestor.track_bulk(items, headers, top.get("token_auth"))
    reply = _cors(request, {"Cache-Control": "no-store"})
    first = items[0] if items else None
    own = await _own_origin(request, ingestor, first.get("idsite") if first else None)
    if own:
        reply.update({"Access-Control-Allow-Origin": own, "Access-Control-Allow-Credentials": "true"})
        reply["Vary"] = "Origin"
    if dropped := dropped_header(result.reasons):
        reply["X-Collector-Dropped"] = dropped
    if top.get("send_image") == "0":
        return Response(status_code=204, headers=reply)
    payload = b'{"status":"success","tracked":%d,"invalid":%d,"invalid_indices":[%s]}' % (
        result.tracked,
        result.invalid,
        ",".join(map(str, result.invalid_indices)).encode(),
    )
    return Response(payload, media_type="application/json", headers=reply)
