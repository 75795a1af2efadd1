"""Who is looking: the session cookie (sessions are stored, see
``collector.dashboard.sessions``), the logged-in user, which sites they may see, form and
CSRF checks, and :func:`dashboard_view`, the one access check every signed-in page goes
through. Signing in and out is :mod:`collector.dashboard.login`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Literal, TypeAlias, TypeVar, overload
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from collector.dashboard.render import error_page
from collector.dashboard.sessions import COOKIE, Session, Sessions, Signer
from collector.dashboard.throttle import LoginThrottle
from collector.ingest.ipaddr import masked_client_ip, parse_ip
from collector.model import Site
from collector.secrets_file import ensure_secret_key
from collector.settings import Settings
from collector.storage.accounts_base import AccountStore
from collector.storage.base import Store, UserRecord
from collector.web.services import services

MAX_FORM_BYTES = 16 * 1024


@dataclass(slots=True)
class DashboardState:
    """Per application: the sessions (with the cookie signer) and the login throttle."""

    sessions: Sessions
    throttle: LoginThrottle

    @property
    def signer(self) -> Signer:
        return self.sessions.signer


@dataclass(frozen=True, slots=True)
class Viewer:
    """A logged-in user and their session."""

    session: Session
    user: UserRecord
    csrf: str


def make_state(settings: Settings, store: Store, secret: str | None = None) -> DashboardState:
    signer = Signer(secret or ensure_secret_key(settings.secret_key, settings.data_dir))
    return DashboardState(Sessions(signer, store.accounts()), LoginThrottle(store.throttle()))


def state(request: Request) -> DashboardState:
    return services(request).dashboard.get()


def now(request: Request) -> float:
    return float(services(request).clock())


# -- the cookie ---------------------------------------------------------------------------
def is_https(request: Request) -> bool:
    if request.url.scheme == "https":
        return True
    peer = parse_ip(request.client.host) if request.client else None
    proxies = services(request).settings.trusted_proxies
    if peer is None or not any(peer in net for net in proxies):
        return False
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0]
    return forwarded.strip().lower() == "https"


def set_session_cookie(request: Request, response: Response, session: Session) -> None:
    value = state(request).signer.dumps(session)
    response.set_cookie(
        COOKIE,
        value,
        max_age=max(session.ends - int(now(request)), 0),
        path="/",
        secure=is_https(request),
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", secure=is_https(request), httponly=True, samesite="lax")


async def rotate_session(
    request: Request,
    response: Response,
    old: Session | None,
    user: str,
    password_hash: str,
    *,
    everywhere: bool = False,
) -> Session:
    """End ``old`` and give the browser a new session id for ``user`` (login, new password;
    ``everywhere``: end every other session of the user too)."""
    sessions, moment = state(request).sessions, now(request)
    if old is not None:
        await sessions.end(old)
    if everywhere:
        await sessions.end_all(user)
    fresh = await sessions.start(user, password_hash, moment)
    set_session_cookie(request, response, fresh)
    return fresh


async def current_session(request: Request) -> Session | None:
    """The browser's session (signed in or anonymous), or None. Read once per request."""
    if "dashboard_session" not in request.scope:
        request.scope["dashboard_session"] = await state(request).sessions.load(
            request.cookies.get(COOKIE), now(request)
        )
    found: Session | None = request.scope["dashboard_session"]
    return found


async def viewer(request: Request) -> Viewer | None:
    """The logged-in user, or None (no cookie, a bad, expired or ended one, a changed password)."""
    session = await current_session(request)
    if session is None or session.user is None:
        return None
    user = await services(request).store.get_user(session.user)
    signer = state(request).signer
    if user is None or signer.fingerprint(user.password_hash) != session.fingerprint:
        return None
    session = await state(request).sessions.touch(session, now(request))
    return Viewer(session, user, signer.csrf_token(session))


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


# -- access -------------------------------------------------------------------------------
def accounts(request: Request) -> AccountStore:
    return services(request).store.accounts()


async def site_role(request: Request, who: Viewer, site_id: int) -> str | None:
    """``admin`` (settings, tokens, shared links), ``viewer`` (the dashboard) or None.
    A global administrator is the admin of every site; others need a grant."""
    if who.user.is_admin:
        return "admin"
    return (await accounts(request).grants_of(who.user.id)).get(site_id)


async def visible_sites(request: Request, who: Viewer) -> list[Site]:
    """Administrators see every site, other users the sites they were granted."""
    sites = await services(request).store.list_sites()
    if who.user.is_admin:
        return sites
    granted = await accounts(request).grants_of(who.user.id)
    return [site for site in sites if site.id in granted]


