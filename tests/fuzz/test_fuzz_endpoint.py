"""Property tests of the tracking endpoint, in process (the conftest app, its lifespan
running, on a real SQLite file).

Arbitrary query strings, parameter sets, form bodies, bulk JSON bodies and header values
(User-Agent, DNT, X-Forwarded-For, Accept-Language, …): the reply is always a 2xx or a 4xx,
never a 5xx. And the app keeps working: each fuzzed request is sent together with a valid
beacon carrying a unique marker (so both usually share one group commit); that beacon must
be acknowledged and stored, whatever the fuzzed request did.

Requests are raw ASGI calls, so query strings and header values can be any bytes, as a
server hands them to the app. A trusted proxy is configured (the conftest client address
203.0.113.195 is in it) and the access log is on, so both read X-Forwarded-For.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote, urlencode

import orjson
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from collector.model import Site
from collector.settings import Settings
from tests.conftest import CHROME, NOON
from tests.fuzz.test_fuzz_params import CHARSETS, PIECES, nasty_queries

FUZZ = fuzz_settings(
    max_examples=200,
    deadline=None,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PEER = ("203.0.113.195", 54321)
TOKEN = "<admin token>"  # replaced by the real admin token inside a test
MARKERS = itertools.count()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Overrides the conftest fixture in this module: a trusted proxy, the access log on."""
    return Settings(
        database=f"sqlite:///{tmp_path}/collector.sqlite3",
        access_log=True,
        secret_key="test-secret",
        max_bulk_requests=20,
        trusted_proxies=tuple(
            ipaddress.ip_network(n) for n in ("203.0.113.0/24", "10.0.0.0/8", "2001:db8:ffff::/48")
        ),
    )


# -- a raw ASGI request ----------------------------------------------------------------------
@dataclass
class Reply:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    error: BaseException | None

    def header(self, name: bytes) -> bytes | None:
        return next((v for k, v in self.headers if k.lower() == name), None)


