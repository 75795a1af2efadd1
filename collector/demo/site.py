"""``/demo/``: a small website tracked by this collector as site 1, to try everything locally.

``make run`` then http://127.0.0.1:8000/demo/: a home page, a blog post, a pricing page
(an outlink and a download), a single-page app (``history.pushState`` page views) and an
account-settings page with a pretend login and the opt-out widget in both modes. The pages
are static files in ``pages/``; each carries the standard Matomo snippet pointed at
this server's ``/matomo.php`` and ``/matomo.js`` for site 1 (the site ``collector bootstrap``
makes, with the domains ``localhost`` and ``127.0.0.1``).

``GET/PUT/DELETE /demo/api/optout?user=NAME`` stands in for a site's own backend in the
widget's account mode. It writes the same keyed hash the public opt-out API writes, by
calling the store directly; a real site's backend calls
``/api/v1/sites/{id}/optouts/{user_ref}`` with an ``optout`` token instead (docs/opt-out.md).
It answers only while site 1 is the demo's own site: every domain of site 1 is one the demo
uses (``localhost`` or a ``*.localhost`` name, a loopback address, ``demo.example``), so a
collector whose site 1 is a real website does not offer an unauthenticated opt-out switch
for it. The request's ``Host`` plays no part (a client sets it to anything). And the whole
demo is served only with ``COLLECTOR_DEMO=true`` (``make run`` sets it): off, every
``/demo`` path is a 404.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable
from functools import cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from collector.model import Site
from collector.optout.api import MAX_USER_REF
from collector.optout.keyed import user_ref_hash
from collector.web.apiutil import json_response
from collector.web.services import services

DEMO_SITE = 1
DEMO_NAMES = ("localhost", "demo.example")  # with 127.0.0.1, what `collector bootstrap` makes
Handler = Callable[[Request], Awaitable[Response]]
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "js": "application/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}
PAGES = ("index.html", "blog.html", "pricing.html", "app.html", "account.html")
ASSETS = ("demo.css", "app.js", "account.js")
DOWNLOADS = ("price-list.csv",)


@cache
def read(name: str) -> bytes:
    return resources.files("collector.demo").joinpath("pages", name).read_bytes()


SLOT = re.compile(r"^<!-- slot: (\w+) -->\n", re.M)


@cache
def page_html(name: str) -> bytes:
    """A page: its slots (``<!-- slot: NAME -->`` sections of its file) put into the frame
    every page shares (``_layout.html``: the snippet, the header, the stylesheet)."""
    parts = SLOT.split(read(name).decode())
    slots = {"title": "", "before_page_view": "", "head": "", "main": ""}
    slots.update({parts[n]: parts[n + 1] for n in range(1, len(parts) - 1, 2)})
    slots["title"] = slots["title"].strip()
    html = read("_layout.html").decode().split("\n", 1)[1]  # without its own comment line
    for key, value in slots.items():
        html = html.replace("{{" + key + "}}", value)
    return html.encode()


def file_reply(name: str, request: Request, download: bool = False) -> Response:
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    content = page_html(name) if name in PAGES else read(name)
    body = b"" if request.method == "HEAD" else content
    return Response(body, media_type=MEDIA_TYPES[name.rsplit(".", 1)[1]], headers=headers)


def not_found() -> Response:
    return json_response({"error": "not found", "detail": "no such demo page"}, 404)


async def redirect(request: Request) -> Response:
    return RedirectResponse("/demo/", status_code=308)


async def home(request: Request) -> Response:
    return file_reply("index.html", request)


async def page(request: Request) -> Response:
    name: str = request.path_params["name"]
    if name in PAGES or name in ASSETS:
        return file_reply(name, request)
    return not_found()


async def app_page(request: Request) -> Response:
    """The single-page app answers for every path under /demo/app/ (a reload keeps the view)."""
    return file_reply("app.html", request)


async def download(request: Request) -> Response:
    name: str = request.path_params["name"]
    return file_reply(name, request, download=True) if name in DOWNLOADS else not_found()


def is_demo_domain(domain: str) -> bool:
    """A domain only the demo uses: ``localhost`` (or a name under it), a loopback address,
    ``demo.example``."""
    name = domain.strip().lower().rstrip(".")
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return name in DEMO_NAMES or name.endswith(".localhost")


def is_demo_site(site: Site) -> bool:
    """Site 1 as ``collector bootstrap`` makes it: every domain one only the demo uses."""
    return bool(site.domains) and all(is_demo_domain(domain) for domain in site.domains)


async def optout(request: Request) -> Response:
    """The demo's stand-in for a site backend: the opt-out state of ``?user=`` for site 1."""
    user = request.query_params.get("user", "").strip()
    if not user or len(user) > MAX_USER_REF:
        detail = f"user must be 1 to {MAX_USER_REF} characters"
        return json_response({"error": "bad request", "detail": detail}, 400)
    store = services(request).store
    site = await store.get_site(DEMO_SITE)
    if site is None:
        return json_response({"error": "not found", "detail": "no site 1: run `collector bootstrap`"}, 404)
    if not is_demo_site(site):  # from the stored site only: the request's Host is the client's
        detail = "the demo backend answers only while site 1 is the demo's (localhost, demo.example)"
        return json_response({"error": "forbidden", "detail": detail}, 403)
    # A real backend would call PUT/DELETE /api/v1/sites/1/optouts/{user} with its token;
    # this is what that API does with it: only a keyed hash of the user reference is kept.
    user_hash = user_ref_hash(site.secret, user)
    if request.method == "PUT":
        await store.add_optout(site.id, user_hash, services(request).clock())
    elif request.method == "DELETE":
        await store.remove_optout(site.id, user_hash)
    return json_response({"opted_out": await store.has_optout(site.id, user_hash)})


def when_enabled(handler: Handler) -> Handler:
    """The handler when ``COLLECTOR_DEMO`` is on; a 404 otherwise."""

    async def guarded(request: Request) -> Response:
        if not services(request).settings.demo:
            return not_found()
        return await handler(request)

    guarded.__name__ = handler.__name__
    return guarded


ROUTES: list[BaseRoute] = [
    Route("/demo", when_enabled(redirect), methods=["GET", "HEAD"]),
    Route("/demo/", when_enabled(home), methods=["GET", "HEAD"]),
    Route("/demo/api/optout", when_enabled(optout), methods=["GET", "PUT", "DELETE"]),
    Route("/demo/app", when_enabled(app_page), methods=["GET", "HEAD"]),
    Route("/demo/app/{rest:path}", when_enabled(app_page), methods=["GET", "HEAD"]),
    Route("/demo/files/{name}", when_enabled(download), methods=["GET", "HEAD"]),
    Route("/demo/{name}", when_enabled(page), methods=["GET", "HEAD"]),
]
