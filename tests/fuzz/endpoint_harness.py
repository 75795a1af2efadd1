"""The tracking endpoint's fuzzing harness: raw ASGI requests (any bytes in the query
string and header values), the check that a fuzzed request never gets a 5xx and that the
valid beacon sent beside it is stored, and the hypothesis strategies."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlencode

from hypothesis import HealthCheck
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from tests.conftest import CHROME, NOON
from tests.fuzz.test_fuzz_params import CHARSETS, PIECES

FUZZ = fuzz_settings(
    max_examples=200,
    deadline=None,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PEER = ("203.0.113.195", 54321)
TOKEN = "<admin token>"  # replaced by the real admin token inside a test
MARKERS = itertools.count()


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


def good_query(marker: int) -> bytes:
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
        call(app, method, query, headers, body), call(app, "GET", good_query(marker), GOOD_HEADERS)
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


def with_token(text: str, token: str) -> str:
    return text.replace(TOKEN, token)


def base_of(p: dict[str, str]) -> dict[str, str]:
    """Most fuzzed requests should reach the pipeline: a known site, rec=1."""
    return {"idsite": "1", "rec": "1", **p}
