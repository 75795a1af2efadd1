"""The per-user opt-out API, for a site's backend (called when a user flips "usage
statistics" in their account settings). Only a keyed hash of ``user_ref`` is stored;
the value itself never reaches disk or the log (the access log masks it)."""

from __future__ import annotations

import csv
import io

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from collector.model import Site
from collector.optout.keyed import user_ref_hash
from collector.web.apiutil import ApiError, json_response, with_site
from collector.web.services import services

SCOPES = ("optout", "admin")
MAX_USER_REF = 256
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 100_000


def _user_ref(request: Request) -> str:
    ref: str = request.path_params.get("user_ref", "")
    if not ref.strip() or len(ref) > MAX_USER_REF:
        raise ApiError(400, "bad request", f"user_ref must be 1 to {MAX_USER_REF} characters")
    return ref


async def opt_out(request: Request, site: Site) -> Response:
    await services(request).store.add_optout(
        site.id, user_ref_hash(site.secret, _user_ref(request)), services(request).clock()
    )
    return Response(status_code=204)


async def opt_in(request: Request, site: Site) -> Response:
    await services(request).store.remove_optout(site.id, user_ref_hash(site.secret, _user_ref(request)))
    return Response(status_code=204)


async def status(request: Request, site: Site) -> Response:
    found = await services(request).store.has_optout(site.id, user_ref_hash(site.secret, _user_ref(request)))
    return json_response({"opted_out": found})


def parse_user_refs(body: bytes, content_type: str) -> list[str]:
    """A JSON list of strings (or ``{"user_refs": [...]}``), or CSV/plain text with one
    reference per line (the first column; a header named user_ref is skipped)."""
    text = body.decode("utf-8", errors="replace")
    refs: list[str]
    if "json" in content_type or text.lstrip()[:1] in ("[", "{"):
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise ApiError(400, "bad request", "the body is not valid JSON") from exc
        if isinstance(doc, dict):
            doc = doc.get("user_refs")
        if not isinstance(doc, list) or not all(isinstance(r, str | int) for r in doc):
            raise ApiError(400, "bad request", 'expected a JSON list of strings or {"user_refs": [...]}')
        refs = [str(r) for r in doc]
    else:
        refs = [row[0] for row in csv.reader(io.StringIO(text)) if row]
        if refs and refs[0].strip().lower() == "user_ref":
            refs = refs[1:]
    refs = [r.strip() for r in refs if r.strip()]
    if len(refs) > MAX_IMPORT_ROWS:
        raise ApiError(400, "bad request", f"at most {MAX_IMPORT_ROWS} user_refs per import")
    if any(len(r) > MAX_USER_REF for r in refs):
        raise ApiError(400, "bad request", f"every user_ref must be at most {MAX_USER_REF} characters")
    return refs


async def import_optouts(request: Request, site: Site) -> Response:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_IMPORT_BYTES:
            raise ApiError(400, "bad request", f"the body is over {MAX_IMPORT_BYTES} bytes")
    refs = parse_user_refs(body, request.headers.get("content-type", ""))
    hashes = sorted({user_ref_hash(site.secret, r) for r in refs})
    added = await services(request).store.add_optouts(site.id, hashes, services(request).clock())
    return json_response({"received": len(refs), "imported": added})


PREFIX = "/api/v1/sites/{site_id}/optouts"
ROUTES = [
    Route(PREFIX + ":import", with_site(SCOPES, import_optouts), methods=["POST"]),
    Route(PREFIX + "/{user_ref}", with_site(SCOPES, opt_out), methods=["PUT"]),
    Route(PREFIX + "/{user_ref}", with_site(SCOPES, opt_in), methods=["DELETE"]),
    Route(PREFIX + "/{user_ref}", with_site(SCOPES, status), methods=["GET"]),
]
