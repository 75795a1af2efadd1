"""Users and access (global administrators): add users, grant them sites as ``admin`` or
``viewer``, revoke grants; and ``/account``, where anyone signed in changes their password."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from collector.auth.passwords import hash_password, verify_password
from collector.dashboard import audit, auth
from collector.dashboard.render import render
from collector.storage.accounts_base import ROLES
from collector.storage.base import Conflict
from collector.web.services import services

MIN_PASSWORD = 8
MAX_PASSWORD = 1024
DONE = {"user": "User added.", "grant": "Access granted.", "revoke": "Access revoked."}
USERS_REFUSAL = "Only administrators may manage users."


def password_problem(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        return f"The password must have at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return "That password is too long."
    return ""


def name_problem(name: str) -> str:
    if not 1 <= len(name) <= 64 or not name.isprintable() or name != name.strip():
        return "A user name has 1 to 64 printable characters, without spaces at either end."
    return ""


async def _page(
    request: Request, who: auth.Viewer, status: int = 200, error: str = "", done: str = "", added: str = ""
) -> Response:
    accounts = auth.accounts(request)
    users = await accounts.list_users()
    grants = await accounts.list_grants()
    by_user = {u.id: [g for g in grants if g.user_id == u.id] for u in users}
    return render(
        request,
        "users.html",
        status=status,
        session_user=who.user,
        csrf=who.csrf,
        users=users,
        by_user=by_user,
        sites=await services(request).store.list_sites(),
        roles=ROLES,
        error=error,
        done=done,
        added=added,
        min_password=MIN_PASSWORD,
    )


@auth.dashboard_view("admin", site=False, refusal=USERS_REFUSAL)
async def users_page(request: Request, who: auth.Viewer, _site: None, _form: None) -> Response:
    return await _page(request, who, done=DONE.get(request.query_params.get("done", ""), ""))


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@auth.dashboard_view("admin", site=False, form=True, refusal=USERS_REFUSAL)
async def add_user(request: Request, who: auth.Viewer, _site: None, form: auth.Form) -> Response:
    name, password = form.get("username", ""), form.get("password", "")
    problem = name_problem(name) or password_problem(password)
    store = services(request).store
    if not problem and await store.get_user(name) is not None:
        problem = "There is already a user with that name."
    if problem:
        return await _page(request, who, 400, error=problem, added=name)
    is_admin = bool(form.get("is_admin"))
    hashed = await asyncio.to_thread(hash_password, password)
    try:
        await store.add_user(name, hashed, is_admin, auth.now(request))
    except Conflict:  # added meanwhile
        return await _page(request, who, 400, error="There is already a user with that name.", added=name)
    await audit.record(request, who.user.name, "user.add", {"user": name, "admin": is_admin})
    return RedirectResponse("/users?done=user", status_code=303)


@auth.dashboard_view("admin", site=False, form=True, refusal=USERS_REFUSAL)
async def set_grant(request: Request, who: auth.Viewer, _site: None, form: auth.Form) -> Response:
    user_id, site_id, role = _int(form.get("user")), _int(form.get("site")), form.get("role", "")
    accounts = auth.accounts(request)
    user = await accounts.user_by_id(user_id) if user_id is not None else None
    site = await services(request).store.get_site(site_id) if site_id is not None else None
    if user is None or site is None or role not in ROLES:
        return await _page(request, who, 400, error="Choose a user, a site and a role.")
    await accounts.set_grant(user.id, site.id, role, auth.now(request))
    detail = {"user": user.name, "site": site.id, "role": role}
    await audit.record(request, who.user.name, "grant.set", detail)
    return RedirectResponse("/users?done=grant", status_code=303)


@auth.dashboard_view("admin", site=False, form=True, refusal=USERS_REFUSAL)
async def revoke_grant(request: Request, who: auth.Viewer, _site: None, form: auth.Form) -> Response:
    user_id, site_id = _int(form.get("user")), _int(form.get("site"))
    if user_id is None or site_id is None or not await auth.accounts(request).revoke_grant(user_id, site_id):
        return await _page(request, who, 400, error="There is no such access to revoke.")
    await audit.record(request, who.user.name, "grant.revoke", {"user_id": user_id, "site": site_id})
    return RedirectResponse("/users?done=revoke", status_code=303)


# -- the user's own account ------------------------------------------------------------------
def _account(
    request: Request,
    who: auth.Viewer,
    status: int = 200,
    error: str = "",
    done: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "account.html",
        status=status,
        headers=headers,
        session_user=who.user,
        csrf=who.csrf,
        error=error,
        done=done,
        min_password=MIN_PASSWORD,
    )


@auth.dashboard_view(site=False)
async def account_page(request: Request, who: auth.Viewer, _site: None, _form: None) -> Response:
    return _account(request, who, done=request.query_params.get("done") == "1")


@auth.dashboard_view(site=False, form=True)
async def change_password(request: Request, who: auth.Viewer, _site: None, form: auth.Form) -> Response:
    throttle, net, moment = auth.state(request).throttle, auth.client_net(request), auth.now(request)
    wait = await throttle.retry_after(who.user.name, net, moment)
    if wait:
        return _account(
            request,
            who,
            429,
            headers={"Retry-After": str(wait)},
            error="Too many wrong passwords. Please wait a few minutes and try again.",
        )
    if not await asyncio.to_thread(verify_password, form.get("current", ""), who.user.password_hash):
        await throttle.failed(who.user.name, net, moment)
        return _account(request, who, 400, error="Your current password is not right.")
    new = form.get("new", "")
    problem = password_problem(new)
    if not problem and new != form.get("confirm"):
        problem = "The new password and its repetition differ."
    if problem:
        return _account(request, who, 400, error=problem)
    hashed = await asyncio.to_thread(hash_password, new)
    await auth.accounts(request).set_password(who.user.id, hashed)
    await audit.record(request, who.user.name, "user.password", {})
    # every other session of this user ends (deleted; the fingerprint changed too); this one
    # is rotated
    response = RedirectResponse("/account?done=1", status_code=303)
    await auth.rotate_session(request, response, who.session, who.user.name, hashed, everywhere=True)
    return response
