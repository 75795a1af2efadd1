"""Back-dated days (issue 17, item 3): a day's salt is made when first needed and
destroyed 48 hours after, so the hits of one day link into visits across separate and
concurrent imports; and the salt ring behaves so for live beacons too."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from collector.cli.parser import main
from collector.ingest.visitor import SALT_LIFETIME_S, SaltRing
from collector.settings import Settings
from collector.storage import open_store
from tests.logimport import sample
from tests.logimport.sample import PAGEVIEWS, VISITORS, VISITS


def test_a_day_split_over_two_imports_links_into_the_same_visits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = sample.setup_env(monkeypatch, tmp_path)
    day = sample.target_day()
    lines = sample.combined_log(day).splitlines()
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    first.write_text("\n".join(lines[0::2]) + "\n")  # every other line: each visitor in both
    second.write_text("\n".join(lines[1::2]) + "\n")
    assert main(["import-logs", "--site", "1", str(first)]) == 0
    assert main(["import-logs", "--site", "1", str(second)]) == 0
    assert sample.daily(db, day.isoformat()) == (PAGEVIEWS, VISITORS, VISITS)
    conn = sqlite3.connect(db)
    (salts,) = conn.execute("SELECT count(*) FROM salts WHERE day = ?", (day.isoformat(),)).fetchone()
    conn.close()
    assert salts == 1  # made by the first import, used by the second


async def test_concurrent_imports_agree_on_the_salt(tmp_path: Path) -> None:
    settings = Settings(database=f"sqlite:///{tmp_path}/c.sqlite3")
    stores = [open_store(settings) for _ in range(2)]
    for store in stores:
        await store.open()
        await store.migrate()
    try:
        rings = [SaltRing(store) for store in stores]
        day = date(2026, 10, 1)
        now = 1_800_000_000.0
        salts = await asyncio.gather(*(ring.salt_for(day, now) for ring in rings))
        assert salts[0] == salts[1]
        assert await rings[0].purge(now + SALT_LIFETIME_S - 1) == 0
        assert await rings[1].salt_for(day, now + 60) == salts[0]
        assert await rings[0].purge(now + SALT_LIFETIME_S) == 1  # 48 hours after it was made
        assert await rings[0].salt_for(day, now + SALT_LIFETIME_S + 1) != salts[0]
    finally:
        for store in stores:
            await store.close()


async def test_fingerprints_leave_with_the_raw_event_retention(tmp_path: Path) -> None:
    from collector.rollups.maintenance import purge_raw_events

    settings = Settings(database=f"sqlite:///{tmp_path}/c.sqlite3", raw_retention_days=30)
    store = open_store(settings)
    await store.open()
    await store.migrate()
    try:
        now = 1_800_000_000.0
        site = await store.add_site("a", ["a.example"], "UTC", now)
        today = datetime.fromtimestamp(now, UTC).date().isoformat()
        assert await store.imports().claim(site.id, ["ab" * 16], today) == {"ab" * 16}
        await purge_raw_events(store, settings, lambda: now + 30 * 86400)
        assert await store.imports().claim(site.id, ["ab" * 16], today) == set()  # kept 30 days
        await purge_raw_events(store, settings, lambda: now + 31 * 86400)
        assert await store.imports().claim(site.id, ["ab" * 16], today) == {"ab" * 16}  # forgotten
    finally:
        await store.close()
