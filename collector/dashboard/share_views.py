"""Shared links: a secret, read-only URL of one site's dashboard (``/share/SECRET``) that
works without an account, optionally behind a password.

Only the SHA-256 of the secret is stored, so the URL is shown once, when it is created (a
copy of the database or a backup gives no working link; a lost URL is revoked and made
anew). A revoked or unknown secret is a 404. A password is hashed with scrypt, checked
with the throttle in a namespace of its own (a failed login never counts against a link),
and remembered by a signed cookie limited to the link's path. The shared page may be
framed by the site's own domains (CSP ``frame-ancestors``); every other page keeps
``X-Frame-Options: DENY``."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from collector.auth.passwords import hash_password, verify_password
from collector.dashboard import audit, auth, views
from collector.dashboard.render import error_page, framed_csp, render
from collector.dashboard.sessions import SESSION_SECONDS
from collector.dashboard.throttle import SHARE
from collector.dashboard.users_views import password_problem
from collector.model import Site
from collector.storage.accounts_base import SharedLink
from collector.web.services import services

SHARE_COOKIE = "collector_share"
MAX_LABEL = 100
_SECRET = re.compile(r"[A-Za-z0-9_-]{20,100}")


def secret_hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


# -- managing a site's links (site administrators) ------------------------------------------
async def _page(
    request: Request,
    who: auth.Viewer,
    site: Site,
    status: int = 200,
    error: str = "",
    created: str = "",
    done: str = "",
) -> Response:
    links = await auth.accounts(request).list_shares(site.id)
    return render(
        request,
        "share.html",
        status=status,
        session_user=who.user,
        csrf=who.csrf,
        site=site,
        nav="share",
        links=links,
        error=error,
        created=created,
        done=done,
    )


@auth.dashboard_view("admin")
async def share_page(request: Request, who: auth.Viewer, site: Site, _form: None) -> Response:
    done = "Link revoked: it no longer opens." if request.query_params.get("done") == "revoke" else ""
    return await _page(request, who, site, done=done)


@auth.dashboard_view("admin", form=True)
async def create_share(request: Request, who: auth.Viewer, site: Site, form: auth.Form) -> Response:
    label, password = form.get("label", "").strip(), form.get("password", "")
    if len(label) > MAX_LABEL or not label.isprintable():
        return await _page(request, who, site, 400, error=f"A label has at most {MAX_LABEL} characters.")
    problem = password_problem(password) if password else ""
    if problem:
        return await _page(request, who, site, 400, error=problem)
    hashed = await asyncio.to_thread(hash_password, password) if password else None
    secret = secrets.token_urlsafe(24)
    moment = auth.now(request)
    link_id = await auth.accounts(request).add_share(
        site.id, secret_hash(secret), label, hashed, who.user.name, moment
    )
    detail = {"site": site.id, "link": link_id, "label": label, "password": hashed is not None}
    await audit.record(request, who.user.name, "share.create", detail)
    return await _page(request, who, site, 201, created=f"{views.origin(request)}/share/{secret}")


@auth.dashboard_view("admin", form=True)
async def revoke_share(request: Request, who: auth.Viewer, site: Site, _form: auth.Form) -> Response:
    link_id, moment = int(request.path_params["link_id"]), auth.now(request)
    if not await auth.accounts(request).revoke_share(site.id, link_id, moment):
        return await _page(request, who, site, 404, error="There is no such link to revoke.")
    await audit.record(request, who.user.name, "share.revoke", {"site": site.id, "link": link_id})
    return RedirectResponse(f"/sites/{site.id}/share?done=revoke", status_code=303)


# -- opening a link (anyone with the URL) ------------------------------------------------------
def _not_found(request: Request) -> Response:
    return error_page(
        request,
        404,
        "No such link",
        "This link does not exist or was revoked.",
        headers={"X-Robots-Tag": "noindex"},
    )


async def _link(request: Request) -> tuple[str, SharedLink, Site] | Response:
    secret = str(request.path_params["secret"])
    if not _SECRET.fullmatch(secret):
        return _not_found(request)
    link = await auth.accounts(request).find_share(secret_hash(secret))
    site = await services(request).store.get_site(link.site_id) if link is not None else None
    if link is None or site is None:
        return _not_found(request)
    return secret, link, site


def _unlocked(request: Request, link: SharedLink) -> bool:
    if link.password_hash is None:
        return True
    return auth.state(request).signer.check_share_pass(
        request.cookies.get(SHARE_COOKIE), link.id, link.password_hash, auth.now(request)
    )


async def _password_form(
    request: Request, secret: str, status: int = 200, error: str = "", headers: dict[str, str] | None = None
) -> Response:
    session = await auth.current_session(request)
    fresh = session is None
    if session is None:
        session = auth.state(request).sessions.anonymous(auth.now(request))
    response = render(
        request,
        "share_password.html",
        status=status,
        headers={"X-Robots-Tag": "noindex", **(headers or {})},
        session_user=None,
        csrf="",
        form_csrf=auth.state(request).signer.csrf_token(session),
        secret=secret,
        error=error,
    )
    if fresh:
        auth.set_session_cookie(request, response, session)
    return response


async def shared_dashboard(request: Request) -> Response:
    found = await _link(request)
    if isinstance(found, Response):
        return found
    secret, link, site = found
    if not _unlocked(request, link):
        return await _password_form(request, secret)
    headers = {"X-Robots-Tag": "noindex"}
    csp = framed_csp(site.domains)
    if csp:
        headers["Content-Security-Policy"] = csp
    return await views.report_page(
        request, site, f"/share/{secret}", shared=True, headers=headers, session_user=None, csrf=""
    )


async def unlock(request: Request) -> Response:
    found = await _link(request)
    if isinstance(found, Response):
        return found
    secret, link, _ = found
    if link.password_hash is None:
        return RedirectResponse(f"/share/{secret}", status_code=303)
    form = await auth.read_form(request) or {}
    session = await auth.current_session(request)
    if not auth.same_origin(request) or not auth.state(request).signer.check_csrf(session, form.get("csrf")):
        return await _password_form(request, secret, 403, "This form expired. Please try again.")
    throttle, net, moment = auth.state(request).throttle, auth.client_net(request), auth.now(request)
    key = f"share link {link.id}"
    wait = await throttle.retry_after(key, net, moment, scope=SHARE)
    if wait:
        return await _password_form(
            request,
            secret,
            429,
            "Too many wrong passwords. Please wait a few minutes.",
            headers={"Retry-After": str(wait)},
        )
    if not await asyncio.to_thread(verify_password, form.get("password", ""), link.password_hash):
        await throttle.failed(key, net, moment, scope=SHARE)
        return await _password_form(request, secret, 401, "That password is not right.")
    await throttle.succeeded(key, net, moment, scope=SHARE)
    expires = int(moment) + SESSION_SECONDS
    response = RedirectResponse(f"/share/{secret}", status_code=303)
    value = auth.state(request).signer.share_pass(link.id, link.password_hash, expires)
    response.set_cookie(
        SHARE_COOKIE,
        value,
        max_age=SESSION_SECONDS,
        path=f"/share/{secret}",
        secure=auth.is_https(request),
        httponly=True,
        samesite="lax",
    )
    return response


async def _unlocked_site(request: Request) -> Site | Response:
    """The shared site, when its link is live and (if it has a password) unlocked; else 404."""
    found = await _link(request)
    if isinstance(found, Response):
        return found
    _, link, site = found
    return site if _unlocked(request, link) else _not_found(request)


async def shared_csv(request: Request) -> Response:
    site = await _unlocked_site(request)
    return site if isinstance(site, Response) else await views.csv_reply(request, site)


async def shared_realtime(request: Request) -> Response:
    site = await _unlocked_site(request)
    return site if isinstance(site, Response) else await views.realtime_reply(request, site)
