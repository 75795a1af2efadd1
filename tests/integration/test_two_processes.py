"""Two `collector serve` processes on one database, as two workers or two nodes sharing a
file would be: what one acknowledges, the other honours on the very next request — an
opt-out (issue: immediacy across workers), and an exclusion rule once the site cache's
few seconds have passed."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from collector.ingest.service import SITE_TTL_S
from tests.integration.server import Server

pytestmark = pytest.mark.slow

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36"
)
USER = "account-7731"


def _beacon(server: Server, path: str, uid: str | None = None) -> httpx.Response:
    params = {"idsite": "1", "rec": "1", "url": f"https://shop.example{path}", "send_image": "0"}
    if uid is not None:
        params["uid"] = uid
    reply = httpx.get(server.url + "/matomo.php", params=params, headers={"User-Agent": CHROME}, timeout=10)
    assert reply.status_code == 204, reply.text
    return reply


def _opted_out(data: Path) -> int:
    """Requests dropped as opted_out so far (the reply no longer says so: it must not tell
    whether a uid opted out)."""
    conn = sqlite3.connect(data / "collector.sqlite3")
    try:
        return int(
            conn.execute("SELECT COALESCE(SUM(n), 0) FROM dropped WHERE reason = 'opted_out'").fetchone()[0]
        )
    finally:
        conn.close()


def test_an_opt_out_through_one_process_is_honoured_by_the_other_at_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Server(data, {"COLLECTOR_ACCESS_LOG": "false"})
    first.add_site("Shop", "shop.example")
    token = first.create_token(1, "optout")
    second = Server(data, {"COLLECTOR_ACCESS_LOG": "false"})
    first.start()
    second.start()
    try:
        auth = {"Authorization": f"Bearer {token}"}
        assert "x-collector-dropped" not in _beacon(second, "/warm", USER).headers  # caches warm
        put = httpx.put(f"{first.url}/api/v1/sites/1/optouts/{USER}", headers=auth, timeout=10)
        assert put.status_code == 204
        for node, count in ((second, 1), (first, 2)):
            reply = _beacon(node, "/after-opt-out", USER)
            assert "x-collector-dropped" not in reply.headers  # the same reply as a tracked one
            assert _opted_out(data) == count  # dropped, and counted when the reply left
        assert "x-collector-dropped" not in _beacon(second, "/someone-else", "account-1").headers
        assert _opted_out(data) == 2
        delete = httpx.delete(f"{first.url}/api/v1/sites/1/optouts/{USER}", headers=auth, timeout=10)
        assert delete.status_code == 204
        assert "x-collector-dropped" not in _beacon(second, "/back-in", USER).headers

        first.cli("exclude", "--site", "1", "--add", "path:/admin/*")
        time.sleep(SITE_TTL_S + 0.5)  # each process caches its sites this long
        assert _beacon(second, "/admin/users").headers["x-collector-dropped"] == "excluded"
    finally:
        first.stop()
        second.stop()
    conn = sqlite3.connect(data / "collector.sqlite3")
    paths = sorted(r[0] for r in conn.execute("SELECT path FROM events"))
    conn.close()
    assert paths == ["/back-in", "/someone-else", "/warm"]
