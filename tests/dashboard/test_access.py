"""Every signed-in page goes through ``auth.dashboard_view``: the route table is walked, so
a new view cannot skip the login, role, site and CSRF checks. The few routes that work
without an account are listed here by name, with the reason."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from collector.clock import FrozenClock
from collector.dashboard import auth, routes
from collector.model import Site
from collector.storage.sqlite import SqliteStore
from tests.dashboard.conftest import grant, log_in, new_client

pytestmark = pytest.mark.both_backends  # the same behaviour on SQLite and PostgreSQL

# (path, method) → why it needs no login
PUBLIC = {
    ("/login", "GET"): "the login form",
    ("/login", "POST"): "signing in (CSRF-checked against the anonymous session)",
    ("/logout", "POST"): "signing out (CSRF-checked; without a session it goes to the login page)",
    ("/share/{secret}", "GET"): "a shared link: the secret is the access",
    ("/share/{secret}", "POST"): "a shared link's password (CSRF-checked, throttled)",
    ("/share/{secret}/csv/{report}", "GET"): "a shared link's downloads",
    ("/share/{secret}/realtime", "GET"): "a shared link's realtime count",
}
PARAMS = {"site_id": "1", "token_id": "1", "link_id": "1", "report": "pages"}


def _route_methods() -> list[tuple[Route, str]]:
    out = []
    for route in routes():
        if isinstance(route, Mount):
            assert route.path == "/static", f"an unexpected mount {route.path}"
            continue
        assert isinstance(route, Route), route
        methods = sorted((route.methods or set()) - {"HEAD"})
        out.extend((route, method) for method in methods)
    return out


def _guarded() -> list[tuple[str, str, auth.Access]]:
    out = []
    for route, method in _route_methods():
        if (route.path, method) in PUBLIC:
            continue
        access = auth.access_of(route.endpoint)
        assert access is not None, f"{method} {route.path} does not go through auth.dashboard_view"
        out.append((route.path, method, access))
    return out


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: PARAMS[m.group(1)], path)


def test_every_route_that_needs_a_login_goes_through_the_decorator() -> None:
    table = {(route.path, method) for route, method in _route_methods()}
    assert set(PUBLIC) <= table, f"PUBLIC names routes that do not exist: {set(PUBLIC) - table}"
    guarded = _guarded()
    assert len(guarded) == len(table) - len(PUBLIC)
    for path, method, access in guarded:
        where = f"{method} {path}"
        assert access.site == ("{site_id" in path), where
        # a change is always a form with its CSRF token; a page never reads one
        assert access.form == (method == "POST"), where


def test_public_routes_are_not_dashboard_views() -> None:
    for route, method in _route_methods():
        if (route.path, method) in PUBLIC:
            assert auth.access_of(route.endpoint) is None, f"{method} {route.path}"


def test_an_undecorated_function_has_no_access() -> None:
    async def plain(request: object) -> None:  # pragma: no cover - never called
        return None

    assert auth.access_of(plain) is None


@pytest.mark.parametrize(("path", "method"), [(p, m) for p, m, _ in _guarded()])
async def test_every_guarded_route_sends_a_stranger_to_the_login(
    client: httpx.AsyncClient, site: Site, path: str, method: str
) -> None:
    url = _url(path)
    reply = await client.request(method, url, data={"csrf": "x"} if method == "POST" else None)
    assert reply.status_code == 303, (method, url, reply.status_code)
    assert reply.headers["location"].startswith("/login?next=")


async def test_admin_routes_refuse_a_viewer_and_forms_need_the_token(
    app: Starlette, site: Site, store: SqliteStore, viewer_user: str, admin: str, clock: FrozenClock
) -> None:
    await grant(store, viewer_user, site.id, "viewer", clock)
    admin_only = [(p, m) for p, m, access in _guarded() if access.role == "admin"]
    assert admin_only
    async with new_client(app) as client:
        assert (await log_in(client, viewer_user)).status_code == 303
        for path, method in admin_only:
            reply = await client.request(method, _url(path), data={} if method == "POST" else None)
            assert reply.status_code == 403 and "Not allowed" in reply.text, (method, path)
        # a site the user may not see is a 404, whatever the role asked for
        assert (await client.get("/sites/9")).status_code == 404
        assert (await client.get("/sites/9/settings")).status_code == 404
        assert (await client.get("/sites/9/realtime")).json() == {"error": "not found", "detail": None}
    forms = [(p, m) for p, m, access in _guarded() if access.form]
    async with new_client(app) as client:
        assert (await log_in(client, admin)).status_code == 303
        for path, method in forms:
            reply = await client.request(method, _url(path), data={"csrf": "x" * 43})
            assert reply.status_code == 403 and "This form expired" in reply.text, (method, path)
