from __future__ import annotations

import sqlite3

import httpx

from collector.model import Site
from tests.conftest import BROWSER_HEADERS, rows


async def test_a_page_view_is_stored(client: httpx.AsyncClient, site: Site, db: sqlite3.Connection) -> None:
    reply = await client.get(
        "/matomo.php",
        params={
            "idsite": site.id,
            "rec": 1,
            "url": "https://example.com/pricing?plan=pro",
            "action_name": "Pricing",
        },
        headers=BROWSER_HEADERS,
    )
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "image/gif"
    stored = rows(db, "SELECT kind, path, title, browser, language FROM events")
    assert stored == [
        {"kind": "pageview", "path": "/pricing", "title": "Pricing", "browser": "Chrome", "language": "en"}
    ]
