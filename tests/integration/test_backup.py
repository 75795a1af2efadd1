"""`collector backup` while a real server ingests: beacons keep being answered, the copy
holds every beacon acknowledged before the backup began (it is the database as of one
commit), and a collector started on the copy serves the same reports as the original."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.integration.load import Beacons
from tests.integration.server import Server

pytestmark = pytest.mark.slow

DIMENSIONS = ("pages", "entry_pages", "referrers", "channels", "browsers", "os", "devices", "languages")


def _reports(server: Server, token: str, first: str, last: str) -> dict[str, object]:
    auth = {"Authorization": f"Bearer {token}"}
    base = f"{server.url}/api/v1/sites/1"
    period = f"from={first}&to={last}"
    calls = {
        "summary": f"{base}/summary?{period}",
        "timeseries": f"{base}/timeseries?{period}&interval=day",
        "dropped": f"{base}/dropped?{period}",
        **{f"breakdown/{d}": f"{base}/breakdown/{d}?{period}&limit=50" for d in DIMENSIONS},
        "matomo": f"{server.url}/index.php?module=API&method=VisitsSummary.get&idSite=1&period=range"
        f"&date={first},{last}&format=JSON&token_auth={token}",
    }
    found: dict[str, object] = {}
    for name, url in calls.items():
        reply = httpx.get(url, headers=auth, timeout=30)
        assert reply.status_code == 200, (name, reply.text)
        found[name] = reply.json()
    return found


def _paths(database: Path) -> set[str]:
    conn = sqlite3.connect(database)
    try:
        return {r[0] for r in conn.execute("SELECT path FROM events WHERE path LIKE '/load/%'")}
    finally:
        conn.close()


def test_a_backup_made_under_load_is_consistent_and_serves_the_same_reports(tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    first, last = str(today - timedelta(days=20)), str(today - timedelta(days=1))
    copy = tmp_path / "backups" / "collector-copy.sqlite3"
    copy.parent.mkdir()
    with Server(tmp_path / "live", {"COLLECTOR_ACCESS_LOG": "false"}) as live:
        live.add_site("Shop", "shop.example")
        live.cli("demo", "--site", "1", "--days", "20", "--visits", "60")
        live.cli("rollup")
        token = live.create_token(1, "stats")
        live.start()
        with Beacons(live.url) as load:
            time.sleep(1.0)
            began = time.monotonic()
            out = live.cli("backup", str(copy))
            ended = time.monotonic()
            time.sleep(0.5)
        assert out.startswith(f"done: {copy}, ") and out.endswith(": ok)"), out
        assert load.statuses() == {204} and load.errors == [] and len(load.acked) > 100
        slowest = max(r.waited for r in load.replies if began <= r.at <= ended)
        assert slowest < 2.0, f"a beacon waited {slowest:.2f} s during the backup"
        before = {r.path for r in load.acked if r.at < began}
        by_the_end = {r.path for r in load.acked if r.at <= ended}
        in_copy = _paths(copy)
        assert before <= in_copy, f"{len(before - in_copy)} acknowledged before the backup are not in it"
        # one commit's state: nothing from after it ended but the few replies then in flight
        assert len(in_copy - by_the_end) <= 3
        original = _reports(live, token, first, last)
        live.stop()
    assert _paths(live.database) >= {r.path for r in load.acked}

    with Server(tmp_path / "restored", {"COLLECTOR_ACCESS_LOG": "false"}, database=copy) as restored:
        restored.start()
        assert _reports(restored, token, first, last) == original
        assert original["summary"]["visits"] > 0  # type: ignore[index]
    assert "Traceback" not in live.log_text() + restored.log_text()
