"""``/index.php`` dispatch: the module may come in the query or, for POST, in the body;
anything else is a plain 400, never a 5xx."""

from __future__ import annotations

import httpx
import orjson
import pytest

from collector.model import Site

pytestmark = pytest.mark.both_backends  # the same numbers on SQLite and PostgreSQL


async def test_a_post_with_everything_in_the_body_reaches_the_reporting_api(
    client: httpx.AsyncClient, site: Site, admin_token: str
) -> None:
    body = f"module=API&method=API.getMatomoVersion&idSite={site.id}&format=JSON&token_auth={admin_token}"
    reply = await client.post(
        "/index.php", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert reply.status_code == 200, reply.text
    assert orjson.loads(reply.content) == {"value": "5.0.0"}


async def test_unknown_modules_get_a_plain_400(client: httpx.AsyncClient) -> None:
    for reply in (
        await client.get("/index.php"),
        await client.get("/index.php?module=Login"),
        await client.post(
            "/index.php",
            content=b"\xff\xfe module=%zz",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
    ):
        assert reply.status_code == 400
        assert "module=API" in reply.text
