"""Privacy audit of a real server (docs/privacy.md, invariants 1, 2, 4, 5, 6, 8 and 10).

One server process runs behind a trusted proxy (``127.0.0.1/32``): varied traffic arrives
with distinctive client addresses in ``X-Forwarded-For`` (IPv4, IPv6, IPv4-mapped IPv6,
with ports and several headers), ``cip`` overrides with an admin token, user ids in
``uid``, e-mail addresses and a secret token in URLs, titles, referrers, events and
searches, tracking cookies on every request, DNT/GPC requests, bots and an opted-out user.
The server runs at log level ``debug`` (the most it can write) with a 1 s rollup interval
(so the daily tables are written too), then stops; ``collector rollup`` and ``collector
export`` run against the same data directory.

Then every byte of every file in the data directory is scanned (database, ``-wal`` and
``-shm`` snapshots taken while the server was running, the ``secret_key`` file, the
server's log, the export): no file is excluded. The same audit runs on PostgreSQL, on a
durable cluster of its own whose whole folder (table files, WAL, its log) is scanned
while running and at the end, after a checkpoint. A full address may appear in no textual
or binary form, nor a user id (plain, hex, base64, unhashed digests), nor an e-mail
address (plain or percent-encoded), nor the secret token or an API token.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections.abc import Iterator

import pytest

from collector.ingest.endpoint import BEACON_PATHS
from tests.integration.audit_backends import BACKENDS, open_storage
from tests.integration.audit_markers import (
    CAMPAIGN,
    CIP_REFUSED,
    CIP_V4,
    CIP_V6,
    CLIENTS,
    EMAILS,
    FRAGMENT_MARKER,
    HOSTILE_EMAILS,
    MASKED,
    OPTED_OUT_UID,
    QUERY_MARKER,
    REF_QUERY_MARKER,
    SECRET,
    SPOOFED_HOP,
    UA_MARKER,
    UIDS,
)
from tests.integration.audit_traffic import Audit, run
from tests.integration.scanner import find, ip_forms, secret_forms

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=BACKENDS)
def audit(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audit]:
    data = tmp_path_factory.mktemp(f"audit-{request.param}") / "data"
    data.mkdir(parents=True)
    storage = open_storage(request.param, data)
    try:
        yield run(data, storage)
    finally:
        storage.close()


def _forbidden_addresses() -> list[tuple[str, bytes]]:
    forms = []
    for address in [*(a for _, a in CLIENTS), SPOOFED_HOP, CIP_V4, CIP_V6, CIP_REFUSED]:
        forms += [(f"{address} ({desc})", form) for desc, form in ip_forms(address)]
    return forms


def test_the_traffic_was_stored(audit: Audit) -> None:
    """The scan can only fail for the right reason if the traffic reached the database."""
    assert not [r for r in audit.replies if r.status >= 500], [
        (r.label, r.status, r.body[:200]) for r in audit.replies if r.status >= 500
    ]
    kinds = dict(audit.rows("SELECT kind, count(*) FROM events GROUP BY kind"))
    dropped = dict(audit.rows("SELECT reason, sum(n) FROM dropped GROUP BY reason"))
    paths = [r[0] or "" for r in audit.rows("SELECT path FROM events")]
    sources = {r[0] for r in audit.rows("SELECT utm_source FROM events")}
    daily = audit.rows("SELECT count(*) FROM daily_site")[0][0]
    n = len(CLIENTS)
    for kind in ("pageview", "event", "outlink", "download", "search"):
        assert kinds.get(kind, 0) >= n, (kind, kinds)
    assert kinds["pageview"] >= 5 * n, kinds  # GET, beacon, form, two bulk items
    assert sum(kinds.values()) >= 11 * n, kinds
    assert dropped.get("dnt") == n and dropped.get("gpc") == n and dropped.get("bot") == n, dropped
    assert dropped.get("opted_out") == n, dropped
    assert any("/catalogue/blue-widget" in p and "[email]" in p for p in paths), paths
    assert CAMPAIGN in sources, sources  # a campaign key is kept: the query string was read
    assert daily >= 1, "the rollup wrote no daily rows"
    files = audit.files()
    written = ["server.log", "export.json"]
    if audit.storage.cluster is None:
        written += ["secret_key", ".sqlite3", ".sqlite3-wal", ".sqlite3-shm"]
    else:  # the cluster's WAL, table files and log (the instance secret is in the database)
        written += ["running/1/data/pg_wal/", "final/1/data/pg_wal/", "final/1/data/base/", "server.log"]
    for part in written:
        assert any(part in name if part.endswith("/") else name.endswith(part) for name in files), (
            part,
            sorted(files)[:40],
        )
    # the scan reads the bytes the rows are in: a stored path is found in the database's files
    stored_in = [n for n, b in files.items() if b"/catalogue/blue-widget" in b and "server.log" not in n]
    assert any("sqlite3" in n or "/1/data/pg_wal/" in n for n in stored_in), stored_in
    if audit.storage.cluster is not None:
        assert any("/1/data/base/" in n for n in stored_in), stored_in  # after the checkpoint
    by_label = {r.label: r for r in audit.replies}
    assert by_label["cip without token"].status == 400 and by_label["cid 400 #0"].status == 400
    assert by_label["cip GET"].status == 200 and by_label["cip bulk"].status == 200
    assert by_label["bulk #0"].status == 200
    assert json.loads(by_label["bulk #0"].body) | {"invalid_indices": None} == {
        "status": "success",
        "tracked": 2,
        "invalid": 1,
        "invalid_indices": None,
    }


def test_geolocation_was_on(audit: Audit) -> None:
    """The scan covers a server that derives countries: the German client's events have
    one (from its masked address), the documentation addresses none."""
    countries = {r[0] for r in audit.rows("SELECT DISTINCT country FROM events")}
    assert "de" in countries, countries


def test_no_reply_sets_a_cookie(audit: Audit) -> None:
    """Invariant 2: every request carried _pk_id/_pk_ses/mtm_consent cookies; no reply sets one."""
    assert len(audit.replies) > 100
    setting = [(r.label, v) for r in audit.replies for k, v in r.headers if k.lower() == "set-cookie"]
    assert setting == []


def test_dropped_requests_get_the_same_reply(audit: Audit) -> None:
    """Invariant 8: a DNT/GPC/bot/opted-out request looks tracked, but for one header."""
    by_label = {r.label: r for r in audit.replies}
    tracked = by_label["pageview GET #0"]
    assert tracked.status == 200 and tracked.body.startswith(b"GIF89a")
    for label in ("dnt #0", "gpc #0", "bot #0", "opted out #0"):
        reply = by_label[label]
        assert (reply.status, reply.body) == (tracked.status, tracked.body), label
        dropped = dict((k.lower(), v) for k, v in reply.headers).get("x-collector-dropped")
        # an opted-out uid's reply says nothing: whether it opted out is not the page's to read
        assert (dropped is None) if label == "opted out #0" else dropped, label


def test_no_full_address_in_any_file(audit: Audit) -> None:
    """Invariant 1: database, WAL, shm, secret key file, log, export."""
    leaks = find(_forbidden_addresses(), audit.files())
    assert leaks == [], "\n".join(leaks)


def test_no_user_id_in_any_file(audit: Audit) -> None:
    """Invariant 4: uid is used for the opt-out check only (and cookies are ignored)."""
    forms = [(f"uid {uid!r} ({d})", f) for uid in [*UIDS, OPTED_OUT_UID] for d, f in secret_forms(uid)]
    leaks = find(forms, audit.files())
    assert leaks == [], "\n".join(leaks)


def test_no_email_address_in_any_file(audit: Audit) -> None:
    """Invariant 5: e-mail addresses in URLs, titles, referrers, events, searches."""
    forms = [(f"e-mail {e!r} ({d})", f) for e in EMAILS for d, f in secret_forms(e)]
    leaks = find(forms, audit.files())
    assert leaks == [], "\n".join(leaks)


@pytest.mark.parametrize("place", list(HOSTILE_EMAILS))
def test_no_email_address_from_unusual_places(audit: Audit, place: str) -> None:
    email = HOSTILE_EMAILS[place][0]
    forms = [(f"e-mail {email!r} ({d})", f) for d, f in secret_forms(email, digests=False)]
    leaks = find(forms, audit.files())
    assert leaks == [], "\n".join(leaks)


def test_no_secret_token_or_api_token_in_any_file(audit: Audit) -> None:
    """Invariant 5 (long secret-looking tokens in paths) and tokens stored only as hashes."""
    forms = [(f"path secret ({d})", f) for d, f in secret_forms(SECRET)]
    for name, token in (
        ("admin", audit.admin_token),
        ("stats", audit.stats_token),
        ("optout", audit.optout_token),
    ):
        forms += [(f"{name} API token ({d})", f) for d, f in secret_forms(token, digests=False)]
    leaks = find(forms, audit.files())
    assert leaks == [], "\n".join(leaks)


def test_no_raw_user_agent_query_string_or_fragment_in_any_file(audit: Audit) -> None:
    """Invariant 5: raw User-Agent, referrer queries, non-campaign query keys, fragments."""
    forms = [
        ("raw User-Agent", UA_MARKER.encode()),
        ("referrer query", REF_QUERY_MARKER.encode()),
        ("non-campaign query key", QUERY_MARKER.encode()),
        ("URL fragment", FRAGMENT_MARKER.encode()),
    ]
    leaks = find(forms, audit.files())
    assert leaks == [], "\n".join(leaks)


def test_no_reply_echoes_an_address_user_id_or_email(audit: Audit) -> None:
    """Invariant 1 covers error pages and metrics too: scan every reply, headers included."""
    forms = _forbidden_addresses()
    for value in [*UIDS, OPTED_OUT_UID, *EMAILS, SECRET]:
        forms += [(f"{value!r} ({d})", f) for d, f in secret_forms(value, digests=False)]
    leaks = find(forms, {f"reply to {r.label}": r.raw() for r in audit.replies})
    assert leaks == [], "\n".join(leaks)


ACCESS = re.compile(r'collector\.access: (\S+) "(\S+) ([^"]*)" (\d{3}) ')
BEACONS = re.compile(r"collector\.access: beacons: (\d+) answered")


def test_the_log_holds_masked_addresses_and_no_query_strings(audit: Audit) -> None:
    log = audit.server.log_text()
    lines = ACCESS.findall(log)
    tracked = [r for r in audit.replies if r.path in BEACON_PATHS and r.status < 400]
    assert tracked, "the audit sends beacons"
    assert len(lines) >= len(audit.replies) - len(tracked), "every other request should have a line"
    assert sum(int(n) for n in BEACONS.findall(log)) == len(tracked), "tracked beacons are counted"
    for masked in MASKED:
        assert f"collector.access: {masked} " in log, masked
    for ip_text, _method, path, _status in lines:
        ip = ipaddress.ip_address(ip_text)
        host_bits = 16 if ip.version == 4 else 80
        assert int(ip) & ((1 << host_bits) - 1) == 0, f"unmasked address in the access log: {ip_text}"
        assert "?" not in path and "=" not in path, f"a query string in the access log: {path}"
    assert "/api/v1/sites/1/optouts/-" in log  # the user_ref in the opt-out path is masked
    assert "Traceback" not in log
    for needle in ("idsite=", "rec=1", "action_name", "urlref", "token_auth", "uid=", "email=", "cip="):
        assert needle not in log, needle


def test_the_debug_log_holds_no_salt_and_no_tracked_content(audit: Audit) -> None:
    """Invariant 6 (salts destroyed after 48 hours) and "never log content for analytics"
    hold at every log level: the log outlives both."""
    log = audit.server.log_text()
    salts = [bytes(r[0]) for r in audit.rows("SELECT salt FROM salts")]
    assert salts, "no salt was created"
    leaks = []
    for salt in salts:
        for form in (repr(salt)[2:-1], salt.hex(), base64.b64encode(salt).decode()):
            if form in log:
                leaks.append(f"a visitor salt in the log: {form[:24]}…")
    for content in ("/catalogue/blue-widget", "Profile of [email]", "Reset password for [email]"):
        if content in log:
            leaks.append(f"tracked content in the log: {content!r}")
    assert leaks == [], "\n".join(leaks)


def test_the_scanner_finds_every_form_it_looks_for() -> None:
    """The scan is not vacuous: each form of an address or id is found when present."""
    v4 = ipaddress.ip_address("203.0.113.77")
    v6 = ipaddress.ip_address("2001:db8:7777:beef::42")
    planted = {
        "a": b"x 3405803853 y",
        "b": b"\x00" + v4.packed + b"\x00",
        "c": b"IP=203.0.113.77;",
        "d": b"2001:0DB8:7777:BEEF:0000:0000:0000:0042",
        "e": v6.packed,
        "f": b"0:0:0:0:0:ffff:cb00:714d",
        "g": base64.b64encode(UIDS[0].encode()),
        "h": b"ALICE%40EXAMPLE.ORG",
        "i": b"alice.uid.3141592653",
    }
    found = find(
        [*ip_forms(str(v4)), *ip_forms(str(v6)), *secret_forms(UIDS[0]), *secret_forms(EMAILS[0])], planted
    )
    assert {line.split(" in ")[1].split(" ")[0] for line in found} == set(planted)
    assert find(ip_forms(str(v4)), {"masked": b"203.0.0.0 2001:db8:7777:: 3405774848"}) == []
