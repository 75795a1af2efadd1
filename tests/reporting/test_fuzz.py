"""Property-based fuzzing of the Reporting API's parameters: any mix of them, by GET or by
POST form, gives a 2xx or a 4xx in Matomo's error shape, never a 5xx."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Coroutine, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.app import create_app
from collector.auth.tokens import new_token, token_hash
from collector.clock import FrozenClock
from collector.rollups.runner import rollup
from collector.settings import Settings
from collector.web.services import of_app
from tests.conftest import CHROME, NOON

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOKEN = new_token()
METHODS = [
    "VisitsSummary.get",
    "Actions.getPageUrls",
    "Referrers.getWebsites",
    "Referrers.getReferrerType",
    "DevicesDetection.getBrowsers",
    "DevicesDetection.getOsVersions",
    "DevicesDetection.getType",
    "Live.getCounters",
    "API.getMatomoVersion",
    "API.getPiwikVersion",
    "Nope.nope",
    "",
    ".",
]
PERIODS = ["day", "week", "month", "year", "range", "DAY", "hour", "", "range,day"]
DATES = [
    "today",
    "yesterday",
    "now",
    "lastWeek",
    "last month",
    "lastyear",
    "last7",
    "previous30",
    "last",
    "last0",
    "last-1",
    "last99999999999",
    "previous3",
    "2026-11-22",
    "2026-2-29",
    "2024-02-29",
    "2026-11-01,2026-11-22",
    "2026-11-22,2026-11-01",
    "2026-11-01,today",
    "lastweek,yesterday",
    "1991-08-05",
    "9999-12-31",
    "0001-01-01",
    "2036-12-31",
    "2037-01-01",
    "2026-11-01,",
    ",",
    "",
]
texts = st.text(max_size=30)
VALUES = {
    "method": st.sampled_from(METHODS) | texts,
    "idSite": st.sampled_from(["1", "2", "0", "-1", "all", "1,2", "99999999999999"]) | texts,
    "period": st.sampled_from(PERIODS) | texts,
    "date": st.sampled_from(DATES) | texts,
    "format": st.sampled_from(["JSON", "csv", "TSV", "xml", "original", ""]) | texts,
    "token_auth": st.sampled_from([TOKEN, "", "anonymous"]) | texts,
    "filter_limit": st.sampled_from(["-1", "0", "1", "100", "100000", "100001", "-2", "x"]) | texts,
    "filter_offset": st.sampled_from(["0", "1", "1000000", "1000001", "-1"]) | texts,
    "lastMinutes": st.sampled_from(["1", "30", "2880", "2881", "0", "1e3"]) | texts,
    "segment": st.sampled_from(["", "browserCode==FF"]) | texts,
    "idsite": st.sampled_from(["1", "x"]),
    "showColumns": st.sampled_from(["nb_visits", "label", ",,", "nb_visits,bounce_rate"]) | texts,
    "hideColumns": st.sampled_from(["nb_visits", "label,url", ""]) | texts,
}


@st.composite
def parameters(draw: st.DrawFn) -> dict[str, str]:
    names = draw(st.sets(st.sampled_from(sorted(VALUES)), max_size=len(VALUES)))
    base = {
        "method": "VisitsSummary.get",
        "idSite": "1",
        "period": "day",
        "date": "today",
        "token_auth": TOKEN,
    }
    return {**base, **{name: draw(VALUES[name]) for name in names}}


class _App:
    """One app on a temporary database with a site, a token and a little traffic."""

    def __init__(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        config = Settings(database=f"sqlite:///{self.dir.name}/c.sqlite3", access_log=False, secret_key="k")
        clock = FrozenClock(NOON)
        self.app = create_app(config, clock=clock, run_maintenance=False)
        self.loop = asyncio.new_event_loop()
        self.lifespan = self.app.router.lifespan_context(self.app)
        self.run(self.lifespan.__aenter__())
        store = of_app(self.app).store
        site = self.run(store.add_site("S", ["example.com"], "Europe/Oslo", NOON))
        self.run(store.add_token(token_hash(TOKEN), site.id, "stats", "fuzz", NOON))
        admin = new_token()
        self.run(store.add_token(token_hash(admin), site.id, "admin", "fuzz", NOON))
        transport = httpx.ASGITransport(app=self.app, client=("203.0.113.5", 1))
        self.client = httpx.AsyncClient(transport=transport, base_url="http://t")
        for n, path in enumerate(["/", "/a", "/", "/b?x=1"]):
            self.request(
                "GET",
                "/matomo.php",
                params={
                    "idsite": site.id,
                    "rec": 1,
                    "url": f"https://example.com{path}",
                    "send_image": 0,
                    "cip": f"10.{n}.0.1",
                    "token_auth": admin,
                    "cdt": int(NOON - 3600 * 30 * n),
                    "urlref": "https://www.google.com/",
                },
                headers={"User-Agent": CHROME},
            )
        self.run(rollup(store, config, clock))

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return self.loop.run_until_complete(coroutine)

    def request(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        reply: httpx.Response = self.run(self.client.request(method, url, **kwargs))  # type: ignore[arg-type]
        return reply

    def close(self) -> None:
        self.run(self.client.aclose())
        self.run(self.lifespan.__aexit__(None, None, None))
        self.loop.close()
        self.dir.cleanup()


@pytest.fixture(scope="module")
def api() -> Iterator[_App]:
    app = _App()
    yield app
    app.close()


def _checked(reply: httpx.Response) -> None:
    assert reply.status_code < 500, reply.text
    if reply.status_code >= 400 and reply.headers["content-type"].startswith("application/json"):
        body = orjson.loads(reply.content)
        assert body["result"] == "error" and body["message"]


@FUZZ
@given(params=parameters(), use_post=st.booleans())
def test_no_parameters_give_a_5xx(api: _App, params: dict[str, str], use_post: bool) -> None:
    if use_post:
        _checked(api.request("POST", "/index.php?module=API", data=params))
    else:
        _checked(api.request("GET", "/index.php", params={"module": "API", **params}))


@FUZZ
@given(query=st.text(max_size=200), body=st.binary(max_size=300))
def test_no_raw_query_or_body_gives_a_5xx(api: _App, query: str, body: bytes) -> None:
    valid = f"module=API&method=VisitsSummary.get&idSite=1&period=day&date=today&token_auth={TOKEN}"
    _checked(
        api.request(
            "POST",
            f"/index.php?{valid}&" + quote(query, safe="=&%+"),
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    )
    _checked(
        api.request(
            "POST",
            "/index.php?module=API",
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    )


def test_the_fuzzed_app_has_data(api: _App) -> None:
    reply = api.request(
        "GET",
        "/index.php",
        params={
            "module": "API",
            "method": "VisitsSummary.get",
            "idSite": 1,
            "period": "range",
            "date": "last7",
            "token_auth": TOKEN,
            "format": "json",
        },
    )
    assert reply.status_code == 200 and reply.json()["nb_visits"] == 4
