"""Golden requests: what real Matomo clients put on the wire, each with the stored row."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx

from collector.model import Site
from tests.conftest import CHROME, NOON, rows

COLUMNS = (
    "kind, path, title, referrer_host, referrer_path, browser, browser_major, os, device, "
    "screen, language, event_category, event_action, event_name, event_value"
)


def _stored(db: sqlite3.Connection) -> list[dict[str, Any]]:
    return rows(db, f"SELECT {COLUMNS} FROM events ORDER BY id")


def _row(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {c.strip(): None for c in COLUMNS.split(",")}
    row.update(values)
    return row


async def test_node_client_get_without_user_agent(
    client: httpx.AsyncClient, site: Site, db: sqlite3.Connection
) -> None:
    reply = await client.get(
        f"/matomo.php?idsite={site.id}&rec=1&url=https%3A%2F%2Fexample.com%2Fnode&action_name=Node",
        headers={"User-Agent": ""},
    )
    assert reply.status_code == 200 and reply.content.startswith(b"GIF89a")
    assert _stored(db) == [_row(kind="pageview", path="/node", title="Node", device="other")]


async def test_node_client_bulk_as_json(
    client: httpx.AsyncClient, site: Site, db: sqlite3.Connection
) -> None:
    body = {
        "requests": [
            f"?idsite={site.id}&rec=1&url=https%3A%2F%2Fexample.com%2Fa",
            f"?idsite={site.id}&rec=1&url=https%3A%2F%2Fexample.com%2Fb",
        ]
    }
    reply = await client.post("/matomo.php", json=body, headers={"User-Agent": CHROME})
    assert reply.json() == {"status": "success", "tracked": 2, "invalid": 0, "invalid_indices": []}
    assert [r["path"] for r in _stored(db)] == ["/a", "/b"]


async def test_python_server_side_form_post(
    client: httpx.AsyncClient, site: Site, admin_token: str, db: sqlite3.Connection
) -> None:
    form = {
        "idsite": str(site.id),
        "rec": "1",
        "apiv": "1",
        "send_image": "0",
        "rand": "12345",
        "gt_ms": "120",
        "token_auth": admin_token,
        "cip": "198.51.100.20",
        "ua": f"b'{CHROME}'",
        "urlref": "b'https://www.google.com:443/search?q=x'",
        "url": "https://example.com:443/py?utm_source=py",
        "cdt": "2026-11-22T10:30:00",
        "_cvar": "{'1': ['name', 'value']}",
        "lang": "b'nb-NO'",
        "action_name": "Py",
    }
    reply = await client.post("/matomo.php", data=form)
    assert reply.status_code == 204
    assert _stored(db) == [
        _row(
            kind="pageview",
            path="/py?utm_source=py",
            title="Py",
            referrer_host="google.com",
            referrer_path="/search",
            browser="Chrome",
            browser_major="130",
            os="Windows",
            device="desktop",
            language="nb",
        )
    ]
    ts = rows(db, "SELECT ts_ms FROM events")[0]["ts_ms"]
    assert ts == int((NOON - 1.5 * 3600) * 1000)


async def test_python_json_bulk_with_token(
    client: httpx.AsyncClient, site: Site, admin_token: str, db: sqlite3.Connection
) -> None:
    body = {
        "token_auth": admin_token,
        "requests": [
            f"?idsite={site.id}&rec=1&url=https%3A%2F%2Fexample.com%2Fold&cdt={int(NOON - 3 * 86400)}"
            f"&cip=198.51.100.21&ua=Mozilla%2F5.0%20Firefox%2F132.0"
        ],
    }
    reply = await client.post("/matomo.php", json=body)
    assert reply.json()["tracked"] == 1
    assert rows(db, "SELECT day, path FROM events") == [{"day": "2026-11-19", "path": "/old"}]


async def test_react_native_undefined_values(
    client: httpx.AsyncClient, site: Site, db: sqlite3.Connection
) -> None:
    form = {
        "idsite": str(site.id),
        "rec": "1",
        "url": "https://example.com/rn",
        "e_c": "Tap",
        "e_a": "Open",
        "e_n": "undefined",
        "e_v": "undefined",
        "urlref": "undefined",
        "action_name": "undefined",
        "res": "undefined",
    }
    reply = await client.post(
        "/matomo.php", data=form, headers={"User-Agent": CHROME, "Accept-Language": "undefined"}
    )
    assert reply.status_code == 200
    assert _stored(db) == [
        _row(
            kind="event",
            path="/rn",
            browser="Chrome",
            browser_major="130",
            os="Windows",
            device="desktop",
            event_category="Tap",
            event_action="Open",
        )
    ]


async def test_browser_library_with_cookies_disabled(
    client: httpx.AsyncClient, site: Site, db: sqlite3.Connection
) -> None:
    query = (
        f"idsite={site.id}&rec=1&_id=&_idn=1&dimension1=gold&cs=windows-1252"
        "&uadata=%7B%22brands%22%3A%5B%5D%7D&ca=1&e_c=Video&e_a=Play&e_v=2.5"
        "&url=https%3A%2F%2Fexample.com%2Fv&action_name=Caf%C3%A9%20%E2%80%94%20menu"
    )
    reply = await client.get(
        "/matomo.php?" + query, headers={"User-Agent": CHROME, "Accept-Language": "de-DE,de;q=0.9"}
    )
    assert reply.status_code == 200
    assert _stored(db) == [
        _row(
            kind="event",
            path="/v",
            title="Café — menu",
            browser="Chrome",
            browser_major="130",
            os="Windows",
            device="desktop",
            language="de",
            event_category="Video",
            event_action="Play",
            event_value=2.5,
        )
    ]


async def test_matomo_js_send_beacon_shape_with_site_cookies(
    client: httpx.AsyncClient, site: Site, db: sqlite3.Connection
) -> None:
    query = (
        f"action_name=Home&idsite={site.id}&rec=1&r=123456&h=12&m=0&s=1&url=https%3A%2F%2Fexample.com%2F"
        "&_id=0123456789abcdef&_idn=0&send_image=0&pv_id=Ab12Cd&res=1920x1080&pf_net=10&pf_srv=20"
    )
    reply = await client.post(
        "/matomo.php?" + query,
        content=b"",
        headers={
            "User-Agent": CHROME,
            "Cookie": "_pk_id.1.1fff=0123456789abcdef.1700000000.; _pk_ses.1.1fff=1",
            "Origin": "https://example.com",
        },
    )
    assert reply.status_code == 204
    assert reply.headers["access-control-allow-origin"] == "https://example.com"
    assert reply.headers["access-control-allow-credentials"] == "true"
    assert "set-cookie" not in reply.headers
    assert _stored(db) == [
        _row(
            kind="pageview",
            path="/",
            title="Home",
            browser="Chrome",
            browser_major="130",
            os="Windows",
            device="desktop",
            screen="desktop",
        )
    ]


async def test_every_kind_is_its_own(client: httpx.AsyncClient, site: Site, db: sqlite3.Connection) -> None:
    base = f"/matomo.php?idsite={site.id}&rec=1&url=https%3A%2F%2Fexample.com%2Fk"
    for extra in (
        "",
        "&ping=1",
        "&e_c=A&e_a=B",
        "&link=https%3A%2F%2Fout.example%2Fx%3Fq%3D1",
        "&download=https%3A%2F%2Fexample.com%2Ff.pdf",
        "&search=shoes&search_count=4",
        "&idgoal=3&revenue=9.5",
        "&idgoal=0&ec_st=42",
        "&c_n=Banner&c_p=Spring",
    ):
        assert (await client.get(base + extra, headers={"User-Agent": CHROME})).status_code == 200
    stored = rows(
        db,
        "SELECT kind, target, search_query, search_count, goal_id, revenue, event_category, "
        "event_action, event_name FROM events ORDER BY id",
    )
    assert [r["kind"] for r in stored] == [
        "pageview",
        "ping",
        "event",
        "outlink",
        "download",
        "search",
        "goal",
        "goal",
        "content",
    ]
    assert stored[3]["target"] == "out.example/x" and stored[4]["target"] == "example.com/f.pdf"
    assert (stored[5]["search_query"], stored[5]["search_count"]) == ("shoes", 4)
    assert (stored[6]["goal_id"], stored[6]["revenue"]) == (3, 9.5)
    assert (stored[7]["goal_id"], stored[7]["revenue"]) == (0, 42.0)
    assert (stored[8]["event_category"], stored[8]["event_action"], stored[8]["event_name"]) == (
        "Banner",
        "impression",
        "Spring",
    )


async def test_invalid_requests_are_400_and_store_nothing(
    client: httpx.AsyncClient, site: Site, db: sqlite3.Connection
) -> None:
    base = "/matomo.php?rec=1&url=https%3A%2F%2Fexample.com%2F"
    for query in (
        "&idsite=999",
        "&idsite=abc",
        f"&idsite={site.id}&cid=xyz",
        f"&idsite={site.id}&cip=1.2.3.4",
        f"&idsite={site.id}&country=de",
        f"&idsite={site.id}&cdt={int(NOON - 3 * 86400)}",
        f"&idsite={site.id}&e_c=A",
    ):
        reply = await client.get(base + query)
        assert reply.status_code == 400, query
        assert reply.headers["content-type"].startswith("text/plain")
    assert (await client.post("/matomo.php", content=b"x" * 70000)).status_code == 400
    many = {"requests": [f"?idsite={site.id}&rec=1"] * 101}
    assert (await client.post("/matomo.php", json=many)).status_code == 400
    assert (await client.post("/matomo.php", content=b'{"requests": [')).status_code == 400
    mixed = {
        "requests": [
            f"?idsite={site.id}&rec=1&url=https%3A%2F%2Fexample.com%2Fok",
            "?idsite=abc",
            7,
            {"idsite": site.id, "rec": 1, "url": "https://example.com/obj"},
        ]
    }
    reply = await client.post("/matomo.php", json=mixed, headers={"User-Agent": CHROME})
    assert reply.json() == {"status": "success", "tracked": 2, "invalid": 2, "invalid_indices": [1, 2]}
    assert [r["path"] for r in _stored(db)] == ["/ok", "/obj"]
