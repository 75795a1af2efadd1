"""Property tests of the parameter parser (collector/ingest/params.py).

- ``parse_query`` never raises, whatever the text: invalid percent-escapes, bytes that are
  not UTF-8, any page charset ``cs``; and what it returns is always storable text (a
  ``str`` that encodes to UTF-8: SQLite refuses lone surrogates).
- On well-formed input it agrees with ``urllib.parse.parse_qsl(keep_blank_values=True)``
  on the first value of each key.
- ``parse_bulk`` raises nothing but ``BadRequest``, on any bytes and on any JSON.
"""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qsl, quote, quote_plus

import orjson
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from collector.ingest.params import MAX_NAME, MAX_VALUE, BadRequest, parse_bulk, parse_query

FUZZ = settings(
    max_examples=300, deadline=None, report_multiple_bugs=False, suppress_health_check=[HealthCheck.too_slow]
)

# Names the protocol uses, so the fuzzer reaches the code that reads them (``cs`` above all).
NAMES = [
    "idsite",
    "rec",
    "url",
    "urlref",
    "action_name",
    "uid",
    "cs",
    "e_c",
    "e_a",
    "e_n",
    "search",
    "token_auth",
    "cip",
    "cdt",
    "send_image",
    "?idsite",
    "",
    "a b",
    "%63s",
    "c%73",
]
# Charsets a page can name in ``cs``: web ones, Python aliases, codecs that are not text
# encodings at all, nonsense.
CHARSETS = [
    "utf-8",
    "UTF-8",
    "windows-1252",
    "iso-8859-1",
    "koi8-r",
    "shift_jis",
    "euc-jp",
    "gb18030",
    "big5",
    "utf-16",
    "utf-16le",
    "utf-32",
    "utf-7",
    "latin-1",
    "ascii",
    "cp437",
    "mac-roman",
    "undefined",
    "idna",
    "punycode",
    "base64",
    "hex",
    "rot13",
    "zlib",
    "bz2",
    "uu",
    "quopri",
    "unicode_escape",
    "raw_unicode_escape",
    "mbcs",
    "x-user-defined",
    "no-such-charset",
    "",
    "utf%2D8",
    "%FF",
    "a\x00b",
    " utf-8 ",
    "undefined%00",
]
# Pieces of values: escapes valid and not, bytes that are not UTF-8, escape-decoder bait.
PIECES = [
    "%",
    "%%",
    "%2",
    "%zz",
    "%G0",
    "%41",
    "%e9",
    "%C3%A9",
    "%C3%28",
    "%FF",
    "%FE%FF",
    "%80",
    "%ED%A0%80",
    "%F0%9F%98%80",
    "%F4%90%80%80",
    "%00",
    "+",
    "%2B",
    "%26",
    "%3D",
    "\\",
    "\\x41",
    "%5C",
    "%5Cx41",
    "%5Cu00e9",
    "%5Cud800",
    "%5CU0001F600",
    "%5CN{DASH}",
    "+2AA-",
    "%2B2AA-",
    "\\u",
    "&",
    "=",
    "?",
    "é",
    "😀",
    "\x00",
    "\r\n",
    " ",
    "a",
    "1",
    "%u00e9",
    "%%41",
    "%4%41",
]

pieces = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=10).map("".join)
pairs = st.tuples(st.sampled_from(NAMES) | pieces, pieces | st.sampled_from(CHARSETS))
nasty_queries = st.builds(
    lambda items, charset, lead: (
        lead + "&".join(f"{k}={v}" for k, v in items) + (f"&cs={charset}" if charset is not None else "")
    ),
    st.lists(pairs, max_size=6),
    st.none() | st.sampled_from(CHARSETS),
    st.sampled_from(["", "?", "&", "??"]),
)


def _check(result: dict[str, str]) -> None:
    for key, value in result.items():
        assert isinstance(key, str) and isinstance(value, str)
        # what the parser returns ends up in SQLite: lone surrogates cannot be stored
        key.encode("utf-8")
        value.encode("utf-8")
        assert len(value) <= MAX_VALUE


@FUZZ
@given(st.text(max_size=300))
def test_parse_query_never_raises_on_any_text(text: str) -> None:
    _check(parse_query(text))


@FUZZ
@given(st.binary(max_size=300))
def test_parse_query_never_raises_on_any_bytes_as_the_endpoint_decodes_them(data: bytes) -> None:
    """The endpoint decodes a raw query string or body with ``utf-8``/``replace``."""
    _check(parse_query(data.decode("utf-8", "replace")))
    _check(parse_query(data.decode("latin-1")))


@FUZZ
@given(nasty_queries)
@example("idsite=1&rec=1&cs=undefined&action_name=%FF")
@example("idsite=1&rec=1&cs=idna&action_name=caf%E9")
@example("idsite=1&rec=1&cs=base64&action_name=%FF")
@example("idsite=1&rec=1&cs=unicode_escape&action_name=%5Cud800%FF")
@example("idsite=1&rec=1&cs=utf-7&action_name=%2B2AA-%FF")
def test_parse_query_never_raises_on_escapes_and_charsets(query: str) -> None:
    """Invalid percent-escapes, bytes that are not UTF-8, and every kind of ``cs``."""
    _check(parse_query(query))