async def call(
    app: Starlette,
    method: str,
    query: bytes = b"",
    headers: Sequence[tuple[bytes, bytes]] = (),
    body: bytes = b"",
    path: str = "/matomo.php",
) -> Reply:
    """One request straight into the ASGI app, as uvicorn would hand it over."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "client": PEER,
        "server": ("testserver", 80),
        "headers": [
            (b"host", b"testserver"),
            *[(k.lower(), v) for k, v in headers],
            *([(b"content-length", str(len(body)).encode())] if method == "POST" else []),
        ],
    }
    sent_body = False

    async def receive() -> dict[str, object]:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # a client that stays connected
        return {"type": "http.disconnect"}

    messages: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        messages.append(message)

    error: BaseException | None = None
    try:
        await asyncio.wait_for(app(scope, receive, send), timeout=30)
    except Exception as exc:  # Starlette re-raises after sending its 500 reply
        error = exc
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    status = int(start["status"]) if start else 500  # type: ignore[call-overload]
    raw_headers = list(start["headers"]) if start else []  # type: ignore[call-overload]
    payload = b"".join(
        bytes(m.get("body", b""))
        for m in messages  # type: ignore[arg-type]
        if m["type"] == "http.response.body"
    )
    return Reply(status, raw_headers, payload, error)


def _good_query(marker: int) -> bytes:
    return urlencode(
        {"idsite": "1", "rec": "1", "send_image": "0", "url": f"https://example.com/ok/{marker}"}
    ).encode()


GOOD_HEADERS = [(b"user-agent", CHROME.encode()), (b"accept-language", b"en-GB,en;q=0.9")]


async def check(
    app: Starlette,
    db: sqlite3.Connection,
    method: str,
    query: bytes = b"",
    headers: Sequence[tuple[bytes, bytes]] = (),
    body: bytes = b"",
) -> Reply:
    """Send the fuzzed request with a valid beacon alongside; both must be answered well."""
    marker = next(MARKERS)
    fuzzed, good = await asyncio.gather(
        call(app, method, query, headers, body), call(app, "GET", _good_query(marker), GOOD_HEADERS)
    )
    if not (200 <= fuzzed.status < 300 or 400 <= fuzzed.status < 500):
        raise AssertionError(
            f"{method} ?{query[:300]!r} → {fuzzed.status} {fuzzed.body[:200]!r}"
        ) from fuzzed.error
    assert fuzzed.error is None, repr(fuzzed.error)
    if good.status != 204 or good.header(b"x-collector-dropped") is not None:
        raise AssertionError(
            f"a valid beacon sent alongside got {good.status} {good.header(b'x-collector-dropped')!r}"
        ) from good.error
    stored = db.execute("SELECT count(*) FROM events WHERE path = ?", (f"/ok/{marker}",)).fetchone()[0]
    assert stored == 1, "an acknowledged beacon sent alongside is not in the events table"
    return fuzzed


# -- strategies ----------------------------------------------------------------------------------
NAMES = [
    "idsite",
    "rec",
    "url",
    "urlref",
    "action_name",
    "uid",
    "cid",
    "_id",
    "cip",
    "cdt",
    "cs",
    "e_c",
    "e_a",
    "e_n",
    "e_v",
    "ca",
    "ping",
    "idgoal",
    "revenue",
    "ec_st",
    "res",
    "lang",
    "ua",
    "link",
    "download",
    "search",
    "search_cat",
    "search_count",
    "bots",
    "send_image",
    "country",
    "region",
    "city",
    "lat",
    "long",
    "new_visit",
    "token_auth",
    "c_n",
    "c_p",
    "c_i",
    "pv_id",
    "_rcn",
    "_rck",
    "dimension1",
    "cvar",
    "uadata",
    "h",
    "m",
    "s",
]
cdt_values = st.one_of(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]),
    ).map(lambda d: d.isoformat()),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-(2**64), 2**64).map(str),
    st.just(str(NOON - 7200)),
    st.just(str(int(NOON * 1000 - 5000))),
)
values = st.one_of(
    st.text(max_size=30),
    st.lists(st.sampled_from(PIECES), max_size=6).map("".join),
    st.sampled_from(
        [
            "1",
            "0",
            "-1",
            "2",
            "1e309",
            "-1e309",
            "nan",
            "inf",
            "undefined",
            "null",
            "b'x'",
            "9" * 30,
            "0x10",
            "1_000",
            " 1 ",
            "１",
            "²",
            "https://example.com/",
            "//example.com/x",
            "https://[::1]/",
            "https://example.com:99999/",
            "http://[bad/",
            "mailto:a@b.c",
            "203.0.113.7",
            "2001:db8::1",
            "::ffff:10.0.0.1",
            "1920x1080",
            "0x0",
            "-5x-5",
            "1e9x1",
            "en-US,en;q=0.9",
            '{"brands":[]}',
            "{'1':['a','b']}",
            "a" * 300,
            TOKEN,
        ]
    ),
    st.sampled_from(CHARSETS),
    cdt_values,
)
params = st.dictionaries(st.sampled_from(NAMES), values, max_size=10)


def _with_token(text: str, token: str) -> str:
    return text.replace(TOKEN, token)


def _base(p: dict[str, str]) -> dict[str, str]:
    """Most fuzzed requests should reach the pipeline: a known site, rec=1."""
    return {"idsite": "1", "rec": "1", **p}


# -- the properties --------------------------------------------------------------------------------
@FUZZ
@given(
    query=st.binary(max_size=300) | nasty_queries.map(str.encode),
    method=st.sampled_from(["GET", "GET", "POST", "HEAD", "OPTIONS"]),
)
@example(query=b"idsite=1&rec=1&cs=undefined&action_name=%FF", method="GET")
@example(query=b"idsite=1&rec=1&cs=unicode_escape&action_name=%5Cud800%FF", method="GET")
async def test_any_query_string(
    app: Starlette, db: sqlite3.Connection, site: Site, query: bytes, method: str
) -> None:
    await check(app, db, method, query, GOOD_HEADERS)


@FUZZ
@given(p=params, how=st.sampled_from(["query", "form", "split"]), base=st.booleans())
@example(p={"cdt": "0001-01-01T00:00:00+14:00", "token_auth": TOKEN}, how="query", base=True)
@example(p={"cs": "idna", "url": "https://example.com/caf%E9"}, how="form", base=True)
async def test_any_parameters(
    app: Starlette,
    db: sqlite3.Connection,
    site: Site,
    admin_token: str,
    p: dict[str, str],
    how: str,
    base: bool,
) -> None:
    """Protocol names with hostile values, in the query string, a form body, or both."""
    pairs = {k: _with_token(v, admin_token) for k, v in (_base(p) if base else p).items()}
    encoded = [f"{quote(k, safe='')}={quote(v, safe='%')}" for k, v in pairs.items()]
    if how == "query":
        await check(app, db, "GET", "&".join(encoded).encode(), GOOD_HEADERS)
    elif how == "form":
        form = (b"content-type", b"application/x-www-form-urlencoded")
        await check(app, db, "POST", b"", [*GOOD_HEADERS, form], "&".join(encoded).encode())
    else:
        half = len(encoded) // 2
        await check(
            app,
            db,
            "POST",
            "&".join(encoded[:half]).encode(),
            GOOD_HEADERS,
            "&".join(encoded[half:]).encode(),
        )


@FUZZ
@given(
    body=st.binary(max_size=400)
    | nasty_queries.map(str.encode)
    | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    content_type=st.sampled_from(
        [
            b"application/x-www-form-urlencoded",
            b"application/json",
            b"text/plain",
            b"multipart/form-data; boundary=x",
            b"",
            b"\xff",
        ]
    ),
    query=st.sampled_from([b"", b"idsite=1&rec=1", b"idsite=1", b"send_image=0"]),
)
async def test_any_form_body(
    app: Starlette, db: sqlite3.Connection, site: Site, body: bytes, content_type: bytes, query: bytes
) -> None:
    await check(app, db, "POST", query, [*GOOD_HEADERS, (b"content-type", content_type)], body)


json_scalar = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | values
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)
bulk_item = st.one_of(
    params.map(lambda p: "?" + urlencode(_base(p))),
    params.map(lambda p: "/matomo.php?" + urlencode(_base(p))),
    nasty_queries,
    st.dictionaries(st.sampled_from(NAMES), json_value, max_size=8).map(
        lambda d: {"idsite": 1, "rec": 1, **d}
    ),
    st.dictionaries(st.sampled_from(NAMES), json_value, max_size=8),
    json_value,
)


@FUZZ
@given(
    items=st.lists(bulk_item, max_size=25),
    top=st.fixed_dictionaries(
        {},
        optional={
            "token_auth": st.sampled_from([TOKEN, "nope", ""]) | json_value,
            "send_image": st.sampled_from([0, 1, "0", "1"]) | json_value,
        },
    ),
    content_type=st.sampled_from([b"application/json", b"application/x-www-form-urlencoded; charset=UTF-8"]),
)
@example(
    items=["?idsite=1&rec=1&action_name=%FF&cs=undefined", {"idsite": 1, "rec": 1}],
    top={},
    content_type=b"application/json",
)
async def test_any_bulk_body(
    app: Starlette,
    db: sqlite3.Connection,
    site: Site,
    admin_token: str,
    items: list[object],
    top: dict[str, object],
    content_type: bytes,
) -> None:
    body = _with_token(orjson.dumps({**top, "requests": items}).decode(), admin_token).encode()
    reply = await check(app, db, "POST", b"", [*GOOD_HEADERS, (b"content-type", content_type)], body)
    if reply.status == 200 and len(items) <= 20:
        result = orjson.loads(reply.body)
        assert result["status"] == "success"
        assert result["tracked"] + result["invalid"] == len(items)


addresses = st.one_of(
    st.ip_addresses().map(str),
    st.ip_addresses(v=6).map(lambda a: f"[{a}]:443"),
    st.ip_addresses(v=4).map(lambda a: f"{a}:8080"),
    st.ip_addresses(v=4).map(lambda a: f"::ffff:{a}"),
    st.sampled_from(
        [
            "unknown",
            "",
            " ",
            "_hidden",
            "fe80::1%eth0",
            "[::1",
            "1.2.3",
            "1.2.3.4.5",
            "::ffff:",
            "10.0.0.1",
            "203.0.113.9",
            "2001:db8:ffff::1",
            "0.0.0.0",
            "255.255.255.255",
        ]
    ),
    st.text(max_size=12),
)
xff = st.lists(addresses, max_size=6).map(", ".join).map(lambda t: t.encode("utf-8", "surrogatepass"))
header_bytes = st.binary(max_size=120).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
header_value = header_bytes | st.sampled_from(
    [
        b"1",
        b"0",
        b"1 ",
        b"yes",
        b"",
        b"undefined",
        CHROME.encode(),
        b"Googlebot/2.1",
        b"preview",
        b"prefetch",
        b"en-US,en;q=0.9",
    ]
)


@FUZZ
@given(
    ua=header_value,
    dnt=header_value,
    forwarded=xff | header_bytes,
    lang=header_value,
    extra=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    b"referer",
                    b"sec-gpc",
                    b"x-do-not-track",
                    b"x-purpose",
                    b"sec-purpose",
                    b"x-moz",
                    b"origin",
                    b"x-forwarded-for",
                    b"cookie",
                    b"user-agent",
                ]
            ),
            header_value,
        ),
        max_size=4,
    ),
    method=st.sampled_from(["GET", "POST"]),
)
async def test_any_header_values(
    app: Starlette,
    db: sqlite3.Connection,
    site: Site,
    ua: bytes,
    dnt: bytes,
    forwarded: bytes,
    lang: bytes,
    extra: list[tuple[bytes, bytes]],
    method: str,
) -> None:
    headers = [
        (b"user-agent", ua),
        (b"dnt", dnt),
        (b"x-forwarded-for", forwarded),
        (b"accept-language", lang),
        *extra,
    ]
    query = b"idsite=1&rec=1&send_image=0&url=https%3A%2F%2Fexample.com%2Fh"
    await check(app, db, method, query, headers)


async def test_the_raw_asgi_helper_reaches_the_database(
    app: Starlette, db: sqlite3.Connection, site: Site
) -> None:
    """A control for the helper: the raw ASGI call reaches the pipeline and the database."""
    reply = await check(app, db, "GET", _good_query(10_000_000), GOOD_HEADERS)
    assert reply.status == 204
    assert db.execute("SELECT count(*) FROM events WHERE path LIKE '/ok/%'").fetchone()[0] == 2
    bad = await call(app, "GET", b"idsite=abc&rec=1", GOOD_HEADERS)
    assert bad.status == 400


async def test_one_unstorable_beacon_does_not_fail_the_beacons_committed_with_it(
    app: Starlette, db: sqlite3.Connection, site: Site
) -> None:
    """Found by fuzzing: a page charset whose decoder yields lone surrogates (``cs=unicode_escape``
    and ``%5Cud800``) gives a title SQLite cannot encode. One such beacon must not turn the
    other beacons of its group commit into 5xx (or lose them)."""
    poison = (
        b"idsite=1&rec=1&send_image=0&cs=unicode_escape&action_name=%5Cud800%FF"
        b"&url=https%3A%2F%2Fexample.com%2F"
    )
    first = 20_000_000
    warm = await call(app, "GET", _good_query(first + 9), GOOD_HEADERS)  # site and salt cached: one batch
    assert warm.status == 204
    good = [call(app, "GET", _good_query(first + n), GOOD_HEADERS) for n in range(9)]
    replies = await asyncio.gather(call(app, "GET", poison, GOOD_HEADERS), *good)
    assert [r.status for r in replies[1:]] == [204] * 9, "beacons committed with it got a 5xx"
    stored = db.execute("SELECT count(*) FROM events WHERE path LIKE '/ok/2000000_'").fetchone()[0]
    assert stored == 10
    assert replies[0].status < 500, "the unstorable beacon itself got a 5xx"
