"""``/matomo.php`` and ``/piwik.php``: read the HTTP request, call the ingestor, reply as
Matomo does. Thin on purpose: no privacy rule lives here.

Cookies on the request are never read. Dropped requests get the same reply as tracked
ones, plus ``X-Collector-Dropped: <reason>``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from collector.ingest.params import BadRequest, Params, looks_like_bulk, parse_bulk, parse_query
from collector.ingest.pipeline import HeaderInfo
from collector.ingest.service import Ingestor
from collector.model import DropReason

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


def header_info(request: Request) -> HeaderInfo:
    """One pass over the raw headers; only what the pipeline needs is kept."""
    found: dict[bytes, bytes] = {}
    wanted = {b"user-agent", b"accept-language", b"referer", b"dnt", b"x-do-not-track",
              b"sec-gpc", b"x-purpose", b"purpose", b"sec-purpose", b"x-moz",
              b"x-forwarded-for"}
    for name, value in request.scope["headers"]:
        if name in wanted:
            if name == b"x-forwarded-for" and name in found:
                found[name] += b"," + value  # several headers make one list
            else:
                found[name] = value

    def text(name: bytes) -> str:
        return found.get(name, b"").decode("latin-1")

    purpose = text(b"x-purpose") or text(b"purpose") or text(b"sec-purpose")
    client = request.scope.get("client")
    return HeaderInfo(
        peer=client[0] if client else None,
        forwarded_for=text(b"x-forwarded-for") or None,
        user_agent=text(b"user-agent"),
        accept_language=text(b"accept-language"),
        referer=text(b"referer") or None,
        dnt=text(b"dnt").strip().startswith("1") or text(b"x-do-not-track").strip() == "1",
        gpc=text(b"sec-gpc").strip() == "1",
        prefetch=purpose.split(";")[0].strip().lower() in _PREFETCH
        or text(b"x-moz").strip().lower() == "prefetch",
    )


def _cors(request: Request, headers: dict[str, str]) -> dict[str, str]:
    origin = request.headers.get("origin")
    if request.method != "GET" and origin:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Allow-Credentials"] = "true"
    else:
        headers["Access-Control-Allow-Origin"] = "*"
    return headers


def _bad(request: Request, message: str) -> Response:
    return Response(message + "\n", status_code=400, media_type="text/plain",
                    headers=_cors(request, {"Cache-Control": "no-store"}))


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


def _tracked_reply(request: Request, send_image: bool, reasons: list[DropReason]) -> Response:
    headers = _cors(request, {"Cache-Control": "no-store"})
    if reasons:
        headers["X-Collector-Dropped"] = ",".join(dict.fromkeys(r.value for r in reasons))
    if send_image:
        return Response(GIF, media_type="image/gif", headers=headers)
    return Response(status_code=204, headers=headers)


async def preflight(request: Request) -> Response:
    return Response(status_code=204, headers={
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, POST",
        "Access-Control-Allow-Headers": "*",
        "Access-Control-Max-Age": "86400",
    })


async def track(request: Request) -> Response:
    if request.method == "OPTIONS":
        return await preflight(request)
    ingestor: Ingestor = request.app.state.ingestor
    limits = request.app.state.settings
    try:
        query = request.scope["query_string"].decode("utf-8", "replace")
        if len(query) > MAX_QUERY:
            raise BadRequest(f"query string over {MAX_QUERY} bytes")
        body = b""
        if request.method == "POST":
            body = await _read_body(request, limits.max_body_bytes)
        headers = header_info(request)
        if body and looks_like_bulk(body):
            return await _bulk(request, ingestor, body, headers, limits.max_bulk_requests)
        params: Params = parse_query(query)
        if body:
            parse_query(body.decode("utf-8", "replace"), into=params)
        if not params:
            return Response(ABOUT, media_type="text/plain", headers=_cors(request, {}))
        reason = await ingestor.track_one(params, headers)
    except BadRequest as exc:
        return _bad(request, str(exc))
    return _tracked_reply(request, params.get("send_image") != "0", [reason] if reason else [])


async def _bulk(request: Request, ingestor: Ingestor, body: bytes, headers: HeaderInfo,
                max_items: int) -> Response:
    items, top = parse_bulk(body, max_items)
    result = await ingestor.track_bulk(items, headers, top.get("token_auth"))
    reply = _cors(request, {"Cache-Control": "no-store"})
    if result.reasons:
        reply["X-Collector-Dropped"] = ",".join(dict.fromkeys(r.value for r in result.reasons))
    if top.get("send_image") == "0":
        return Response(status_code=204, headers=reply)
    payload = (
        b'{"status":"success","tracked":%d,"invalid":%d,"invalid_indices":[%s]}'
        % (result.tracked, result.invalid, ",".join(map(str, result.invalid_indices)).encode())
    )
    return Response(payload, media_type="application/json", headers=reply)
