"""Serving the tracker: the URLs, gzip, strong ETags, 304s, caching, content type, no cookie."""

from __future__ import annotations

import gzip

import httpx
import pytest

from collector.web import tracker

MOVING = ["/matomo.js", "/piwik.js", "/js/collector.js"]


@pytest.mark.parametrize("path", MOVING)
async def test_the_moving_urls_serve_the_current_build(client: httpx.AsyncClient, path: str) -> None:
    reply = await client.get(path, headers={"Accept-Encoding": "identity"})
    assert reply.status_code == 200
    assert reply.content == tracker.read_static(tracker.CURRENT)
    assert reply.headers["content-type"] == "text/javascript; charset=utf-8"
    assert reply.headers["cache-control"] == "public, max-age=3600"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert "content-encoding" not in reply.headers
    assert "set-cookie" not in reply.headers


async def test_the_versioned_url_is_immutable(client: httpx.AsyncClient) -> None:
    reply = await client.get("/js/collector.v1.js", headers={"Accept-Encoding": "identity"})
    assert reply.status_code == 200
    assert reply.content == tracker.read_static(tracker.V1)
    assert reply.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_gzip_when_accepted(client: httpx.AsyncClient) -> None:
    raw = await client.get("/matomo.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.headers["vary"] == "Accept-Encoding"
    assert raw.content == tracker.read_static(tracker.CURRENT)  # httpx decoded it
    assert int(raw.headers["content-length"]) == len(gzip.compress(raw.content, 9, mtime=0))


@pytest.mark.parametrize(
    "header, expected",
    [
        ("gzip", True),
        ("GZIP;q=0.5", True),
        ("br, gzip;q=1.0", True),
        ("*", True),
        ("x-gzip", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
        ("deflate, br", False),
        ("gzip;q=x", False),
    ],
)
def test_accept_encoding(header: str, expected: bool) -> None:
    assert tracker.accepts_gzip(header) is expected


async def test_strong_etags_differ_per_encoding_and_answer_304(client: httpx.AsyncClient) -> None:
    plain = await client.get("/matomo.js", headers={"Accept-Encoding": "identity"})
    packed = await client.get("/matomo.js", headers={"Accept-Encoding": "gzip"})
    for reply in (plain, packed):
        assert reply.headers["etag"].startswith('"') and not reply.headers["etag"].startswith("W/")
    assert plain.headers["etag"] != packed.headers["etag"]
    again = await client.get(
        "/matomo.js", headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == packed.headers["etag"]
    assert again.headers["cache-control"] == "public, max-age=3600"
    weak = await client.get(
        "/matomo.js",
        headers={"Accept-Encoding": "identity", "If-None-Match": f'"x", W/{plain.headers["etag"]}'},
    )
    assert weak.status_code == 304
    other = await client.get(
        "/matomo.js", headers={"Accept-Encoding": "identity", "If-None-Match": packed.headers["etag"]}
    )
    assert other.status_code == 200  # the gzip variant's tag does not validate the plain one


async def test_the_same_bytes_have_the_same_etag_on_every_url(client: httpx.AsyncClient) -> None:
    tags = {(await client.get(path)).headers["etag"] for path in MOVING}
    assert len(tags) == 1


async def test_head_has_the_headers_and_no_body(client: httpx.AsyncClient) -> None:
    reply = await client.head("/js/collector.js", headers={"Accept-Encoding": "identity"})
    assert reply.status_code == 200
    assert reply.content == b""
    assert int(reply.headers["content-length"]) == len(tracker.read_static(tracker.CURRENT))
    assert reply.headers["etag"]


async def test_other_methods_are_refused(client: httpx.AsyncClient) -> None:
    assert (await client.post("/matomo.js")).status_code == 405


def test_etag_matching() -> None:
    assert tracker.etag_matches("*", '"a"')
    assert tracker.etag_matches('"b", "a"', '"a"')
    assert tracker.etag_matches('W/"a"', '"a"')
    assert not tracker.etag_matches('"ab"', '"a"')
    assert not tracker.etag_matches("", '"a"')


def test_the_gzip_body_is_deterministic() -> None:
    body = b"console.log(1)\n" * 10
    first = tracker.make_asset(body, tracker.MOVING_CACHE)
    assert first == tracker.make_asset(body, tracker.MOVING_CACHE)
    assert gzip.decompress(first.gzipped.body) == body
