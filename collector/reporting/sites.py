"""``SitesManager.*``: the site look-ups Matomo's log importer (``import_logs.py``) makes.

A token here belongs to one site, so every answer covers that site only:

- ``getSiteFromId`` (``idSite``; a ``stats`` or ``admin`` token of that site): the site
  as Matomo describes it; the importer reads ``main_url``.
- ``getSitesIdFromSiteUrl`` (``url``; ``stats`` or ``admin``): ``[{"idsite": …}]`` when the
  url's host (scheme, ``www.`` and port ignored, as Matomo does) is one of the token's
  site's domains, else ``[]``.
- ``getAllSites`` (``admin``, as Matomo asks a superuser): ``{"<id>": site}``.
- ``addSite`` (``admin``): sites are made with ``collector site add`` only; a token of
  one site never creates another. The importer's ``--add-sites-new-hosts`` gets
  Matomo's error shape and skips the host's lines, unless the host is already the
  token's site (then its id, as Matomo's importer would find it first anyway). That
  error is a 200, as Matomo's own: a 4xx would make the importer retry, then stop."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request

from collector.model import Site
from collector.reporting.auth import read_token, readable_site
from collector.reporting.errors import ReportingError, missing
from collector.reporting.formats import Result
from collector.reporting.params import Params, site_id
from collector.web.services import services

SITE_COLUMNS = (
    "idsite",
    "name",
    "main_url",
    "ts_created",
    "ecommerce",
    "sitesearch",
    "timezone",
    "currency",
    "type",
)
METHODS = (
    "SitesManager.getSiteFromId",
    "SitesManager.getSitesIdFromSiteUrl",
    "SitesManager.getAllSites",
    "SitesManager.addSite",
)
MAX_URL = 2048


def main_url(site: Site) -> str:
    return f"https://{site.domains[0]}" if site.domains else ""


def describe(site: Site) -> dict[str, Any]:
    """A site in Matomo's field names (ids as strings, as Matomo's database layer gives)."""
    return {
        "idsite": str(site.id),
        "name": site.name,
        "main_url": main_url(site),
        "ts_created": "",
        "ecommerce": "0",
        "sitesearch": "0",
        "timezone": site.timezone,
        "currency": "USD",
        "type": "website",
    }


def host_of(url: str) -> str:
    """The host Matomo compares: no scheme, path, port or leading ``www.``, lower case."""
    text = url.strip()[:MAX_URL]
    if "://" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _matches(site: Site, host: str) -> bool:
    return bool(host) and any(host_of(domain) == host for domain in site.domains)


async def _token_site(request: Request, params: Params, scopes: tuple[str, ...]) -> Site | None:
    info = await read_token(request, params, None)
    if info.scope not in scopes:
        raise ReportingError(
            "You can't access this resource as it requires 'superuser' access. "
            "Send token_auth with a token of scope admin.",
            401,
        )
    site: Site | None = await services(request).store.get_site(info.site_id)
    return site


async def _admin_site(request: Request, params: Params) -> Site | None:
    return await _token_site(request, params, ("admin",))


def _first_url(params: Params) -> str:
    urls = params.get("urls[0]") or params.get("urls") or ""
    return urls.split(",")[0]


async def call(request: Request, params: Params, method: str) -> Result:
    if method == "SitesManager.getSiteFromId":
        site = await readable_site(request, params, site_id(params))
        return Result(describe(site), SITE_COLUMNS)
    if method == "SitesManager.getSitesIdFromSiteUrl":
        url = params.get("url", "")
        if not url:
            raise missing("url")
        found = await _token_site(request, params, ("stats", "admin"))
        rows = [{"idsite": str(found.id)}] if found and _matches(found, host_of(url)) else []
        return Result(rows, ("idsite",))
    found = await _admin_site(request, params)
    if method == "SitesManager.getAllSites":
        return Result({str(found.id): describe(found)} if found else {}, SITE_COLUMNS)
    host = host_of(_first_url(params)) or host_of(params.get("siteName", ""))
    if found is not None and _matches(found, host):
        return Result({"value": found.id}, ("value",))
    raise ReportingError(
        f"Sites are not created through the API here: run `collector site add` for "
        f"{host[:80] or 'this host'!r} (a token of one site never creates another).",
        200,  # Matomo answers 200 here: its importer then logs the error and skips the host
    )
