"""CORS on the tracking endpoint. Tracking POSTs used to echo any Origin with
``Access-Control-Allow-Credentials: true``, which let any page send the visitor's cookies
along and read the reply. Now only a page of the tracked site itself gets credentials
allowed (matomo.js sends its XHR with credentials and, refused, sends the beacon again as an
image: counted twice); every other origin gets ``*`` and no credentials."""

from __future__ import annotations

import httpx
import pytest

from collector.model import Site
from tests.conftest import BROWSER_HEADERS

ORIGIN = {"Origin": "https://evil.example"}


def _assert_no_credentials(reply: httpx.Response) -> None:
    assert reply.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in reply.headers
    assert "vary" not in reply.headers


@pytest.mark.parametrize("send_image", ["1", "0"])
async def test_no_tracking_reply_allows_credentials(
    client: httpx.AsyncClient, site: Site, send_image: str
) -> None:
    page = {"idsite": str(site.id), "rec": "1", "url": "https://example.com/", "send_image": send_image}
    headers = {**BROWSER_HEADERS, **ORIGIN, "Cookie": "_pk_id.1.1fff=0123456789abcdef"}
    replies = [
        await client.post("/matomo.php", data=page, headers=headers),  # a form body
        await client.post("/matomo.php", params=page, content=b"", headers=headers),  # sendBeacon's shape
        await client.post("/matomo.php", params={**page, "uid": "u-1"}, headers=headers),
        await client.post("/matomo.php", data=page, headers={**headers, "DNT": "1"}),  # dropped
        await client.post(
            "/matomo.php",
            json={"requests": [f"?idsite={site.id}&rec=1&url=https://example.com/b"]},
            headers=headers,
        ),
        await client.post("/matomo.php", data={"idsite": "999", "rec": "1"}, headers=headers),  # 400
        await client.post("/matomo.php", headers=headers),  # no parameters: what the endpoint is
        await client.get("/matomo.php", params=page, headers=headers),
        await client.options("/matomo.php", headers={**ORIGIN, "Access-Control-Request-Method": "POST"}),
    ]
    assert [r.status_code for r in replies] == [
        200 if send_image == "1" else 204,
        200 if send_image == "1" else 204,
        200 if send_image == "1" else 204,
        200 if send_image == "1" else 204,
        200,
        400,
        200,
        200 if send_image == "1" else 204,
        204,
    ]
    for reply in replies:
        _assert_no_credentials(reply)


OWN = {"Origin": "https://www.example.com"}  # the site fixture's domain is example.com


def _assert_credentials_for(reply: httpx.Response, origin: str) -> None:
    assert reply.headers["access-control-allow-origin"] == origin
    assert reply.headers["access-control-allow-credentials"] == "true"
    assert reply.headers["vary"] == "Origin"


async def test_a_page_of_the_site_gets_credentials_as_matomo_js_xhr_needs(
    client: httpx.AsyncClient, site: Site
) -> None:
    page = {"idsite": str(site.id), "rec": "1", "url": "https://www.example.com/", "send_image": "0"}
    headers = {**BROWSER_HEADERS, **OWN}
    form = await client.post("/matomo.php", data=page, headers=headers)
    assert form.status_code == 204
    _assert_credentials_for(form, OWN["Origin"])
    bulk = await client.post(
        "/matomo.php",
        json={"requests": [f"?idsite={site.id}&rec=1&url=https://example.com/b"]},
        headers=headers,
    )
    assert bulk.status_code == 200
    _assert_credentials_for(bulk, OWN["Origin"])
    # a look-alike host, another site's id, or a page elsewhere: no credentials
    for origin, site_id in (("https://example.com.evil.example", site.id), ("https://www.example.com", 999)):
        other = await client.post(
            "/matomo.php", data={**page, "idsite": str(site_id)}, headers={**headers, "Origin": origin}
        )
        _assert_no_credentials(other)
