"""Signing in and out: the login page and form (CSRF-checked, throttled per name and
address, a constant-time answer for unknown names) and logout."""

from __future__ import annotations

import asyncio
from functools import cache

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from collector.auth.passwords import hash_password, verify_password
from collector.dashboard import audit
from collector.dashboard.auth import (
    clear_session_cookie,
    client_net,
    current_session,
    now,
    read_form,
    rotate_session,
    same_origin,
    set_session_cookie,
    state,
    viewer,
)
from collector.dashboard.render import error_page, render
from collector.dashboard.sessions import Session
from collector.web.services import services


def safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no protocol-relative URL."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ch in target for ch in "\\\r\n\t") or ":" in target.split("?", 1)[0]:
        return "/"
    return target


@cache
def _dummy_hash() -> str:
    return hash_password("not a password anyone uses")


def _login_form(
    request: Request,
    session: Session,
    status: int = 200,
    error: str = "",
    user: str = "",
    next_url: str = "/",
    headers: dict[str, str] | None = None,
) -> Response:
    response = render(
        request,
        "login.html",
        status=status,
        headers=headers,
        error=error,
        user_name=user,
        next_url=next_url,
        csrf=state(request).signer.csrf_token(session),
        session_user=None,
    )
    set_session_cookie(request, response, session)
    return response


async def anonymous(request: Request) -> Session:
    """The browser's anonymous session, or a new one (for a form used without signing in)."""
    session = await current_session(request)
    if session is None or session.user is not None:
        session = state(request).sessions.anonymous(now(request))
    return session


async def login_page(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    if await viewer(request) is not None:
        return RedirectResponse(next_url, status_code=303)
    return _login_form(request, await anonymous(request), next_url=next_url)


async def login(request: Request) -> Response:
    form = await read_form(request) or {}
    next_url = safe_next(form.get("next"))
    session = await current_session(request)
    signer = state(request).signer
    if not same_origin(request) or session is None or not signer.check_csrf(session, form.get("csrf")):
        return _login_form(
            request,
            await anonymous(request),
            403,
            next_url=next_url,
            error="This form expired or did not come from this page. Please try again.",
        )
    name, password = form.get("username", "").strip(), form.get("password", "")
    net, throttle, moment = client_net(request), state(request).throttle, now(request)
    wait = await throttle.retry_after(name, net, moment)
    if wait:
        count, unit = (wait, "second") if wait < 60 else ((wait + 59) // 60, "minute")
        return _login_form(
            request,
            session,
            429,
            user=name,
            next_url=next_url,
            headers={"Retry-After": str(wait)},
            error=f"Too many failed sign-in attempts for this user name or from your "
            f"network. Please wait {count} {unit}{'s' if count != 1 else ''} "
            "and try again.",
        )
    user = await services(request).store.get_user(name) if name else None
    stored = user.password_hash if user is not None else _dummy_hash()
    valid = await asyncio.to_thread(verify_password, password, stored)
    if user is None or not valid:
        await throttle.failed(name, net, moment)
        # the name only when it is a user's: a password typed into the wrong field stays out
        await audit.record(
            request, user.name if user is not None else "(unknown user)", "dashboard.login.failed", {}
        )
        return _login_form(
            request, session, 401, user=name, next_url=next_url, error="Wrong user name or password."
        )
    await throttle.succeeded(name, net, moment)
    await audit.record(request, user.name, "dashboard.login", {})
    response = RedirectResponse(next_url, status_code=303)
    await rotate_session(request, response, session, user.name, user.password_hash)
    await state(request).sessions.delete_expired(moment)  # now and then is enough: at each login
    return response


async def logout(request: Request) -> Response:
    form = await read_form(request) or {}
    who = await viewer(request)
    signer = state(request).signer
    if who is None:
        return RedirectResponse("/login", status_code=303)
    if not same_origin(request) or not signer.check_csrf(who.session, form.get("csrf")):
        return error_page(
            request,
            403,
            "Not signed out",
            "This form expired or did not come from this page. Go back, reload and try again.",
        )
    await state(request).sessions.end(who.session)
    await audit.record(request, who.user.name, "dashboard.logout", {})
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(request, response)
    return response
