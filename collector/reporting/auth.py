"""``token_auth``: a token of scope ``stats`` or ``admin`` for the site asked about.

Matomo clients send the token as a query or form parameter, not as a bearer header.
Every failure (no token, an unknown or revoked token, a token of another site or of
another scope, a site that does not exist) is the same 401, as Matomo answers a
``NoAccessException``; the message does not say whether the site exists."""

from __future__ import annotations

from starlette.requests import Request

from collector.auth.tokens import token_hash
from collector.model import Site
from collector.reporting.errors import ReportingError
from collector.reporting.params import Params
from collector.storage.base import TokenInfo
from collector.web.services import services

READ_SCOPES = ("stats", "admin")
MAX_TOKEN = 256


def _denied(site_id: int | None) -> ReportingError:
    where = f"the website id = {site_id}" if site_id is not None else "any website"
    return ReportingError(
        f"You can't access this resource as it requires 'view' access for {where}. "
        "Send token_auth with a token of scope stats or admin for that site.",
        401,
    )


async def read_token(request: Request, params: Params, site_id: int | None) -> TokenInfo:
    """The token's site and scope, if it may read stats."""
    token = params.get("token_auth", "").strip()
    if not token or len(token) > MAX_TOKEN:
        raise _denied(site_id)
    info: TokenInfo | None = await services(request).store.find_token(token_hash(token))
    if info is None or info.scope not in READ_SCOPES:
        raise _denied(site_id)
    return info


async def readable_site(request: Request, params: Params, site_id: int) -> Site:
    """The site ``site_id``, if ``token_auth`` may read its stats."""
    info = await read_token(request, params, site_id)
    if info.site_id != site_id:
        raise _denied(site_id)
    site: Site | None = await services(request).store.get_site(site_id)
    if site is None:
        raise _denied(site_id)
    return site
