"""The `collector` command, run as a user runs it (a subprocess on a real database)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from collector.auth.passwords import verify_password
from collector.site_settings import SITE_KEYS


class Cli:
    def __init__(self, tmp_path: Path) -> None:
        self.db = tmp_path / "data" / "c.sqlite3"
        self.env = {**os.environ, "COLLECTOR_DATABASE": f"sqlite:///{self.db}"}

    def __call__(
        self, *args: str, stdin: str | None = None, ok: bool = True
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "collector", *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if ok:
            assert done.returncode == 0, done.stderr
        return done


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def test_site_add_prints_the_id_and_list_show_set_round_trip(cli: Cli) -> None:
    assert (
        cli(
            "site",
            "add",
            "Shop",
            "--domain",
            "Shop.Example",
            "--domain",
            "example.org",
            "--timezone",
            "Europe/Oslo",
        ).stdout.strip()
        == "1"
    )
    assert cli("site", "add", "Blog").stdout.strip() == "2"
    listing = cli("site", "list").stdout.splitlines()
    assert listing[0].split("\t") == ["1", "Shop", "shop.example,example.org", "Europe/Oslo"]
    shown = json.loads(cli("site", "show", "1").stdout)
    assert shown["settings"]["honour_dnt"] is True and shown["domains"] == ["shop.example", "example.org"]
    cli(
        "site",
        "set",
        "1",
        "allowed_query_keys=q,page",
        "raw_retention_days=7",
        "honour_gpc=false",
        "name=Shop 2",
    )
    shown = json.loads(cli("site", "show", "1").stdout)
    assert shown["name"] == "Shop 2"
    assert shown["settings"]["allowed_query_keys"] == ["q", "page"]
    assert shown["settings"]["raw_retention_days"] == 7 and shown["settings"]["honour_gpc"] is False


@pytest.mark.parametrize(
    "args, message",
    [
        (["site", "show", "9"], "no site with id 9"),
        (["site", "add", "X", "--timezone", "Mars/Olympus"], "unknown time zone"),
        (["site", "set", "1", "colour=blue"], "unknown key"),
        (["site", "set", "1", "raw_retention_days=0"], "positive integer"),
        (["site", "set", "1", "raw_retention_days=²"], "positive integer"),
        (["site", "set", "1", "exclusion=path:/x"], "known: name, domains, timezone, "),
        (["token", "create", "--site", "5", "--scope", "stats"], "no site with id 5"),
    ],
)
def test_user_errors_exit_2_with_a_message_and_no_traceback(cli: Cli, args: list[str], message: str) -> None:
    cli("site", "add", "Shop")
    done = cli(*args, ok=False)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_site_set_help_lists_every_key_of_the_table(cli: Cli) -> None:
    shown = cli("site", "set", "--help").stdout
    for key in SITE_KEYS:
        assert re.search(rf"^  {key.name} ", shown, re.MULTILINE), key.name


def test_user_add_hashes_the_password(cli: Cli) -> None:
    cli("user", "add", "ann", "--password-stdin", "--admin", stdin="correct horse battery\n")
    conn = sqlite3.connect(cli.db)
    row = conn.execute("SELECT password_hash, is_admin FROM users WHERE name='ann'").fetchone()
    assert row[1] == 1
    assert "correct horse" not in row[0]
    assert verify_password("correct horse battery", row[0])
    assert not verify_password("wrong", row[0])
    assert cli("user", "add", "ann", "--password-stdin", stdin="another password\n", ok=False).returncode == 2
    assert cli("user", "add", "bob", "--password-stdin", stdin="short\n", ok=False).returncode == 2


def test_token_create_prints_it_once_and_stores_only_a_hash(cli: Cli) -> None:
    cli("site", "add", "Shop")
    token = cli("token", "create", "--site", "1", "--scope", "admin").stdout.strip()
    assert token.startswith("col_") and len(token) > 30
    raw = b"".join(p.read_bytes() for p in cli.db.parent.iterdir() if p.name.startswith("c.sqlite3"))
    assert token.encode() not in raw
    scope = sqlite3.connect(cli.db).execute("SELECT site_id, scope FROM tokens").fetchall()
    assert scope == [(1, "admin")]


def test_bootstrap_creates_a_demo_site_and_admin_once(cli: Cli) -> None:
    first = cli("bootstrap").stdout
    assert "created demo site 1" in first and "password:" in first
    second = cli("bootstrap").stdout
    assert second == ""
    assert cli("site", "list").stdout.count("\n") == 1


def test_demo_fills_the_site_through_the_pipeline(cli: Cli) -> None:
    cli("bootstrap")
    out = cli("demo", "--days", "2", "--visits", "30").stdout
    assert "stored:" in out
    conn = sqlite3.connect(cli.db)
    kinds = dict(conn.execute("SELECT kind, count(*) FROM events GROUP BY kind").fetchall())
    assert kinds["pageview"] > 30 and "ping" in kinds
    reasons = {r for (r,) in conn.execute("SELECT DISTINCT reason FROM dropped")}
    assert {"bot", "dnt"} <= reasons
    days = conn.execute("SELECT count(DISTINCT day) FROM events").fetchone()[0]
    assert days >= 3
    # salts for the demo's past days are gone: at most today's and yesterday's remain
    assert conn.execute("SELECT count(*) FROM salts").fetchone()[0] <= 2


def test_migrate_is_idempotent(cli: Cli) -> None:
    cli("migrate")
    cli("migrate")
    conn = sqlite3.connect(cli.db)
    names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
    folder = Path(__file__).parents[1] / "collector/storage/migrations"
    shipped = sorted(p.name for p in folder.glob("*.sql"))
    assert names == shipped and names[:2] == ["0001_initial.sql", "0002_daily_tables.sql"]
    out = cli("migrate")
    assert "0001" not in out.stdout + out.stderr  # nothing applied twice


def _insert_events(db: Path, paths: list[tuple[str, str]]) -> None:
    conn = sqlite3.connect(db)
    conn.executemany(
        "INSERT INTO events (site_id, ts_ms, day, visitor, kind, path) VALUES (1, ?, ?, ?, 'pageview', ?)",
        [(1795348800000 + n, day, n, path) for n, (day, path) in enumerate(paths)],
    )
    conn.commit()
    conn.close()


def test_exclude_lists_counts_and_applies_rules_and_erase_asks_first(cli: Cli) -> None:
    cli("site", "add", "Shop", "--domain", "shop.example")
    _insert_events(cli.db, [("2026-11-21", "/admin/a"), ("2026-11-22", "/admin/b"), ("2026-11-22", "/")])
    assert "no exclusion rules" in cli("exclude", "--site", "1").stdout
    bad = cli("exclude", "--site", "1", "--add", "admin", ok=False)
    assert bad.returncode == 2 and "kind:pattern" in bad.stderr
    out = cli("exclude", "--site", "1", "--add", "path:/admin/*", "--add", "ip:10.20.0.0/16").stdout
    assert "path:/admin/*\t2 stored raw events match, on 2 days" in out
    assert "ip:10.20.0.0/16\tapplies to new requests only" in out
    assert json.loads(cli("site", "show", "1").stdout)["settings"]["exclusions"] == [
        "path:/admin/*",
        "ip:10.20.0.0/16",
    ]
    refused = cli("exclude", "--site", "1", "--apply", ok=False)  # no terminal to confirm on
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert (
        "removed 2 raw events; rolled up 2 days again"
        in cli("exclude", "--site", "1", "--apply", "--yes").stdout
    )
    cli("exclude", "--site", "1", "--remove", "ip:10.20.0.0/16")
    assert json.loads(cli("site", "show", "1").stdout)["settings"]["exclusions"] == ["path:/admin/*"]

    assert cli("erase", "--site", "1", ok=False).returncode == 2
    assert cli("erase", "--site", "1", "--from", "2026-11-23", "--to", "2026-11-01", ok=False).returncode == 2
    erased = cli("erase", "--site", "1", "--yes").stdout  # 1 raw event + the day's rolled-up rows
    assert erased.startswith("erased ") and erased.strip().endswith("rows of site 1 (all its days)")
    conn = sqlite3.connect(cli.db)
    assert conn.execute("SELECT count(*) FROM events").fetchone() == (0,)
    actions = [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-3:] == ["exclusions.apply", "exclusions.set", "erase"]


def test_backup_copies_a_checked_database_and_refuses_an_existing_path_without_force(
    cli: Cli, tmp_path: Path
) -> None:
    cli("site", "add", "Shop", "--domain", "shop.example")
    _insert_events(cli.db, [("2026-11-20", "/a"), ("2026-11-21", "/b")])
    copy = tmp_path / "backups" / "copy.sqlite3"
    copy.parent.mkdir()
    done = cli("backup", str(copy))
    took, size = r"[\d.]+ s", r"[\d.,]+ [KM]iB"
    assert re.fullmatch(
        rf"done: {re.escape(str(copy))}, {size} in {took} \(copy {took}, integrity check {took}: ok\)\n",
        done.stdout,
    ), done.stdout
    assert copy.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in copy.parent.iterdir()) == ["copy.sqlite3"]  # one file, nothing half-written
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # self-contained
        assert [r[0] for r in conn.execute("SELECT path FROM events ORDER BY path")] == ["/a", "/b"]
        assert conn.execute("SELECT name FROM sites").fetchall() == [("Shop",)]
    finally:
        conn.close()

    _insert_events(cli.db, [("2026-11-22", "/c")])
    refused = cli("backup", str(copy), ok=False)
    assert (refused.returncode, refused.stderr) == (2, f"collector: {copy} exists (--force replaces it)\n")
    cli("backup", str(copy), "--force")
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (3,)
    finally:
        conn.close()
    itself = cli("backup", str(cli.db), "--force", ok=False)
    assert (itself.returncode, itself.stderr) == (2, f"collector: {cli.db} is the database itself\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (["backup", "{tmp}/nowhere/copy.sqlite3"], "no directory {tmp}/nowhere"),
        (["backup", "{tmp}"], "{tmp} is a directory: name the file to write"),
    ],
)
def test_backup_user_errors(cli: Cli, tmp_path: Path, args: list[str], message: str) -> None:
    cli("migrate")
    done = cli(*[a.format(tmp=tmp_path) for a in args], ok=False)
    assert (done.returncode, done.stderr) == (2, f"collector: {message.format(tmp=tmp_path)}\n")


def test_backup_of_a_missing_database_says_so(cli: Cli, tmp_path: Path) -> None:
    done = cli("backup", str(tmp_path / "copy.sqlite3"), ok=False)
    assert (done.returncode, done.stderr.splitlines()[-1]) == (2, f"collector: no database at {cli.db}")
    assert not (tmp_path / "copy.sqlite3").exists() and not cli.db.exists()  # nothing made


@pytest.mark.parametrize(
    "url", ["postgresql://collector:secret@db.internal:5432/collector", "postgres://db/c"]
)
def test_backup_of_postgresql_points_to_pg_dump_and_pg_basebackup(cli: Cli, tmp_path: Path, url: str) -> None:
    cli.env["COLLECTOR_DATABASE"] = url
    done = cli("backup", str(tmp_path / "copy"), ok=False)
    assert done.returncode == 2 and done.stderr.startswith(
        "collector: collector backup copies SQLite databases"
    )
    assert "pg_dump" in done.stderr and "pg_basebackup" in done.stderr and "secret" not in done.stderr
    assert len(done.stderr.splitlines()) == 1 and not (tmp_path / "copy").exists()
