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

from dashboards import auth, views
from dashboards.render import SecurityHeaders


class Assets(StaticFiles):
    """The stylesheet and script. Pages link them with ``?v=<content hash>``, so such a
    URL never changes its bytes and is cached for a year."""

    def file_response(self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if versioned else "no-cache"
        return response


def routes() -> list[BaseRoute]:
    return [
        Route("/", views.overview, methods=["GET"]),
        Route("/login", auth.login_page, methods=["GET"]),
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/sites/{site_id:int}", views.dashboard, methods=["GET"]),
        Route("/sites/{site_id:int}/csv/{report}", views.csv_download, methods=["GET"]),
        Route("/sites/{site_id:int}/realtime", views.realtime, methods=["GET"]),
        Mount("/static", Assets(packages=[("dashboards", "static")]), name="static"),
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
