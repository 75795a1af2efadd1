"""``collector copy`` moves a SQLite installation to PostgreSQL: every report is the same
before and after, every account row is there, and a target with data is refused."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from collector.settings import Settings
from collector.stats.period import Period
from collector.stats.reports import DIMENSIONS
from collector.storage import open_store
from collector.storage.base import Store
from tests import pgserver

pytestmark = pytest.mark.slow
PROJECT = Path(__file__).resolve().parents[2]


def _cli(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "collector", *args],
        env={**env, "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


async def _reports(store: Store) -> dict[str, Any]:
    """Everything the dashboard and the APIs read, for every site."""
    await store.open()
    try:
        stats = store.stats()
        out: dict[str, Any] = {}
        today = date.today()
        periods = [Period(today - timedelta(days=40), today), Period(today - timedelta(days=3), today)]
        for site in await store.list_sites():
            out[f"site {site.id}"] = site
            for period in periods:
                key = f"{site.id} {period.start}..{period.end}"
                out[key + " totals"] = await stats.totals(site.id, period)
                for interval in ("day", "month", "hour"):
                    out[key + f" series {interval}"] = await stats.series(site.id, period, interval)
                for name, dimension in DIMENSIONS.items():
                    out[key + f" {name}"] = await stats.breakdown(site.id, dimension, period, 50, 0)
                out[key + " hours"] = await stats.hour_grid(site.id, period)
                out[key + " dropped"] = await stats.dropped(site.id, period)
            out[f"{site.id} tokens"] = await store.accounts().list_tokens(site.id)
            out[f"{site.id} shares"] = await store.accounts().list_shares(site.id)
        out["users"] = await store.accounts().list_users()
        out["grants"] = await store.accounts().list_grants()
        out["audit"] = await store.list_audit("", 2**62, 1000)
        return out
    finally:
        await store.close()


async def test_copy_moves_everything_and_every_report_is_the_same(tmp_path: Path) -> None:
    sqlite_url = f"sqlite:///{tmp_path}/collector.sqlite3"
    env = {"COLLECTOR_DATABASE": sqlite_url, "PATH": "/usr/bin:/bin"}
    for args in (
        ("bootstrap",),
        ("demo", "--site", "1", "--days", "35", "--visits", "60"),
        ("token", "create", "--site", "1", "--scope", "stats"),
        ("user", "add", "viewer", "--password-stdin"),
        ("rollup",),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "collector", *args],
            env={**env, "PYTHONPATH": str(PROJECT)},
            input="a-long-password-1\n",
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
    (tmp_path / "secret_key").write_text("the-served-installation-key\n")  # `serve` made it
    target = pgserver.new_database()
    copied = _cli(env, "copy", "--from", sqlite_url, "--to", target, cwd=tmp_path)
    assert copied.returncode == 0, copied.stderr
    assert (
        "events:" in copied.stdout
        and "daily_dimension:" in copied.stdout
        and "users: 2 rows" in copied.stdout
    )
    assert "instance secret: copied" in copied.stdout

    before = await _reports(open_store(Settings(database=sqlite_url)))
    after = await _reports(open_store(Settings(database=target)))
    assert before.keys() == after.keys()
    different = [k for k in before if before[k] != after[k]]
    assert not different, f"{len(different)} reports differ, e.g. {different[:3]}"
    assert any(before[k] for k in before if k.endswith(" pages")), "the copy compared empty reports"

    again = _cli(env, "copy", "--from", sqlite_url, "--to", target, cwd=tmp_path)
    assert again.returncode != 0 and "holds data already" in again.stderr
    replaced = _cli(env, "copy", "--from", sqlite_url, "--to", target, "--replace", cwd=tmp_path)
    assert replaced.returncode == 0, replaced.stderr


def test_copy_refuses_other_directions(tmp_path: Path) -> None:
    done = _cli(
        {"PATH": "/usr/bin:/bin"},
        "copy",
        "--from",
        "postgresql://u@h/db",
        "--to",
        f"sqlite:///{tmp_path}/x.sqlite3",
        cwd=tmp_path,
    )
    assert done.returncode != 0 and "from sqlite:///" in done.stderr
