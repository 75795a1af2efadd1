"""What leaves the request handler for the SQLite writer process (the default writer)."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from collector.model import Site
from collector.storage.sqlite import SqliteStore
from collector.storage.sqlite_write import Row
from collector.storage.writer_process import Done
from collector.web.services import of_app


async def test_only_minimised_events_cross_to_the_writer_process(
    app: Starlette, client: httpx.AsyncClient, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The privacy pipeline runs in the request handler: what goes down the pipe is the
    minimised event, never the address, the User-Agent, the uid or the query string."""
    store: SqliteStore = of_app(app).store
    assert store._process is not None and store._process.running
    sent: list[bytes] = []
    original = store._process.send

    def recording(batch: Sequence[Row], done: Done) -> None:
        sent.append(orjson.dumps(batch))
        original(batch, done)

    monkeypatch.setattr(store._process, "send", recording)
    agent = "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0 DistinctiveAgent/7"
    reply = await client.get(
        "/matomo.php",
        headers={"User-Agent": agent},
        params={
            "idsite": site.id,
            "rec": 1,
            "uid": "user-4242",
            "send_image": 0,
            "url": f"https://{site.domains[0]}/cart?session=abc123secret&email=a@b.example#frag",
        },
    )
    assert reply.status_code == 204
    assert len(sent) == 1
    wire = sent[0].decode()
    assert "/cart" in wire and "Firefox" in wire
    for secret in (
        "203.0.113.195",
        "203.0",
        "DistinctiveAgent",
        "user-4242",
        "abc123secret",
        "a@b.example",
        "frag",
        "session=",
    ):
        assert secret not in wire, secret