@FUZZ
@given(st.text(max_size=200), st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3))
def test_parse_query_keeps_what_was_there_first(text: str, existing: dict[str, str]) -> None:
    """``into``: a name already present keeps its value (the query string wins over the body)."""
    into = dict(existing)
    result = parse_query(text, into=into)
    assert result is into
    for key, value in existing.items():
        assert result[key] == value


# -- agreement with the standard library on well-formed input -----------------------------
def _encode(text: str, how: str) -> str:
    if how == "quote":
        return quote(text, safe="")
    if how == "quote_plus":
        return quote_plus(text, safe="")
    # raw: only characters that need no escaping in a query component
    return quote(text, safe="!$'()*,-./:;@_~")


key_text = st.text(max_size=12)
value_text = st.text(max_size=30)
encoding = st.sampled_from(["quote", "quote_plus", "raw"])
well_formed_parts = st.lists(
    st.one_of(
        st.tuples(key_text, encoding, value_text, encoding).map(
            lambda t: f"{_encode(t[0], t[1])}={_encode(t[2], t[3])}"
        ),
        st.tuples(key_text, encoding).map(lambda t: _encode(t[0], t[1])),  # a bare name: blank value
        st.just(""),  # empty parts (a&&b) are skipped by both
    ),
    max_size=10,
)


@FUZZ
@given(well_formed_parts)
@example(["a=1", "a=2", "b", "c=%C3%A9", "d=x+y", "e=%2B", "", "=v", "f=a%3Db"])
@example(["%00=%00", "k%5Cx41=v%5C%5Cx41", "%5C=%5Cx", "q=%25%34%31"])
def test_parse_query_agrees_with_parse_qsl(parts: list[str]) -> None:
    query = "&".join(parts)
    expected: dict[str, str] = {}
    for raw_part in query.split("&"):
        name = raw_part.partition("=")[0]
        if len(name) > MAX_NAME:  # documented: longer names are ignored before decoding
            continue
        for key, value in parse_qsl(raw_part, keep_blank_values=True):
            expected.setdefault(key, value)
    assert parse_query(query) == expected
    assert parse_query("?" + query) == expected  # a leading "?" is tolerated


@FUZZ
@given(st.text(min_size=MAX_NAME + 1, max_size=MAX_NAME + 20).map(lambda t: quote(t, safe="")), value_text)
def test_parse_query_ignores_over_long_names(name: str, value: str) -> None:
    assert parse_query(f"{name}={quote(value)}&idsite=1") == {"idsite": "1"}


@settings(max_examples=20, deadline=None)
@given(st.integers(MAX_VALUE - 5, MAX_VALUE * 4), st.sampled_from(["a", "%41", "%C3%A9", "+"]))
def test_parse_query_cuts_long_values(length: int, unit: str) -> None:
    value = parse_query("v=" + unit * length)["v"]
    assert len(value) <= MAX_VALUE


# -- bulk ----------------------------------------------------------------------------------
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | nasty_queries
    | st.sampled_from(["?idsite=1&rec=1", "/matomo.php?idsite=1", "?"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(NAMES), inner, max_size=4)
    ),
    max_leaves=20,
)
bulk_items = st.lists(
    st.one_of(
        nasty_queries,
        st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=70), json_values, max_size=6),
        json_values,
    ),
    max_size=8,
)


def _dumps(doc: object) -> bytes:
    try:
        return orjson.dumps(doc)
    except TypeError:  # integers past 64 bits: write them by hand, as a client could
        import json

        return json.dumps(doc).encode()


def _check_bulk(body: bytes, max_items: int) -> None:
    with contextlib.suppress(BadRequest):
        items, top = parse_bulk(body, max_items)
        for item in items:
            if item is not None:
                _check(item)
        _check(top)


@FUZZ
@given(st.binary(max_size=400))
@example(b'{"requests": [')
@example(b'{"requests": null}')
@example(b'["requests"]')
@example(b'{"requests": ["a"], "token_auth": "\\ud800"}')
def test_parse_bulk_raises_only_bad_request_on_any_bytes(body: bytes) -> None:
    _check_bulk(body, 100)


@FUZZ
@given(
    bulk_items,
    st.dictionaries(st.sampled_from(["token_auth", "send_image", "x", "requests2"]), json_values, max_size=3),
    st.integers(0, 10),
)
@example(items=["?idsite=1&rec=1&action_name=%FF&cs=undefined"], top={}, max_items=10)
@example(items=[{"idsite": 1}, "?idsite=1&e_c=caf%E9&cs=idna"], top={"token_auth": "x"}, max_items=10)
def test_parse_bulk_raises_only_bad_request_on_any_json(
    items: list[object], top: dict[str, object], max_items: int
) -> None:
    body = _dumps({**top, "requests": items})
    try:
        parsed, _ = parse_bulk(body, max_items)
    except BadRequest:
        try:  # refused: too many items, or not JSON at all (NaN, infinity, huge integers)
            orjson.loads(body)
        except orjson.JSONDecodeError:
            return
        assert len(items) > max_items
        return
    assert len(parsed) == len(items)
    for item, params in zip(items, parsed, strict=True):
        assert (params is None) == (not isinstance(item, str | dict))
    _check_bulk(body, max_items)


@FUZZ
@given(json_values)
@example(["?idsite=1&rec=1&url=%FF&cs=base64"])
def test_parse_bulk_raises_only_bad_request_on_any_json_document(doc: object) -> None:
    _check_bulk(_dumps(doc), 100)
    _check_bulk(_dumps({"requests": doc}), 100)
