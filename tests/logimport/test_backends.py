"""The same import on both backends gives the same numbers (the ground truth of the
sample day), and a second import counts nothing, on PostgreSQL as on SQLite."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from collector.cli.parser import main
from collector.settings import Settings
from collector.stats.period import Period
from collector.storage import open_store
from tests.logimport import sample
from tests.logimport.sample import PAGEVIEWS, VISITORS, VISITS


async def _totals(database: str) -> tuple[int, int, int]:
    store = open_store(Settings(database=database))
    await store.open()
    try:
        day = sample.target_day()
        totals = await store.stats().totals(1, Period(day, day))
    finally:
        await store.close()
    return totals.pageviews, totals.visitors, totals.visits


@pytest.mark.both_backends
def test_the_sample_day_on_each_backend(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLLECTOR_DATABASE", database)
    monkeypatch.setenv("COLLECTOR_SECRET_KEY", "test-secret-key-for-log-import")
    assert main(["site", "add", "Example", "--domain", "example.com", "--timezone", "Europe/Oslo"]) == 0
    assert main(["site", "set", "1", "exclusions=path:/admin/*"]) == 0
    log = tmp_path / "access.log"
    log.write_text(sample.combined_log(sample.target_day()), errors="surrogateescape")
    capsys.readouterr()
    assert main(["import-logs", "--site", "1", str(log)]) == 0
    assert f"imported: {PAGEVIEWS}\n" in capsys.readouterr().out
    assert main(["import-logs", "--site", "1", str(log)]) == 0
    assert "imported: 0\n" in capsys.readouterr().out
    assert asyncio.run(_totals(database)) == (PAGEVIEWS, VISITORS, VISITS)
