"""The dashboard: server-rendered pages for site owners (login, sites, a site's reports),
mounted at ``/`` after every collector route.

``mount()`` returns the one route ``collector/routes.py`` adds. It matches only the
dashboard's own paths, so the collector's routes keep their 404 and 405 replies; every
reply from it carries the security headers (CSP without inline script, frame denial), and
it is the only part of the application that sets a cookie (the login session)."""

from __future__ import annotations

import os

from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from collector.dashboard import (
    login,
    privacy_views,
    settings_views,
    share_views,
    tokens_views,
    users_views,
    views,
)
from collector.dashboard.render import SecurityHeaders
from collector.web import ids  # noqa: F401 (registers the {name:id} path convertor)


class Assets(StaticFiles):
    """The stylesheet and script. Pages link them with ``?v=<content hash>``, so such a
    URL never changes its bytes and is cached for a year."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if versioned else "no-cache"
        return response


class AssetsMount(Mount):
    """``/static/…``, and the bare ``/static`` too: a 404 like ``/static/`` (no listing).
    Left to the router, ``/static`` would be redirected to ``http://<Host>/static/``, an
    absolute URL built from the client's ``Host`` header."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        root = scope.get("root_path", "")
        path: str = scope.get("path", "")
        if match is Match.NONE and scope["type"] == "http" and path.removeprefix(root) == self.path:
            return super().matches({**scope, "path": path + "/"})  # Assets sees no file: 404
        return match, child


def routes() -> list[BaseRoute]:
    site = "/sites/{site_id:id}"
    return [
        Route("/", views.overview, methods=["GET"]),
        Route("/login", login.login_page, methods=["GET"]),
        Route("/login", login.login, methods=["POST"]),
        Route("/logout", login.logout, methods=["POST"]),
        Route(site, views.dashboard, methods=["GET"]),
        Route(site + "/csv/{report}", views.csv_download, methods=["GET"]),
        Route(site + "/realtime", views.realtime, methods=["GET"]),
        Route(site + "/settings", settings_views.settings_page, methods=["GET"]),
        Route(site + "/settings", settings_views.save_settings, methods=["POST"]),
        Route(site + "/tokens", tokens_views.tokens_page, methods=["GET"]),
        Route(site + "/tokens", tokens_views.create_token, methods=["POST"]),
        Route(site + "/tokens/{token_id:id}/revoke", tokens_views.revoke_token, methods=["POST"]),
        Route(site + "/share", share_views.share_page, methods=["GET"]),
        Route(site + "/share", share_views.create_share, methods=["POST"]),
        Route(site + "/share/{link_id:id}/revoke", share_views.revoke_share, methods=["POST"]),
        Route("/share/{secret}", share_views.shared_dashboard, methods=["GET"]),
        Route("/share/{secret}", share_views.unlock, methods=["POST"]),
        Route("/share/{secret}/csv/{report}", share_views.shared_csv, methods=["GET"]),
        Route("/share/{secret}/realtime", share_views.shared_realtime, methods=["GET"]),
        Route("/users", users_views.users_page, methods=["GET"]),
        Route("/users", users_views.add_user, methods=["POST"]),
        Route("/users/grants", users_views.set_grant, methods=["POST"]),
        Route("/users/grants/revoke", users_views.revoke_grant, methods=["POST"]),
        Route(site + "/privacy", privacy_views.privacy_page, methods=["GET"]),
        Route(site + "/privacy/exclusions", privacy_views.save_rules, methods=["POST"]),
        Route(site + "/privacy/exclusions/apply", privacy_views.apply_rules, methods=["POST"]),
        Route(site + "/privacy/export", privacy_views.export_data, methods=["GET"]),
        Route(site + "/privacy/erase", privacy_views.erase_data, methods=["POST"]),
        Route("/audit", privacy_views.audit_page, methods=["GET"]),
        Route("/audit.csv", privacy_views.audit_csv, methods=["GET"]),
        Route("/account", users_views.account_page, methods=["GET"]),
        Route("/account", users_views.change_password, methods=["POST"]),
        AssetsMount("/static", Assets(packages=[("collector.dashboard", "static")]), name="static"),
    ]


class DashboardMount(Mount):
    """A mount at ``/`` that claims a request only when one of its routes does."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE:
            return match, child
        inner = {**scope, **child}
        best = Match.NONE
        for route in self.routes:
            found, _ = route.matches(inner)
            if found is Match.FULL:
                return Match.FULL, child
            if found is Match.PARTIAL:
                best = Match.PARTIAL
        return best, child if best is not Match.NONE else {}


def mount() -> Mount:
    return DashboardMount("/", routes=routes(), middleware=[Middleware(SecurityHeaders)], name="dashboard")
