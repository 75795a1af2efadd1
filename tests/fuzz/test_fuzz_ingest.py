"""Property-based fuzzing of the parameter parser and the tracking endpoint: any input
gives a 2xx or a 4xx, never a 5xx, and the parser agrees with the standard library."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from pathlib import Path
from urllib.parse import parse_qsl, quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.app import create_app
from collector.clock import FrozenClock
from collector.ingest.params import BadRequest, parse_bulk, parse_query
from collector.settings import Settings
from collector.web.services import of_app
from tests.conftest import NOON

FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
names = st.sampled_from(
    [
        "idsite",
        "rec",
        "url",
        "urlref",
        "action_name",
        "uid",
        "cid",
        "cip",
        "cdt",
        "e_c",
        "e_a",
        "e_v",
        "ping",
        "idgoal",
        "revenue",
        "res",
        "lang",
        "ua",
        "link",
        "download",
        "search",
        "search_count",
        "bots",
        "send_image",
        "cs",
        "country",
        "new_visit",
    ]
)
values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["1", "0", "-1", "1e309", "nan", "undefined", "b'x'", "%", "%zz", "%C3%28", "9" * 30]),
)


@FUZZ
@given(st.text(max_size=300))
def test_parse_query_never_raises(text: str) -> None:
    parse_query(text)


@FUZZ
@given(st.lists(st.tuples(st.text(min_size=1, max_size=10), st.text(max_size=20)), max_size=8))
def test_parse_query_agrees_with_the_standard_library(pairs: list[tuple[str, str]]) -> None:
    pairs = [(k, v) for k, v in pairs if "\x00" not in k + v]
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
    expected: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        expected.setdefault(key, value)
    # names are capped before decoding (no protocol name is near 64 characters)
    assert parse_query(query) == {k: v for k, v in expected.items() if len(quote(k, safe="")) <= 64}


@FUZZ
@given(
    st.binary(max_size=300)
    | st.builds(lambda items: f'{{"requests": {items}}}'.encode(), st.text(max_size=100))
)
def test_parse_bulk_raises_only_bad_request(body: bytes) -> None:
    with contextlib.suppress(BadRequest):
        parse_bulk(body, 100)


class _App:
    """One app on a temporary database for all examples (hypothesis runs many)."""

    def __init__(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        settings_ = Settings(
            database=f"sqlite:///{self.dir.name}/c.sqlite3", access_log=False, secret_key="k"
        )
        self.app = create_app(settings_, clock=FrozenClock(NOON), run_maintenance=False)
        self.loop = asyncio.new_event_loop()
        self.lifespan = self.app.router.lifespan_context(self.app)
        self.loop.run_until_complete(self.lifespan.__aenter__())
        self.loop.run_until_complete(of_app(self.app).store.add_site("S", ["example.com"], "UTC", NOON))
        transport = httpx.ASGITransport(app=self.app, client=("203.0.113.5", 1))
        self.client = httpx.AsyncClient(transport=transport, base_url="http://t")

    def request(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))  # type: ignore[arg-type]

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.run_until_complete(self.lifespan.__aexit__(None, None, None))
        self.loop.close()
        self.dir.cleanup()
        assert not Path(self.dir.name).exists()


@pytest.fixture(scope="module")
def fuzz_app() -> object:
    app = _App()
    yield app
    app.close()


def _ok(reply: httpx.Response) -> None:
    assert reply.status_code < 500, reply.text


@FUZZ
@given(params=st.dictionaries(names, values, max_size=10), use_post=st.booleans())
def test_the_endpoint_never_fails_on_parameters(
    fuzz_app: _App, params: dict[str, str], use_post: bool
) -> None:
    params = {"idsite": "1", **params} if "idsite" not in params else params
    if use_post:
        _ok(fuzz_app.request("POST", "/matomo.php", data=params))
    else:
        _ok(fuzz_app.request("GET", "/matomo.php", params=params))


@FUZZ
@given(st.text(max_size=200), st.binary(max_size=300))
def test_the_endpoint_never_fails_on_raw_query_and_body(fuzz_app: _App, query: str, body: bytes) -> None:
    _ok(fuzz_app.request("POST", "/matomo.php?" + quote(query, safe="=&%+"), content=body))


bulk_items = st.lists(
    st.one_of(
        st.builds(
            lambda p: "?" + "&".join(f"{k}={quote(v)}" for k, v in p.items()),
            st.dictionaries(names, values, max_size=6),
        ),
        st.dictionaries(
            names,
            st.one_of(values, st.integers(-(2**63), 2**63 - 1), st.floats(), st.none(), st.booleans()),
            max_size=6,
        ),
        st.integers(-(2**63), 2**63 - 1),
        st.none(),
        st.lists(st.integers(0, 10), max_size=2),
    ),
    max_size=8,
)


@FUZZ
@given(bulk_items, st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain"]))
def test_the_endpoint_never_fails_on_bulk(fuzz_app: _App, items: list[object], content_type: str) -> None:
    import orjson

    body = orjson.dumps({"requests": items})
    _ok(fuzz_app.request("POST", "/matomo.php", content=body, headers={"Content-Type": content_type}))


header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)


@FUZZ
@given(ua=header_text, dnt=header_text, xff=header_text, lang=header_text)
def test_the_endpoint_never_fails_on_headers(fuzz_app: _App, ua: str, dnt: str, xff: str, lang: str) -> None:
    headers = {"User-Agent": ua, "DNT": dnt, "X-Forwarded-For": xff, "Accept-Language": lang}
    url = "/matomo.php?idsite=1&rec=1&url=https%3A%2F%2Fexample.com%2F"
    _ok(fuzz_app.request("GET", url, headers=headers))
    assert fuzz_app.request("GET", "/healthz").status_code == 200
