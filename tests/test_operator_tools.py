"""Operator tools: the generated privacy statement and the export."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from collector.app import create_app
from collector.clock import FrozenClock
from collector.model import Site, SiteSettings
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from collector.web.services import of_app


async def test_the_statement_follows_the_sites_settings(
    client: httpx.AsyncClient, store: SqliteStore, site: Site
) -> None:
    text = (await client.get(f"/privacy/{site.id}?format=text")).text
    assert "last two parts of an IPv4 address" in text and "first 48 bits" in text
    assert "Do Not Track or Global Privacy Control are not stored" in text
    assert "deleted after 30 days" in text and "Daily totals" in text and "are kept." in text
    await store.update_site(
        site.id,
        site.name,
        site.domains,
        site.timezone,
        SiteSettings(
            honour_dnt=False, raw_retention_days=7, aggregate_retention_months=24, allowed_query_keys=("q",)
        ),
    )
    text = (await client.get(f"/privacy/{site.id}?format=text")).text
    assert "send Global Privacy Control are not stored" in text and "Do Not Track" not in text
    assert "deleted after 7 days" in text and "deleted after 24 months" in text
    assert "and the parameters q)" in text
    assert "does not ask for your consent" in text
    await store.update_site(
        site.id, site.name, site.domains, site.timezone, SiteSettings(consent_mode="consent_required")
    )
    text = (await client.get(f"/privacy/{site.id}?format=text")).text
    assert "counted only after you have given your consent" in text
    assert "Do Not Track or Global Privacy Control are not stored" in text
    nb = (await client.get(f"/privacy/{site.id}?format=text&lang=nb")).text
    assert "telles først etter at du har gitt samtykke" in nb


async def test_norwegian_and_html(client: httpx.AsyncClient, store: SqliteStore, clock: FrozenClock) -> None:
    site = await store.add_site("<Butikk & Co>", [], "Europe/Oslo", clock())
    reply = await client.get(f"/privacy/{site.id}?lang=nb")
    assert reply.headers["content-type"].startswith("text/html")
    assert "&lt;Butikk &amp; Co&gt;" in reply.text and "<Butikk" not in reply.text
    assert "Ingen informasjonskapsler" in reply.text and 'lang="nb"' in reply.text
    assert (await client.get(f"/privacy/{site.id}?lang=de")).status_code == 400
    assert (await client.get("/privacy/999")).status_code == 404


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "COLLECTOR_DATABASE": f"sqlite:///{tmp_path}/c.sqlite3"}


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "collector", *args], env=env, capture_output=True, timeout=120, check=True
    )


def test_export_json_and_zip_hold_every_report(cli_env: dict[str, str], tmp_path: Path) -> None:
    _cli(cli_env, "bootstrap")
    _cli(cli_env, "demo", "--days", "3", "--visits", "20")
    _cli(cli_env, "rollup")
    data = json.loads(_cli(cli_env, "export", "--site", "1", "--from", "2026-01-01").stdout)
    assert data["summary"]["pageviews"] > 0
    assert data["summary"]["pageviews"] == sum(p["pageviews"] for p in data["timeseries"])
    assert set(data["breakdowns"]) >= {"pages", "channels", "browsers", "events"}
    assert {r["reason"] for r in data["dropped"]} >= {"bot"}
    out = tmp_path / "export.zip"
    _cli(cli_env, "export", "--site", "1", "--from", "2026-01-01", "--format", "csv", "-o", str(out))
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        names = set(archive.namelist())
        assert {"summary.csv", "timeseries.csv", "dropped.csv", "breakdown-pages.csv"} <= names
        pages = archive.read("breakdown-pages.csv").decode().splitlines()
    assert pages[0].startswith("value,visitors,visits,pageviews")
    assert len(pages) - 1 == len(data["breakdowns"]["pages"])


@pytest.mark.parametrize(
    "mask_bytes, words",
    [
        (1, ("last part of an IPv4 address", "first 64 bits")),
        (3, ("last three parts of an IPv4 address", "first 24 bits")),
    ],
)
async def test_the_statement_follows_the_ip_mask_setting(
    tmp_path: Path, clock: FrozenClock, mask_bytes: int, words: tuple[str, str]
) -> None:
    settings = Settings(
        database=f"sqlite:///{tmp_path}/c.sqlite3", access_log=False, secret_key="k", ip_mask_bytes=mask_bytes
    )
    app = create_app(settings, clock=clock, run_maintenance=False)
    async with app.router.lifespan_context(app):
        site = await of_app(app).store.add_site("S", ["example.com"], "UTC", clock())
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            text = (await client.get(f"/privacy/{site.id}?format=text")).text
    for phrase in words:
        assert phrase in text
    assert "last two parts" not in text
