"""Upgrades: a database written by the previous release (tests/fixtures/schema_0005/, made
by that release's own CLI) migrates forward and every report is what that release
computed, before and after a fresh rollup; a database from a newer release is refused with
a clear message and left untouched; a migration that fails leaves nothing behind."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest

from collector.cli.parser import main
from collector.settings import Settings
from collector.storage import open_store, schema

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "schema_0005"
DAYS = ["2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"]


@pytest.fixture
def old_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "collector.sqlite3"
    path.write_bytes(gzip.decompress((FIXTURE / "collector.sqlite3.gz").read_bytes()))
    for key in [k for k in os.environ if k.startswith("COLLECTOR_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("COLLECTOR_DATABASE", f"sqlite:///{path}")
    monkeypatch.setenv("COLLECTOR_SECRET_KEY", "fixture")
    return path


def export(tmp_path: Path, name: str) -> object:
    out = tmp_path / name
    args = ["export", "--site", "1", "--from", DAYS[0], "--to", DAYS[-1], "--format", "json", "-o", str(out)]
    assert main(args) == 0
    return json.loads(out.read_text())


def applied(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]


def test_the_previous_schema_upgrades_and_every_report_is_unchanged(
    old_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = json.loads((FIXTURE / "export.json").read_text())
    assert applied(old_db)[-1] == "0005_audit_ip.sql"
    assert main(["migrate"]) == 0
    assert applied(old_db) == [m.name for m in schema.known()]
    assert export(tmp_path, "after-migrate.json") == before
    for day in DAYS:
        assert main(["rollup", "--site", "1", "--day", day]) == 0
    assert export(tmp_path, "after-rollup.json") == before
    assert main(["site", "show", "1"]) == 0
    with sqlite3.connect(old_db) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM tokens").fetchone() == (1,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_database_from_a_newer_release_is_refused_and_left_untouched(
    old_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    with sqlite3.connect(old_db) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES ('0099_from_the_future.sql', 0)")
    digest = hashlib.sha256(old_db.read_bytes()).hexdigest()
    capsys.readouterr()
    for command in (["migrate"], ["site", "list"], ["rollup"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "newer release" in err and "0099_from_the_future.sql" in err and "Traceback" not in err
    assert hashlib.sha256(old_db.read_bytes()).hexdigest() == digest


async def test_a_failing_migration_leaves_nothing_behind(
    old_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = schema.known()
    broken = schema.Migration("0098_broken.sql", "CREATE TABLE half_done (x INTEGER);\nTHIS IS NOT SQL;")
    monkeypatch.setattr(schema, "known", lambda: [*good, broken])
    store = open_store(Settings.from_env())
    await store.open()
    try:
        with pytest.raises(sqlite3.Error):
            await store.migrate()
    finally:
        await store.close()
    assert "0098_broken.sql" not in applied(old_db)
    assert applied(old_db) == [m.name for m in good]  # the good ones before it did apply
    with sqlite3.connect(old_db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "half_done" not in tables
