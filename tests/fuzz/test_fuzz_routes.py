"""Every route, as an anonymous visitor, a logged-in administrator and a token holder,
with hostile path values (ids past 64 bits, negative, not numbers) and hostile query
values (dates at the calendar's edges, huge numbers): a reply below 500 and no traceback,
always. The property the issue-18 review asked for: no unauthenticated (or authenticated)
5xx from input."""

from __future__ import annotations

import asyncio
import re
import tempfile
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import BaseRoute, Mount, Route

from collector.app import create_app
from collector.auth.passwords import hash_password
from collector.auth.tokens import new_token, token_hash
from collector.clock import FrozenClock
from collector.settings import Settings
from collector.web.services import of_app
from tests.conftest import NOON
from tests.dashboard.conftest import PASSWORD, log_in

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PATH_VALUES = [
    "1",
    "2",
    "0",
    "-1",
    "9223372036854775807",
    "9223372036854775808",
    "9" * 40,
    "abc",
    "%00",
    "x" * 300,
]
QUERY_KEYS = [
    "from", "to", "date", "period", "interval", "limit", "offset", "idSite", "idsite", "method",
    "module", "format", "filter_limit", "filter_offset", "page", "referrer", "device", "country",
    "utm_campaign", "minutes", "lang", "before", "prefix", "next", "action", "token_auth", "label",
]  # fmt: skip
QUERY_VALUES = [
    "9999-12-31", "0001-01-01", "9999-12-31,9999-12-31", "0001-01-01,0001-01-02", "2026-02-30",
    "today", "yesterday", "last999999999", "previous99999999999999999999", "last0", "-1", "0",
    "9223372036854775808", "1e309", "nan", "day", "week", "month", "year", "range", "csv", "tsv",
    "json", "VisitsSummary.get", "Actions.getPageUrls", "API", "CoreAdminHome", "optOutJS",
    "", "x" * 2000, "%", "\x00", "//evil.example", "1",
]  # fmt: skip


def concrete_routes(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for route in routes:
        if isinstance(route, Route):
            found.append((prefix + route.path, sorted(route.methods or {"GET"})))
        elif isinstance(route, Mount):
            found += concrete_routes(list(route.routes), prefix + route.path)
    return found


class _App:
    def __init__(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        conf = Settings(database=f"sqlite:///{self.dir.name}/c.sqlite3", access_log=False, secret_key="k")
        self.app = create_app(conf, clock=FrozenClock(NOON), run_maintenance=False)
        self.loop = asyncio.new_event_loop()
        self.lifespan = self.app.router.lifespan_context(self.app)
        self.run(self.lifespan.__aenter__())
        store = of_app(self.app).store
        site = self.run(store.add_site("S", ["example.com"], "UTC", NOON))
        self.run(store.add_user("alice", hash_password(PASSWORD), True, NOON))
        self.token = new_token()
        self.run(store.add_token(token_hash(self.token), site.id, "admin", "admin", NOON))
        self.routes = concrete_routes(list(self.app.routes))

        def client() -> httpx.AsyncClient:
            transport = httpx.ASGITransport(
                app=self.app, client=("203.0.113.5", 1), raise_app_exceptions=False
            )
            return httpx.AsyncClient(transport=transport, base_url="http://testserver")

        self.anonymous, self.admin = client(), client()
        assert self.run(log_in(self.admin, "alice")).status_code == 303

    def run(self, awaitable: Any) -> Any:
        return self.loop.run_until_complete(awaitable)

    def close(self) -> None:
        for c in (self.anonymous, self.admin):
            self.run(c.aclose())
        self.run(self.lifespan.__aexit__(None, None, None))
        self.loop.close()
        self.dir.cleanup()


@pytest.fixture(scope="module")
def fuzz_app() -> Any:
    app = _App()
    yield app
    app.close()


def test_the_suite_sees_every_route(fuzz_app: _App) -> None:
    paths = {path for path, _methods in fuzz_app.routes}
    assert {
        "/matomo.php",
        "/privacy/{site_id}",
        "/index.php",
        "/sites/{site_id:id}",
        "/share/{secret}",
    } <= paths
    assert len(paths) > 40


@FUZZ
@given(
    pick=st.integers(min_value=0),
    values=st.lists(st.sampled_from(PATH_VALUES), min_size=4, max_size=4),
    query=st.dictionaries(st.sampled_from(QUERY_KEYS), st.sampled_from(QUERY_VALUES), max_size=5),
    who=st.sampled_from(["anonymous", "admin", "token"]),
    method_pick=st.integers(min_value=0),
)
def test_no_route_answers_5xx(
    fuzz_app: _App, pick: int, values: list[str], query: dict[str, str], who: str, method_pick: int
) -> None:
    template, methods = fuzz_app.routes[pick % len(fuzz_app.routes)]
    slots = iter(values)
    path = re.sub(r"\{[^}]+\}", lambda _m: quote(next(slots), safe="%"), template)
    method = methods[method_pick % len(methods)]
    client = fuzz_app.admin if who == "admin" else fuzz_app.anonymous
    headers = {"Authorization": f"Bearer {fuzz_app.token}"} if who == "token" else {}
    if who == "token" and "token_auth" in query:
        query["token_auth"] = fuzz_app.token
    reply = fuzz_app.run(client.request(method, path, params=query, headers=headers))
    assert reply.status_code < 500, (
        f"{method} {path}?{query} as {who}: {reply.status_code} {reply.text[:300]}"
    )
    assert "Traceback" not in reply.text
