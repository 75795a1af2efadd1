"""The line parsers, one per format, autodetection, the default filter, and fuzzing:
no line of any text makes a parser raise (unparseable is an outcome, counted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from collector.logimport.filters import Choice, classify, extension
from collector.logimport.formats import FORMATS, W3CParser, detect
from collector.logimport.records import LogRecord, clf_time

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
COMBINED = (
    '203.0.113.7 - - [30/Nov/2026:13:55:36 +0100] "GET /pricing?utm_source=x HTTP/1.1" 200 2326 '
    f'"https://www.google.com/" "{FIREFOX}"'
)
COMMON = '203.0.113.7 - frank [30/Nov/2026:13:55:36 -0700] "GET /a.css HTTP/1.0" 304 -'
VHOST = f'Example.com:443 203.0.113.7 - - [30/Nov/2026:13:55:36 +0100] "GET / HTTP/2.0" 200 5 "-" "{FIREFOX}"'
VHOST_COMMON = 'example.com 203.0.113.7 - - [30/Nov/2026:13:55:36 +0000] "GET /x HTTP/1.1" 200 5'
NGINX = (
    '{"time_iso8601":"2026-11-30T13:55:36+01:00","remote_addr":"203.0.113.7","request":"GET /x?a=1 HTTP/2.0",'
    f'"status":"404","http_referer":"","http_user_agent":"{FIREFOX}","host":"Example.com"}}'
)
NGINX_MATOMO = (
    '{"ip":"2001:db8::1","host":"example.com","path":"/blog/","status":"200","referrer":"https://duck.com/",'
    '"user_agent":"Mozilla/5.0","length":12,"generation_time_milli":0.01,"date":"2026-11-30T12:55:36+00:00"}'
)
CADDY = (
    '{"level":"info","ts":1796046936.52,"logger":"http.log.access","msg":"handled request",'
    '"request":{"remote_ip":"203.0.113.9","remote_port":"41342","client_ip":"203.0.113.9","proto":"HTTP/1.1",'
    '"method":"GET","host":"example.com","uri":"/blog?x=1","headers":{"User-Agent":["Mozilla/5.0"],'
    '"Referer":["https://duck.com/"]}},"bytes_read":0,"duration":0.001,"size":10,"status":200}'
)
W3C_HEAD = [
    "#Version: 1.0",
    "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
    "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol "
    "cs-bytes time-taken",
]
CLOUDFRONT = "\t".join(
    [
        "2026-11-30", "12:55:36", "FRA56-C1", "2326", "2001:db8:1234:5678::1", "GET",
        "d111.cloudfront.net", "/docs/", "200", "https://www.bing.com/",
        "Mozilla/5.0%20(Windows%20NT%2010.0)", "utm_campaign=x", "-", "Hit", "abc==", "example.com", "https",
        "123", "0.001",
    ]
)  # fmt: skip
CET = timezone(timedelta(hours=1))


def test_combined() -> None:
    record = FORMATS["combined"]().parse(COMBINED)
    assert record == LogRecord.at(
        datetime(2026, 11, 30, 13, 55, 36, tzinfo=CET),
        "203.0.113.7",
        "GET",
        "/pricing?utm_source=x",
        200,
        "https://www.google.com/",
        FIREFOX,
        None,
    )


def test_common_keeps_the_offset() -> None:
    record = FORMATS["common"]().parse(COMMON)
    assert record is not None and record.status == 304 and record.referrer is None and record.user_agent == ""
    assert record.time.utcoffset() == timedelta(hours=-7)


def test_vhost_formats_give_the_host() -> None:
    vhost = FORMATS["vhost-combined"]().parse(VHOST)
    assert vhost is not None and vhost.host == "example.com" and vhost.user_agent == FIREFOX
    assert vhost.referrer is None
    common = FORMATS["vhost-common"]().parse(VHOST_COMMON)
    assert common is not None and common.host == "example.com" and common.target == "/x"


def test_escaped_quotes_and_absolute_targets() -> None:
    line = (
        '1.2.3.4 - - [30/Nov/2026:13:55:36 +0000] "GET http://example.com/a?b HTTP/1.1" 200 1 '
        '"-" "A \\"quoted\\" UA"'
    )
    record = FORMATS["combined"]().parse(line)
    assert record is not None and record.target == "/a?b" and record.user_agent == 'A "quoted" UA'


def test_nginx_json_both_key_sets() -> None:
    record = FORMATS["nginx-json"]().parse(NGINX)
    assert (
        record is not None
        and record.status == 404
        and record.target == "/x?a=1"
        and record.host == "example.com"
    )
    assert record.referrer is None and record.time == datetime(2026, 11, 30, 12, 55, 36, tzinfo=UTC)
    matomo = FORMATS["nginx-json"]().parse(NGINX_MATOMO)
    assert matomo is not None and matomo.client == "2001:db8::1" and matomo.target == "/blog/"
    assert matomo.referrer == "https://duck.com/" and matomo.method == "GET"


def test_caddy_json() -> None:
    record = FORMATS["caddy-json"]().parse(CADDY)
    assert record is not None and record.client == "203.0.113.9" and record.host == "example.com"
    assert record.user_agent == "Mozilla/5.0" and record.referrer == "https://duck.com/"
    assert record.time == datetime.fromtimestamp(1796046936.52, UTC)
    assert FORMATS["nginx-json"]().parse(CADDY) is None  # told apart by its request object


def test_cloudfront_w3c() -> None:
    parser = W3CParser()
    assert all(parser.meta(line) for line in W3C_HEAD)
    record = parser.parse(CLOUDFRONT)
    assert record is not None and record.client == "2001:db8:1234:5678::1"
    assert record.target == "/docs/?utm_campaign=x" and record.host == "example.com"
    assert record.user_agent == "Mozilla/5.0 (Windows NT 10.0)" and record.referrer == "https://www.bing.com/"
    assert record.time == datetime(2026, 11, 30, 12, 55, 36, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lines", "name"),
    [
        ([COMBINED] * 4 + [COMMON], "combined"),
        ([COMMON], "common"),
        ([VHOST], "vhost-combined"),
        ([VHOST_COMMON], "vhost-common"),
        ([NGINX, NGINX_MATOMO], "nginx-json"),
        ([CADDY], "caddy-json"),
        ([*W3C_HEAD, CLOUDFRONT], "cloudfront"),
    ],
)
def test_detection(lines: list[str], name: str) -> None:
    parser = detect(lines)
    assert parser is not None and parser.name == name


def test_a_target_that_is_no_path_is_unparseable() -> None:
    for target in ("*", "foo", "example.com/x"):
        line = COMBINED.replace("/pricing?utm_source=x", target)
        assert FORMATS["combined"]().parse(line) is None, target
    assert (
        FORMATS["combined"]().parse(COMBINED.replace("/pricing", "https://example.com/pricing")) is not None
    )


def test_nothing_detected_in_noise() -> None:
    assert detect(["hello", "\x00\x01binary", ""]) is None


def _record(target: str, status: int = 200, method: str = "GET") -> LogRecord:
    return LogRecord.at(datetime(2026, 11, 30, tzinfo=UTC), "1.2.3.4", method, target, status, None, "UA")


@pytest.mark.parametrize(
    ("target", "status", "method", "choice", "expected"),
    [
        ("/", 200, "GET", Choice(), (None, False)),
        ("/a.CSS?v=1", 200, "GET", Choice(), ("static", False)),
        ("/robots.txt", 200, "GET", Choice(), ("static", False)),
        ("/fonts/x.woff2", 304, "GET", Choice(), ("static", False)),
        ("/a.css", 200, "GET", Choice(static=True), (None, True)),
        ("/guide.pdf", 200, "GET", Choice(), ("download", False)),
        ("/guide.pdf", 200, "GET", Choice(downloads=True), (None, True)),
        ("/x", 404, "GET", Choice(), ("status", False)),
        ("/x", 500, "GET", Choice(errors=True), (None, False)),
        ("/x", 301, "GET", Choice(), ("status", False)),
        ("/x", 302, "GET", Choice(redirects=True), (None, False)),
        ("/x", 304, "GET", Choice(), (None, False)),
        ("/x", 200, "HEAD", Choice(), ("method", False)),
        ("/form", 200, "POST", Choice(), (None, False)),
        ("/v1.2/page", 200, "GET", Choice(), (None, False)),
    ],
)
def test_the_default_filter(
    target: str, status: int, method: str, choice: Choice, expected: tuple[str | None, bool]
) -> None:
    assert classify(_record(target, status, method), choice) == expected


def test_extension_ignores_query_and_dirs() -> None:
    assert extension("/a.b/c?x=.css") == ("c", "")
    assert extension("/.htaccess") == (".htaccess", "")


FUZZ = fuzz_settings(max_examples=400, deadline=None)
_PIECES = st.sampled_from(
    [COMBINED, COMMON, VHOST, NGINX, CADDY, CLOUDFRONT, *W3C_HEAD, "[", "]", '"', "\\", "{", "}", "\t",
     " ", ":", "-", "+0100", "30/Nov/2026:13:55:36 +0100", "null", "1e999", "[]",
     '"request":{}', "#Fields: date"]
)  # fmt: skip


def _lines() -> st.SearchStrategy[str]:
    mutated = st.tuples(_PIECES, st.integers(0, 400), st.text(max_size=8)).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
    )
    return st.one_of(st.text(max_size=300), mutated, st.lists(_PIECES, max_size=6).map("".join))


@FUZZ
@given(st.lists(_lines(), min_size=1, max_size=4))
def test_no_line_makes_a_parser_raise(lines: list[str]) -> None:
    for make in FORMATS.values():
        parser = make()
        for line in lines:
            if not parser.meta(line):
                record = parser.parse(line)
                assert record is None or (100 <= record.status <= 599 and record.time.tzinfo is not None)
    detect(lines)


@FUZZ
@given(
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9998, 12, 30)),
    st.integers(-12 * 4, 14 * 4).map(lambda quarters: quarters * 15),
)
def test_the_clf_time_arithmetic_agrees_with_datetime(moment: datetime, minutes: int) -> None:
    aware = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=minutes)))
    assert clf_time(aware.strftime("%d/%b/%Y:%H:%M:%S %z")) == aware
