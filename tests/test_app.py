"""The app around the tracking path: health, metrics, the access log, maintenance, secrets."""

from __future__ import annotations

import asyncio
import os
import stat
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from collector.clock import FrozenClock
from collector.ingest.visitor import utc_day
from collector.model import Event, Kind, Site
from collector.rollups.maintenance import Task, purge_raw_events, run_tasks
from collector.secrets_file import ensure_secret_key
from collector.settings import Settings
from collector.storage.base import WriteItem
from collector.storage.sqlite import SqliteStore
from tests.conftest import BROWSER_HEADERS


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).text == "ok\n"
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


async def test_unknown_paths_and_methods_get_json_errors(client: httpx.AsyncClient) -> None:
    missing = await client.get("/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "not found"
    wrong = await client.delete("/matomo.php")
    assert wrong.status_code == 405 and wrong.json()["error"] == "method not allowed"


async def test_metrics_count_accepted_dropped_and_invalid(client: httpx.AsyncClient, site: Site) -> None:
    base = {"idsite": site.id, "rec": 1, "url": "https://example.com/"}
    await client.get("/matomo.php", params=base, headers=BROWSER_HEADERS)
    await client.get("/matomo.php", params=base, headers={**BROWSER_HEADERS, "DNT": "1"})
    await client.get("/matomo.php", params={**base, "idsite": "abc"})
    text = (await client.get("/metrics")).text
    assert "collector_accepted_total 1\n" in text
    assert 'collector_dropped_total{reason="dnt"} 1\n' in text
    assert "collector_invalid_total 1\n" in text
    assert "collector_batch_size_count 2\n" in text
    assert 'collector_commit_seconds_bucket{le="+Inf"} 2\n' in text


async def test_purge_keeps_each_sites_retention(store: SqliteStore, site: Site, clock: FrozenClock) -> None:
    settings = Settings(raw_retention_days=30)
    today = utc_day(clock())

    def event(days_ago: int) -> WriteItem:
        day = (today - timedelta(days=days_ago)).isoformat()
        return WriteItem(site.id, day, Event(site.id, 0, day, 1, Kind.PAGEVIEW), None)

    await store.write_batch([event(0), event(29), event(31), event(60)])
    assert await purge_raw_events(store, settings, clock) == 2
    await store.update_site(
        site.id, site.name, site.domains, site.timezone, site.settings.__class__(raw_retention_days=10)
    )
    assert await purge_raw_events(store, settings, clock) == 1


async def test_the_task_runner_runs_each_task_by_its_period_and_survives_failures() -> None:
    calls: list[str] = []

    async def ok() -> None:
        calls.append("ok")

    async def broken() -> None:
        calls.append("broken")
        raise RuntimeError("boom")

    ticks = 0

    async def fake_sleep(seconds: float) -> None:
        nonlocal ticks
        ticks += 1
        if ticks >= 10:
            raise asyncio.CancelledError
        await asyncio.sleep(0)

    with pytest.raises(asyncio.CancelledError):
        await run_tasks([Task("ok", ok, 5), Task("broken", broken, 100)], sleep=fake_sleep)
    assert calls.count("ok") == 2 and calls.count("broken") == 1


def test_the_secret_key_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    key = ensure_secret_key("", tmp_path / "data")
    assert len(key) >= 48
    path = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert ensure_secret_key("", tmp_path / "data") == key
    assert ensure_secret_key("configured", tmp_path / "data") == "configured"


async def test_a_get_beacon_takes_the_short_cut_and_answers_as_the_routed_way_would(
    app: Starlette, client: httpx.AsyncClient, site: Site
) -> None:
    """GET beacons skip the middlewares and the route table (collector.app.CollectorApp);
    the reply must be the one the routed endpoint gives (POST goes the routed way)."""
    from collector.ingest import endpoint

    params = {"idsite": site.id, "rec": 1, "url": "https://example.com/", "send_image": 0}
    routed = await client.post("/matomo.php", params=params, headers=BROWSER_HEADERS)
    short = await client.get("/matomo.php", params=params, headers=BROWSER_HEADERS)
    assert (short.status_code, short.content) == (routed.status_code, routed.content) == (204, b"")
    assert short.headers["cache-control"] == routed.headers["cache-control"] == "no-store"
    for path in endpoint.BEACON_PATHS:
        assert (await client.get(path, params={**params, "idsite": "x"})).status_code == 400
    assert (await client.get("/matomo.php")).text.startswith("This is a Matomo-compatible")


async def test_an_unexpected_error_on_the_short_cut_is_a_json_500_without_a_traceback(
    store: SqliteStore,
    client: httpx.AsyncClient,
    site: Site,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    # The store is patched, not the ingestor: the ingest modules may be compiled (mypyc),
    # and a compiled class's methods cannot be replaced.
    monkeypatch.setattr(store, "get_site", broken)
    reply = await client.get("/matomo.php", params={"idsite": site.id, "rec": 1})
    assert reply.status_code == 500
    assert reply.json() == {"error": "internal error", "detail": None}
    assert "unhandled RuntimeError on /matomo.php" in caplog.text
    assert "Traceback" not in caplog.text
