"""Matomo's own log importer (matomo-log-analytics ``import_logs.py``) against a real server:
the exact requests it makes, replayed, and the day it imports counted like
``collector import-logs`` counts the same log.

What ``import_logs.py --url=http://HOST/ --token-auth=T --idsite=N`` sends (urllib, the
base URL joined to a path that starts with ``/``, hence the ``//``):

- ``POST //`` a form ``module=API&format=json&method=SitesManager.getSiteFromId&
  filter_limit=-1&token_auth=T&idSite=N``; it reads ``main_url`` (``getSitesIdFromSiteUrl``
  with ``url=<host>`` instead, when the sites are resolved from the log's host);
- ``POST //piwik.php?queuedtracking=0``, ``Content-type: application/json``, body
  ``{"token_auth": T, "requests": [{rec, apiv, url, urlref, cip, cdt "YYYY-MM-DD HH:MM:SS"
  (UTC), idsite, queuedtracking, dp, ua, cvar, bw_bytes}, …]}`` (up to 200 a request); it
  reads ``tracked``, ``invalid`` and ``invalid_indices``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.integration.server import Server
from tests.logimport.sample import CHROME, FIREFOX, SAFARI, daily

SECRET = {"COLLECTOR_SECRET_KEY": "matomo-importer-test", "COLLECTOR_LOG_LEVEL": "warning"}
DOMAIN = "example.com"
# (client, seconds after 08:00 UTC, path, referrer, User-Agent)
LINES = [
    ("203.0.113.7", 0, "/", "-", FIREFOX),
    ("203.0.113.7", 60, "/about", f"https://{DOMAIN}/", FIREFOX),
    ("203.0.113.7", 120, "/pricing", f"https://{DOMAIN}/about", FIREFOX),
    ("198.51.100.4", 30, "/blog/post", "https://www.google.com/", CHROME),
    ("198.51.100.4", 3 * 3600, "/blog/other", "-", CHROME),  # a new visit: 3 h later
    ("2001:db8:1234:5678::1", 500, "/", "https://news.example.org/", SAFARI),
]


def _day() -> date:
    return datetime.now(UTC).date() - timedelta(days=3)


def _when(day: date, offset: int) -> datetime:
    return datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(seconds=offset)


def _log(day: date) -> str:
    out = []
    for ip, offset, path, ref, ua in LINES:
        stamp = _when(day, offset).strftime("%d/%b/%Y:%H:%M:%S +0000")
        out.append(f'{ip} - - [{stamp}] "GET {path} HTTP/1.1" 200 512 "{ref}" "{ua}"')
    return "\n".join(out) + "\n"


def _hit(day: date, site_id: int, line: tuple[str, int, str, str, str]) -> dict[str, Any]:
    """One item of ``requests``, as ``Recorder._get_hit_args`` builds it for a log line."""
    ip, offset, path, ref, ua = line
    return {
        "rec": "1",
        "apiv": "1",
        "url": f"https://{DOMAIN}{path}",
        "urlref": "" if ref == "-" else ref,
        "cip": ip,
        "cdt": _when(day, offset).replace(tzinfo=None).isoformat(sep=" "),
        "idsite": site_id,
        "queuedtracking": "0",
        "dp": "1",
        "ua": ua,
        "cvar": json.dumps({"1": ["HTTP-code", "200"]}),
        "bw_bytes": "512",
    }


def _api(base: str, token: str, method: str, **args: str) -> Any:
    form = {
        "module": "API",
        "format": "json",
        "method": method,
        "filter_limit": "-1",
        "token_auth": token,
        **args,
    }
    headers = {"User-Agent": "Matomo/LogImport"}
    reply = httpx.post(base + "//", data=form, headers=headers, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_matomo_importer_requests_count_like_import_logs(tmp_path: Path) -> None:
    day = _day()
    with Server(tmp_path / "matomo", env=SECRET) as server:
        site_id = server.add_site("Example", DOMAIN)
        token = server.create_token(site_id, "admin")
        server.start()
        site = _api(server.url, token, "SitesManager.getSiteFromId", idSite=str(site_id))
        assert site["main_url"] == f"https://{DOMAIN}"
        assert _api(server.url, token, "SitesManager.getSitesIdFromSiteUrl", url=DOMAIN) == [
            {"idsite": str(site_id)}
        ]
        body = {"token_auth": token, "requests": [_hit(day, site_id, line) for line in LINES]}
        reply = httpx.post(
            server.url + "//piwik.php?queuedtracking=0",
            content=json.dumps(body),
            headers={"Content-type": "application/json", "User-Agent": "Matomo/LogImport"},
            timeout=10,
        )
        assert reply.status_code == 200, reply.text
        answer = reply.json()
        assert (answer["tracked"], answer["invalid"], answer["invalid_indices"]) == (len(LINES), 0, [])
        server.stop()
        server.cli("rollup")
        through_matomo = daily(server.database, day.isoformat())

    log = tmp_path / "access.log"
    log.write_text(_log(day), encoding="utf-8")
    with Server(tmp_path / "cli", env=SECRET) as ours:
        ours.add_site("Example", DOMAIN)
        ours.cli("import-logs", "--site", "1", str(log))
        through_cli = daily(ours.database, day.isoformat())

    assert through_cli == (6, 3, 4)  # page views, visitors, visits
    assert through_matomo == through_cli


def test_a_back_dated_bulk_without_the_admin_token_is_refused(tmp_path: Path) -> None:
    day = _day()
    with Server(tmp_path / "matomo", env=SECRET) as server:
        site_id = server.add_site("Example", DOMAIN)
        stats_token = server.create_token(site_id, "stats")
        server.start()
        body = {"token_auth": stats_token, "requests": [_hit(day, site_id, LINES[0])]}
        reply = httpx.post(server.url + "//piwik.php?queuedtracking=0", content=json.dumps(body), timeout=10)
        assert reply.status_code == 200, reply.text
        assert (reply.json()["tracked"], reply.json()["invalid_indices"]) == (0, [0])