# -- forms --------------------------------------------------------------------------------
async def read_form(request: Request) -> dict[str, str] | None:
    """An urlencoded form body (None when it is too large or not a form)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


async def checked_form(request: Request, who: Viewer) -> dict[str, str] | None:
    """A signed-in user's form, or None when its CSRF token is missing or wrong or it came
    from another site."""
    form = await read_form(request)
    if (
        form is None
        or not same_origin(request)
        or not state(request).signer.check_csrf(who.session, form.get("csrf"))
    ):
        return None
    return form


def expired_form(request: Request, who: Viewer | None) -> Response:
    return error_page(
        request,
        403,
        "Not saved",
        "This form expired or did not come from this page. Go back, reload and try again.",
        session_user=who.user if who else None,
        csrf=who.csrf if who else "",
    )


# -- the access decorator -----------------------------------------------------------------
Form: TypeAlias = dict[str, str]
Role = Literal["viewer", "admin"]
Endpoint: TypeAlias = Callable[[Request], Awaitable[Response]]
S = TypeVar("S", bound=Site | None)
F = TypeVar("F", bound=Form | None)
# a view: (request, who is looking, the site in the path or None, the checked form or None)
View: TypeAlias = Callable[[Request, Viewer, S, F], Awaitable[Response]]
SITE_REFUSAL = "Only this site's administrators may open this page."


@dataclass(frozen=True, slots=True)
class Access:
    """What :func:`dashboard_view` checks before a view runs."""

    role: Role
    site: bool
    form: bool
    refusal: str


_GUARDED: dict[object, Access] = {}  # endpoint → its checks


def access_of(endpoint: object) -> Access | None:
    """The checks an endpoint was declared with, or None when it is not a dashboard view
    (a test walks the route table with this, so a signed-in page cannot skip them)."""
    return _GUARDED.get(endpoint)


@overload
def dashboard_view(
    role: Role = ...,
    *,
    site: Literal[True] = ...,
    form: Literal[False] = ...,
    refusal: str = ...,
    not_found: Callable[[Request], Response] | None = ...,
) -> Callable[[View[Site, None]], Endpoint]: ...
@overload
def dashboard_view(
    role: Role = ...,
    *,
    site: Literal[True] = ...,
    form: Literal[True],
    refusal: str = ...,
    not_found: Callable[[Request], Response] | None = ...,
) -> Callable[[View[Site, Form]], Endpoint]: ...
@overload
def dashboard_view(
    role: Role = ...,
    *,
    site: Literal[False],
    form: Literal[False] = ...,
    refusal: str = ...,
    not_found: Callable[[Request], Response] | None = ...,
) -> Callable[[View[None, None]], Endpoint]: ...
@overload
def dashboard_view(
    role: Role = ...,
    *,
    site: Literal[False],
    form: Literal[True],
    refusal: str = ...,
    not_found: Callable[[Request], Response] | None = ...,
) -> Callable[[View[None, Form]], Endpoint]: ...
def dashboard_view(
    role: Role = "viewer",
    *,
    site: bool = True,
    form: bool = False,
    refusal: str = "",
    not_found: Callable[[Request], Response] | None = None,
) -> Callable[[View[Site | None, Form | None]], Endpoint]:
    """A signed-in page. Before the view runs: the login (else the redirect to the login
    page); with ``site`` (the default) the site in the path, which the user must see
    (``role="viewer"``) or administer (``role="admin"``), else a 404 (``not_found`` makes
    that reply) or a 403; without ``site``, ``role="admin"`` asks for a global administrator
    (else a 403 saying ``refusal``); with ``form``, the posted form with its CSRF token and
    ``Sec-Fetch-Site`` checked (else the expired-form page). The view gets
    ``(request, viewer, site, form)``: ``site`` is None without ``site``, ``form`` None
    without ``form``."""
    access = Access(
        role, site, form, refusal or (SITE_REFUSAL if site else "Only administrators may open this page.")
    )

    def decorate(view: View[Site | None, Form | None]) -> Endpoint:
        @wraps(view)
        async def endpoint(request: Request) -> Response:
            who = await viewer(request)
            if who is None:
                return login_redirect(request)
            found: Site | None = None
            if access.site:
                checked = await _path_site(request, who, access, not_found)
                if isinstance(checked, Response):
                    return checked
                found = checked
            elif access.role == "admin" and not who.user.is_admin:
                return _refused(request, who, access.refusal)
            posted: Form | None = None
            if access.form:
                posted = await checked_form(request, who)
                if posted is None:
                    return expired_form(request, who)
            return await view(request, who, found, posted)

        _GUARDED[endpoint] = access
        return endpoint

    return decorate


async def _path_site(
    request: Request, who: Viewer, access: Access, not_found: Callable[[Request], Response] | None
) -> Site | Response:
    """The site in the path when ``who`` may see it (and administer it, for an admin view);
    else a 404 (a site they may not see: one that does not exist looks the same) or a 403."""
    site_id = int(request.path_params["site_id"])
    held = await site_role(request, who, site_id)
    found = await services(request).store.get_site(site_id) if held is not None else None
    if found is None:
        if not_found is not None:
            return not_found(request)
        return error_page(
            request,
            404,
            "No such site",
            "There is no site here that you may see.",
            session_user=who.user,
            csrf=who.csrf,
        )
    if access.role == "admin" and held != "admin":
        return _refused(request, who, access.refusal)
    return found


def _refused(request: Request, who: Viewer, message: str) -> Response:
    return error_page(request, 403, "Not allowed", message, session_user=who.user, csrf=who.csrf)


def client_net(request: Request) -> str:
    settings = services(request).settings
    return masked_client_ip(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        settings.trusted_proxies,
        settings.ip_mask_bytes,
    )


def same_origin(request: Request) -> bool:
    """False when the browser says the form came from another site (``Sec-Fetch-Site``).
    The CSRF token is the real check; ``Origin`` is not compared with ``Host``, which a
    reverse proxy may rewrite."""
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "same-site", "none")
