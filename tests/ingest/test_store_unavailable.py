"""A store that cannot take writes (disk full, read-only, gone): every tracking reply is a
503 with Retry-After (never a 2xx for what was not stored, never a 500), /readyz is 503,
a metric counts the refused requests, and the next commit that works ends it
(docs/contract.md, "Tracking"). The store is patched here; tests/storage has SQLite's own
errors and tests/integration/test_disk_full.py a real full disk."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence

import httpx
import pytest

from collector.ingest.buffer import RETRY_AFTER_S
from collector.model import DropReason, Site
from collector.storage.base import StoreUnavailable, WriteItem
from collector.storage.sqlite import SqliteStore
from tests.conftest import BROWSER_HEADERS

Done = Callable[[list[DropReason | None] | BaseException], None]


class Disk:
    """Stands in for the store's commit: full until ``free``d."""

    def __init__(self, store: SqliteStore) -> None:
        self.full = True
        self.refused = 0
        self._send = store.send_batch

    def send_batch(self, items: Sequence[WriteItem], done: Done) -> None:
        if self.full:
            self.refused += 1
            done(StoreUnavailable("disk full"))
        else:
            self._send(items, done)


@pytest.fixture
def disk(store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> Disk:
    disk = Disk(store)
    monkeypatch.setattr(store, "send_batch", disk.send_batch)
    return disk


def _page(site: Site, path: str, **extra: str) -> dict[str, str]:
    return {"idsite": str(site.id), "rec": "1", "url": f"https://example.com{path}", **extra}


def _assert_refused(reply: httpx.Response) -> None:
    assert reply.status_code == 503, reply.text
    assert reply.headers["retry-after"] == str(RETRY_AFTER_S)
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["access-control-allow-origin"] == "*"
    assert reply.text == "not stored: the collector cannot write now; send it again later\n"


async def test_every_kind_of_tracking_request_gets_a_503_while_the_store_refuses(
    client: httpx.AsyncClient,
    site: Site,
    disk: Disk,
    db: sqlite3.Connection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    _assert_refused(await client.get("/matomo.php", params=_page(site, "/a"), headers=BROWSER_HEADERS))
    _assert_refused(
        await client.get("/matomo.php", params=_page(site, "/b", send_image="0"), headers=BROWSER_HEADERS)
    )
    _assert_refused(
        await client.post(
            "/matomo.php", data=_page(site, "/c"), headers={**BROWSER_HEADERS, "Origin": "https://x"}
        )
    )
    bulk = {"requests": [f"?idsite={site.id}&rec=1&url=https://example.com/d{n}" for n in range(3)]}
    _assert_refused(await client.post("/matomo.php", json=bulk, headers=BROWSER_HEADERS))
    # a dropped request is refused too: its counter could not be written either
    _assert_refused(
        await client.get("/matomo.php", params=_page(site, "/e"), headers={**BROWSER_HEADERS, "DNT": "1"})
    )
    assert disk.refused == 5
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"error": "not ready", "detail": "database unavailable"}
    metrics = (await client.get("/metrics")).text
    assert "collector_store_unavailable_total 5" in metrics
    about_it = [r for r in caplog.records if "store unavailable" in r.getMessage()]
    assert len(about_it) == 1 and about_it[0].levelno == logging.ERROR
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r not in about_it]

    disk.full = False  # space again: the next beacon is stored, and /readyz is ready
    reply = await client.get("/matomo.php", params=_page(site, "/f"), headers=BROWSER_HEADERS)
    assert reply.status_code == 200
    assert (await client.get("/readyz")).status_code == 200
    assert [r[0] for r in db.execute("SELECT path FROM events")] == ["/f"]
    assert db.execute("SELECT count(*) FROM dropped").fetchone()[0] == 0


async def test_a_salt_the_store_cannot_write_is_a_503_too(
    client: httpx.AsyncClient, site: Site, store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def full(day: str, candidate: bytes, now: float) -> bytes:
        raise StoreUnavailable("disk full")

    monkeypatch.setattr(store, "get_or_create_salt", full)
    _assert_refused(await client.get("/matomo.php", params=_page(site, "/a"), headers=BROWSER_HEADERS))
    bulk = {"requests": [f"?idsite={site.id}&rec=1&url=https://example.com/b"]}
    _assert_refused(await client.post("/matomo.php", json=bulk, headers=BROWSER_HEADERS))
    assert (await client.get("/readyz")).status_code == 503
    assert "collector_store_unavailable_total 2" in (await client.get("/metrics")).text
