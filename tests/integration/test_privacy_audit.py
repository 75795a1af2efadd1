"""Privacy audit of a real server (DESIGN.md invariants 1, 2, 4, 5, 6).

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
server's log, the export): no file is excluded. A full address may appear in no textual
or binary form, nor a user id (plain, hex, base64, unhashed digests), nor an e-mail
address (plain or percent-encoded), nor the secret token or an API token.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import httpx
import pytest

from tests.integration.server import Server

pytestmark = pytest.mark.slow

# --- what is sent ------------------------------------------------------------------------
UA_MARKER = "AuditUA/4242.17"
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          f"Chrome/130.0.0.0 Safari/537.36 {UA_MARKER}")
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

# Client addresses, as the proxy forwards them: (X-Forwarded-For header values, the address).
# Each masked /16 (IPv4) or /48 (IPv6) form differs from the full form.
SPOOFED_HOP = "172.21.254.77"  # an earlier hop a client can put in the header: never kept either
CLIENTS: list[tuple[list[str], str]] = [
    (["203.0.113.77"], "203.0.113.77"),
    ([f"{SPOOFED_HOP}, 198.51.100.123:61000"], "198.51.100.123"),  # a chain, a port
    (["2001:db8:abcd:1234:5678:9abc:def0:1234"], "2001:db8:abcd:1234:5678:9abc:def0:1234"),
    (["[2001:db8:7777:beef::42]:8443"], "2001:db8:7777:beef::42"),  # bracketed, with a port
    (["::ffff:203.0.113.99"], "::ffff:203.0.113.99"),  # IPv4-mapped IPv6
    ([SPOOFED_HOP, "192.0.2.146"], "192.0.2.146"),  # two X-Forwarded-For headers make one list
]
CIP_V4 = "198.51.100.222"  # cip overrides with the admin token
CIP_V6 = "2001:db8:c1b:5eed::7"
CIP_REFUSED = "192.0.2.99"  # cip without a token: refused with 400, must not be written either
MASKED = ["203.0.0.0", "198.51.0.0", "192.0.0.0", "2001:db8:abcd::", "2001:db8:7777::"]

UIDS = ["alice.uid.3141592653", "bob-account-27182818"]
OPTED_OUT_UID = "carol.optout.2718281828"
EMAILS = ["alice@example.org", "bob.smith+news@example.net"]
SECRET = "pwreset_Q7v9XkL2mN4pR8sT1wY3zA6bC0dE5fG"  # a long secret-looking token in a path
# Invariant 5 markers: none of these parts of a request may be stored.
REF_QUERY_MARKER = "rq_marker_93817"  # in a referrer's query string
QUERY_MARKER = "qs_marker_66120"  # a non-campaign key of a page URL's query string
FRAGMENT_MARKER = "frag_marker_55012"  # a page URL's fragment
CAMPAIGN = "newsletter_audit"  # a campaign key: kept (positive control)
COOKIES = {"Cookie": "_pk_id.1.abcd=0123456789abcdef.1795348800; _pk_ses.1.abcd=1; "
                     "mtm_consent=1795348800000; _pk_uid=alice.uid.3141592653"}

# E-mail addresses in unusual places, each its own address so a leak names its place.
HOSTILE_EMAILS: dict[str, tuple[str, dict[str, str]]] = {
    "pv_id": ("pv@ex.io", {"pv_id": "pv@ex.io"}),
    "referrer host, percent-encoded": (
        "refhost@example.org", {"urlref": "https://refhost%40example.org/inbox"}),
    "referrer userinfo": (
        "refuser@example.org", {"urlref": "https://refuser%40example.org@mail.example/inbox"}),
    "outlink host, percent-encoded": (
        "linkhost@example.org", {"link": "https://linkhost%40example.org/profile"}),
    "outlink mailto": ("mailto@example.org", {"link": "mailto:mailto@example.org?subject=hi"}),
    "download path": ("dlpath@example.org", {"download": "https://shop.example/f/dlpath@example.org.pdf"}),
    "campaign values": ("camp@example.org", {
        "url": "https://shop.example/?utm_source=camp%40example.org&utm_campaign=camp@example.org"}),
    "_rcn/_rck": ("rcn@example.org", {"_rcn": "rcn@example.org", "_rck": "rcn%40example.org"}),
    "content": ("content@example.org", {"c_n": "content@example.org", "c_p": "content%40example.org"}),
    "search category": ("searchcat@example.org", {"search": "shoes", "search_cat": "searchcat@example.org"}),
}


def ip_forms(address: str) -> list[tuple[str, bytes]]:
    """Every form of a full address worth looking for: (description, bytes)."""
    ip = ipaddress.ip_address(address)
    forms: list[tuple[str, bytes]] = []
    if isinstance(ip, ipaddress.IPv6Address):
        v6_text = {ip.compressed, ip.exploded, ":".join(f"{int(g, 16):x}" for g in ip.exploded.split(":"))}
        forms += [("IPv6 text", t.encode()) for t in sorted(v6_text)]
        forms += [("IPv6 text, upper case", t.upper().encode()) for t in sorted(v6_text)]
        forms.append(("IPv6 16 raw bytes", ip.packed))
        forms.append(("IPv6 hex", ip.packed.hex().encode()))
        if ip.ipv4_mapped is None:
            return forms
        ip = ip.ipv4_mapped
    v4 = ip
    assert isinstance(v4, ipaddress.IPv4Address)
    octets = str(v4).split(".")
    forms += [
        ("dotted", str(v4).encode()),
        ("zero-padded dotted", ".".join(o.zfill(3) for o in octets).encode()),
        ("reversed (in-addr.arpa)", ".".join(reversed(octets)).encode()),
        ("decimal integer", str(int(v4)).encode()),
        ("hex integer", v4.packed.hex().encode()),
        ("4 raw bytes", v4.packed),
        ("IPv4-mapped IPv6, hex", f"ffff:{v4.packed[:2].hex()}:{v4.packed[2:].hex()}".encode()),
        ("IPv4-mapped IPv6, 16 raw bytes", ipaddress.IPv6Address(f"::ffff:{v4}").packed),
    ]
    return forms


def secret_forms(value: str, digests: bool = True) -> list[tuple[str, bytes]]:
    """A user id, e-mail or token: plain, encoded, and unkeyed digests (linkable as well)."""
    raw = value.encode()
    forms = [("plain", raw), ("upper case", value.upper().encode()), ("hex", raw.hex().encode()),
             ("HEX", raw.hex().upper().encode()), ("base64", base64.b64encode(raw)),
             ("base64url", base64.urlsafe_b64encode(raw).rstrip(b"=")),
             ("percent-encoded", quote(value, safe="").encode()),
             ("form-encoded", quote_plus(value, safe="").encode()),
             ("double percent-encoded", quote(quote(value, safe=""), safe="").encode())]
    for name in ("md5", "sha1", "sha256", "blake2b") if digests else ():
        forms.append((f"unkeyed {name} prefix", hashlib.new(name, raw).hexdigest()[:16].encode()))
    return list({form: (desc, form) for desc, form in forms}.values())


@dataclass
class Reply:
    label: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def raw(self) -> bytes:
        head = "\n".join(f"{k}: {v}" for k, v in self.headers)
        return f"{self.status}\n{head}\n\n".encode() + self.body


@dataclass
class Audit:
    server: Server
    admin_token: str
    stats_token: str
    optout_token: str
    replies: list[Reply] = field(default_factory=list)
    snapshots: dict[str, bytes] = field(default_factory=dict)  # "<phase>/<file name>" → bytes

    def files(self) -> dict[str, bytes]:
        """Every file in the data directory now, plus the snapshots taken while running."""
        now = {f"final/{p.relative_to(self.server.data_dir)}": p.read_bytes()
               for p in sorted(self.server.data_dir.rglob("*")) if p.is_file()}
        return {**self.snapshots, **now}

    def db(self) -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{self.server.database}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        return conn


def _snapshot(audit: Audit, phase: str) -> None:
    for path in sorted(audit.server.data_dir.rglob("*")):
        if path.is_file():
            audit.snapshots[f"{phase}/{path.relative_to(audit.server.data_dir)}"] = path.read_bytes()


def _send(audit: Audit, client: httpx.Client, label: str, method: str, path: str, *,
          headers: list[tuple[str, str]] | None = None, **kwargs: Any) -> Reply:
    reply = client.request(method, path, headers=headers, **kwargs)
    record = Reply(label, reply.status_code, list(reply.headers.multi_items()), reply.content)
    audit.replies.append(record)
    return record


def _xff(values: list[str], extra: dict[str, str] | None = None, ua: str = CHROME) -> list[tuple[str, str]]:
    headers = [("User-Agent", ua), ("Accept-Language", "nb-NO,nb;q=0.9,en;q=0.8"), *COOKIES.items()]
    headers += [("X-Forwarded-For", v) for v in values]
    return headers + list((extra or {}).items())


def _traffic(audit: Audit, client: httpx.Client) -> None:
    token = audit.admin_token
    for n, (xff, _address) in enumerate(CLIENTS):
        uid, email = UIDS[n % 2], EMAILS[n % 2]
        pct = quote(email, safe="")  # alice%40example.org
        h = _xff(xff)
        base = {"idsite": "1", "rec": "1", "uid": uid, "res": "1920x1080", "pv_id": f"pv{n:04d}"}
        page = (f"https://shop.example/account/{email}/{SECRET}/catalogue/blue-widget?email={email}"
                f"&session={QUERY_MARKER}&utm_source={CAMPAIGN}&uid={uid}#{FRAGMENT_MARKER}-{email}")
        ref = f"https://mail.example/inbox/{pct}/read?to={email}&q={REF_QUERY_MARKER}"
        # page view, GET image (send_image=1)
        _send(audit, client, f"pageview GET #{n}", "GET", "/matomo.php", headers=h, params={
            **base, "url": page, "urlref": ref, "action_name": f"Profile of {email} ({pct})"})
        # page view the way sendBeacon sends it: POST, params in the query, empty body
        _send(audit, client, f"pageview beacon #{n}", "POST", "/matomo.php", headers=h, params={
            **base, "send_image": "0", "url": f"https://shop.example/u/{pct}/settings",
            "urlref": f"https://search.example/{email}", "action_name": f"Settings {pct}"}, content=b"")
        # page view as a form body (XHR POST)
        _send(audit, client, f"pageview form #{n}", "POST", "/matomo.php", headers=h, data={
            **base, "send_image": "0", "url": f"https://shop.example/reset/{SECRET}?token={SECRET}",
            "action_name": f"Reset password for {email}"})
        # an event, an outlink, a download, a site search, a heartbeat
        _send(audit, client, f"event #{n}", "GET", "/matomo.php", headers=h, params={
            **base, "ca": "1", "e_c": "Form", "e_a": f"Submit {pct}", "e_n": f"sent by {email}",
            "e_v": "3", "url": "https://shop.example/contact"})
        _send(audit, client, f"outlink #{n}", "GET", "/matomo.php", headers=h, params={
            **base, "link": f"https://partner.example/ref/{email}/{SECRET}?u={uid}",
            "url": "https://shop.example/partners"})
        _send(audit, client, f"download #{n}", "GET", "/matomo.php", headers=h, params={
            **base, "download": f"https://shop.example/files/{SECRET}.pdf?sig={SECRET}",
            "url": "https://shop.example/files"})
        _send(audit, client, f"search #{n}", "GET", "/matomo.php", headers=h, params={
            **base, "search": email, "search_cat": "people", "search_count": "1",
            "url": f"https://shop.example/search?q={pct}"})
        _send(audit, client, f"ping #{n}", "POST", "/matomo.php", headers=h, params={
            **base, "ping": "1", "send_image": "0", "url": "https://shop.example/contact"})
        # bulk, as matomo.js sends it (form content type), with a bad item among good ones
        bulk = {"requests": [
            "?" + urlencode({**base, "url": f"https://shop.example/b/{pct}", "action_name": email}),
            {**base, "idsite": 1, "rec": 1, "url": f"https://shop.example/c/{email}",
             "urlref": f"https://other.example/{pct}?x={REF_QUERY_MARKER}"},
            ["not", "an", "item", uid, email],
        ]}
        _send(audit, client, f"bulk #{n}", "POST", "/matomo.php", headers=[
            *h, ("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")],
            content=json.dumps(bulk).encode())
        # excluded requests: Do Not Track, Global Privacy Control, a bot
        _send(audit, client, f"dnt #{n}", "GET", "/matomo.php", headers=_xff(xff, {"DNT": "1"}), params={
            **base, "url": f"https://shop.example/dnt/{email}", "action_name": email})
        _send(audit, client, f"gpc #{n}", "GET", "/matomo.php", headers=_xff(xff, {"Sec-GPC": "1"}),
              params={**base, "url": f"https://shop.example/gpc/{email}"})
        _send(audit, client, f"bot #{n}", "GET", "/matomo.php", headers=_xff(xff, ua=GOOGLEBOT), params={
            **base, "url": f"https://shop.example/bot/{email}"})
        # an opted-out user
        _send(audit, client, f"opted out #{n}", "GET", "/matomo.php", headers=h, params={
            **base, "uid": OPTED_OUT_UID, "url": f"https://shop.example/optout/{email}"})
        # errors must not echo anything either
        _send(audit, client, f"cid 400 #{n}", "GET", "/matomo.php", headers=h, params={
            **base, "cid": email, "url": "https://shop.example/"})
        _send(audit, client, f"unknown site #{n}", "GET", "/matomo.php", headers=h, params={
            **base, "idsite": "99", "url": f"https://shop.example/{email}"})
    server_side = _xff([CLIENTS[0][0][0]], ua=FIREFOX)
    # cip overrides with the admin token: GET, form body, and a bulk body's token_auth
    _send(audit, client, "cip GET", "GET", "/matomo.php", headers=server_side, params={
        "idsite": "1", "rec": "1", "cip": CIP_V4, "token_auth": token, "uid": UIDS[0],
        "url": "https://shop.example/server-side", "ua": CHROME})
    _send(audit, client, "cip form", "POST", "/matomo.php", headers=server_side, data={
        "idsite": "1", "rec": "1", "cip": CIP_V6, "token_auth": token, "send_image": "0",
        "url": "https://shop.example/server-side-v6"})
    _send(audit, client, "cip bulk", "POST", "/matomo.php", headers=[
        *server_side, ("Content-Type", "application/json")], content=json.dumps({
            "token_auth": token, "requests": [
                {"idsite": "1", "rec": "1", "cip": CIP_V4, "url": "https://shop.example/bulk-cip"},
                f"?idsite=1&rec=1&cip={quote(CIP_V6)}&url=https%3A%2F%2Fshop.example%2Fbulk-cip6"]}).encode())
    _send(audit, client, "cip without token", "GET", "/matomo.php", headers=server_side, params={
        "idsite": "1", "rec": "1", "cip": CIP_REFUSED, "url": "https://shop.example/refused"})
    # hostile placements of e-mail addresses
    for label, (_email, params) in HOSTILE_EMAILS.items():
        _send(audit, client, f"hostile: {label}", "GET", "/matomo.php", headers=_xff([CLIENTS[0][0][0]]),
              params={"idsite": "1", "rec": "1", "url": "https://shop.example/hostile", **params})
    # everything else a browser or an operator touches, cookies included
    h = _xff([CLIENTS[2][0][0]])
    for path in ("/matomo.php", "/piwik.php", "/matomo.js", "/piwik.js", "/healthz", "/readyz", "/metrics",
                 f"/no-such-page?email={EMAILS[0]}&uid={UIDS[0]}"):
        _send(audit, client, f"GET {path}", "GET", path, headers=h)
    _send(audit, client, "OPTIONS /matomo.php", "OPTIONS", "/matomo.php", headers=[
        *h, ("Origin", "https://shop.example"), ("Access-Control-Request-Method", "POST")])
    _send(audit, client, "POST with Origin", "POST", "/matomo.php", headers=[
        *h, ("Origin", "https://shop.example")], params={
        "idsite": "1", "rec": "1", "uid": UIDS[1], "url": "https://shop.example/cors"}, content=b"")


def _api(audit: Audit, client: httpx.Client) -> None:
    """The opt-out API (its user_ref is a uid) and the stats API, whose replies are scanned."""
    auth = [("Authorization", f"Bearer {audit.optout_token}"), *COOKIES.items(),
            ("X-Forwarded-For", CLIENTS[0][0][0])]
    for method in ("PUT", "GET"):
        reply = _send(audit, client, f"optout {method}", method, f"/api/v1/sites/1/optouts/{OPTED_OUT_UID}",
                      headers=auth)
        assert reply.status in (200, 204), reply.body


def _stats(audit: Audit, client: httpx.Client) -> None:
    auth = [("Authorization", f"Bearer {audit.stats_token}"), ("X-Forwarded-For", CLIENTS[1][0][0])]
    for report in ("summary", "breakdown/pages", "breakdown/referrers", "breakdown/outlinks",
                   "breakdown/downloads", "breakdown/searches", "breakdown/events", "dropped"):
        _send(audit, client, f"stats {report}", "GET", f"/api/v1/sites/1/{report}", headers=auth)


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audit]:
    server = Server(tmp_path_factory.mktemp("audit") / "data", env={
        "COLLECTOR_TRUSTED_PROXIES": "127.0.0.1/32", "COLLECTOR_ACCESS_LOG": "true",
        "COLLECTOR_LOG_LEVEL": "debug", "COLLECTOR_ROLLUP_INTERVAL_S": "1"})
    server.cli("migrate")
    site = server.add_site("Shop", "shop.example")
    assert site == 1
    audit = Audit(server, server.create_token(site, "admin"), server.create_token(site, "stats"),
                  server.create_token(site, "optout"))
    try:
        server.start()
        with httpx.Client(base_url=server.url, timeout=10) as client:
            _api(audit, client)  # opt carol out first
            _traffic(audit, client)
            _snapshot(audit, "running")  # the -wal and -shm files exist only while the server runs
            _stats(audit, client)
        _snapshot(audit, "before-stop")
    finally:
        server.stop()
    server.cli("rollup")
    server.cli("export", "--site", "1", "--format", "json", "--output", str(server.data_dir / "export.json"))
    yield audit


# --- the scan ----------------------------------------------------------------------------
def _find(forms: list[tuple[str, bytes]], blobs: dict[str, bytes]) -> list[str]:
    found = []
    for name, blob in blobs.items():
        lower = blob.lower()
        for desc, form in forms:
            haystack = lower if form.isascii() and form == form.lower() else blob
            at = haystack.find(form)
            if at >= 0:
                context = blob[max(0, at - 60): at + len(form) + 60]
                found.append(f"{desc} {form!r} in {name} at {at}: …{context!r}…")
    return found


def _forbidden_addresses() -> list[tuple[str, bytes]]:
    forms = []
    for address in [*(a for _, a in CLIENTS), SPOOFED_HOP, CIP_V4, CIP_V6, CIP_REFUSED]:
        forms += [(f"{address} ({desc})", form) for desc, form in ip_forms(address)]
    return forms


def test_the_traffic_was_stored(audit: Audit) -> None:
    """The scan can only fail for the right reason if the traffic reached the database."""
    assert not [r for r in audit.replies if r.status >= 500], [
        (r.label, r.status, r.body[:200]) for r in audit.replies if r.status >= 500]
    conn = audit.db()
    kinds = dict(conn.execute("SELECT kind, count(*) FROM events GROUP BY kind").fetchall())
    dropped = dict(conn.execute("SELECT reason, sum(n) FROM dropped GROUP BY reason").fetchall())
    paths = [r[0] or "" for r in conn.execute("SELECT path FROM events")]
    sources = {r[0] for r in conn.execute("SELECT utm_source FROM events")}
    daily = conn.execute("SELECT count(*) FROM daily_site").fetchone()[0]
    conn.close()
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
    for suffix in (".sqlite3", ".sqlite3-wal", ".sqlite3-shm", "secret_key", "server.log", "export.json"):
        assert any(name.endswith(suffix) for name in files), (suffix, sorted(files))
    by_label = {r.label: r for r in audit.replies}
    assert by_label["cip without token"].status == 400 and by_label["cid 400 #0"].status == 400
    assert by_label["cip GET"].status == 200 and by_label["cip bulk"].status == 200
    assert by_label["bulk #0"].status == 200
    assert json.loads(by_label["bulk #0"].body) | {"invalid_indices": None} == {
        "status": "success", "tracked": 2, "invalid": 1, "invalid_indices": None}


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
        assert dict((k.lower(), v) for k, v in reply.headers).get("x-collector-dropped"), label


def test_no_full_address_in_any_file(audit: Audit) -> None:
    """Invariant 1: database, WAL, shm, secret key file, log, export."""
    leaks = _find(_forbidden_addresses(), audit.files())
    assert leaks == [], "\n".join(leaks)


def test_no_user_id_in_any_file(audit: Audit) -> None:
    """Invariant 4: uid is used for the opt-out check only (and cookies are ignored)."""
    forms = [(f"uid {uid!r} ({d})", f) for uid in [*UIDS, OPTED_OUT_UID] for d, f in secret_forms(uid)]
    leaks = _find(forms, audit.files())
    assert leaks == [], "\n".join(leaks)


def test_no_email_address_in_any_file(audit: Audit) -> None:
    """Invariant 5: e-mail addresses in URLs, titles, referrers, events, searches."""
    forms = [(f"e-mail {e!r} ({d})", f) for e in EMAILS for d, f in secret_forms(e)]
    leaks = _find(forms, audit.files())
    assert leaks == [], "\n".join(leaks)


@pytest.mark.parametrize("place", list(HOSTILE_EMAILS))
def test_no_email_address_from_unusual_places(audit: Audit, place: str) -> None:
    email = HOSTILE_EMAILS[place][0]
    forms = [(f"e-mail {email!r} ({d})", f) for d, f in secret_forms(email, digests=False)]
    leaks = _find(forms, audit.files())
    assert leaks == [], "\n".join(leaks)


def test_no_secret_token_or_api_token_in_any_file(audit: Audit) -> None:
    """Invariant 5 (long secret-looking tokens in paths) and tokens stored only as hashes."""
    forms = [(f"path secret ({d})", f) for d, f in secret_forms(SECRET)]
    for name, token in (("admin", audit.admin_token), ("stats", audit.stats_token),
                        ("optout", audit.optout_token)):
        forms += [(f"{name} API token ({d})", f) for d, f in secret_forms(token, digests=False)]
    leaks = _find(forms, audit.files())
    assert leaks == [], "\n".join(leaks)


def test_no_raw_user_agent_query_string_or_fragment_in_any_file(audit: Audit) -> None:
    """Invariant 5: raw User-Agent, referrer queries, non-campaign query keys, fragments."""
    forms = [("raw User-Agent", UA_MARKER.encode()), ("referrer query", REF_QUERY_MARKER.encode()),
             ("non-campaign query key", QUERY_MARKER.encode()), ("URL fragment", FRAGMENT_MARKER.encode())]
    leaks = _find(forms, audit.files())
    assert leaks == [], "\n".join(leaks)


def test_no_reply_echoes_an_address_user_id_or_email(audit: Audit) -> None:
    """Invariant 1 covers error pages and metrics too: scan every reply, headers included."""
    forms = _forbidden_addresses()
    for value in [*UIDS, OPTED_OUT_UID, *EMAILS, SECRET]:
        forms += [(f"{value!r} ({d})", f) for d, f in secret_forms(value, digests=False)]
    leaks = _find(forms, {f"reply to {r.label}": r.raw() for r in audit.replies})
    assert leaks == [], "\n".join(leaks)


ACCESS = re.compile(r'collector\.access: (\S+) "(\S+) ([^"]*)" (\d{3}) ')


def test_the_log_holds_masked_addresses_and_no_query_strings(audit: Audit) -> None:
    log = audit.server.log_text()
    lines = ACCESS.findall(log)
    assert len(lines) >= len(audit.replies), "every request should have an access-log line"
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
    conn = audit.db()
    salts = [bytes(r[0]) for r in conn.execute("SELECT salt FROM salts")]
    conn.close()
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
        "a": b"x 3405803853 y", "b": b"\x00" + v4.packed + b"\x00", "c": b"IP=203.0.113.77;",
        "d": b"2001:0DB8:7777:BEEF:0000:0000:0000:0042", "e": v6.packed, "f": b"0:0:0:0:0:ffff:cb00:714d",
        "g": base64.b64encode(UIDS[0].encode()), "h": b"ALICE%40EXAMPLE.ORG", "i": b"alice.uid.3141592653",
    }
    found = _find([*ip_forms(str(v4)), *ip_forms(str(v6)), *secret_forms(UIDS[0]), *secret_forms(EMAILS[0])],
                  planted)
    assert {line.split(" in ")[1].split(" ")[0] for line in found} == set(planted)
    assert _find(ip_forms(str(v4)), {"masked": b"203.0.0.0 2001:db8:7777:: 3405774848"}) == []
