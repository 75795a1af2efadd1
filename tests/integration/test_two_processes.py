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
        assert _beacon(second, "/after-opt-out", USER).headers["x-collector-dropped"] == "opted_out"
        assert _beacon(first, "/after-opt-out", USER).headers["x-collector-dropped"] == "opted_out"
        assert "x-collector-dropped" not in _beacon(second, "/someone-else", "account-1").headers
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
