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
import sqlite3
from pathlib import Path
from urllib.parse import quote, urlencode

import orjson
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from starlette.applications import Starlette

from collector.model import Site
from collector.settings import Settings
from tests.conftest import CHROME
from tests.fuzz.endpoint_harness import (
    FUZZ,
    GOOD_HEADERS,
    NAMES,
    TOKEN,
    base_of,
    call,
    check,
    good_query,
    params,
    values,
    with_token,
)
from tests.fuzz.test_fuzz_params import nasty_queries


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
    pairs = {k: with_token(v, admin_token) for k, v in (base_of(p) if base else p).items()}
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
    params.map(lambda p: "?" + urlencode(base_of(p))),
    params.map(lambda p: "/matomo.php?" + urlencode(base_of(p))),
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
    body = with_token(orjson.dumps({**top, "requests": items}).decode(), admin_token).encode()
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
    reply = await check(app, db, "GET", good_query(10_000_000), GOOD_HEADERS)
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
    warm = await call(app, "GET", good_query(first + 9), GOOD_HEADERS)  # site and salt cached: one batch
    assert warm.status == 204
    good = [call(app, "GET", good_query(first + n), GOOD_HEADERS) for n in range(9)]
    replies = await asyncio.gather(call(app, "GET", poison, GOOD_HEADERS), *good)
    assert [r.status for r in replies[1:]] == [204] * 9, "beacons committed with it got a 5xx"
    stored = db.execute("SELECT count(*) FROM events WHERE path LIKE '/ok/2000000_'").fetchone()[0]
    assert stored == 10
    assert replies[0].status < 500, "the unstorable beacon itself got a 5xx"
