"""One test per drop reason: the reply is identical to a tracked request's, the reason is
in X-Collector-Dropped, and nothing but the counter is stored."""

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
    assert dropped.headers["x-collector-dropped"] == reason
    assert "x-collector-dropped" not in tracked.headers
    assert (dropped.status_code, dropped.content) == (tracked.status_code, tracked.content)
    same = {k: v for k, v in dropped.headers.items() if k != "x-collector-dropped"}
    assert same == dict(tracked.headers)


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
