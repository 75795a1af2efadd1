"""The privacy audit's traffic (tests/integration/test_privacy_audit.py): distinctive
addresses, user ids, e-mail addresses and secrets sent every way a client can, against a
real server whose every written byte is then scanned."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

from tests.integration.audit_backends import Storage
from tests.integration.audit_markers import (
    CAMPAIGN,
    CHROME,
    CIP_REFUSED,
    CIP_V4,
    CIP_V6,
    CLIENTS,
    COOKIES,
    EMAILS,
    FIREFOX,
    FRAGMENT_MARKER,
    GOOGLEBOT,
    HOSTILE_EMAILS,
    OPTED_OUT_UID,
    QUERY_MARKER,
    REF_QUERY_MARKER,
    SECRET,
    UIDS,
)
from tests.integration.audit_record import Audit, api_calls, send, snapshot, stats_calls
from tests.integration.server import Server


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
        page = (
            f"https://shop.example/account/{email}/{SECRET}/catalogue/blue-widget?email={email}"
            f"&session={QUERY_MARKER}&utm_source={CAMPAIGN}&uid={uid}#{FRAGMENT_MARKER}-{email}"
        )
        ref = f"https://mail.example/inbox/{pct}/read?to={email}&q={REF_QUERY_MARKER}"
        # page view, GET image (send_image=1)
        send(
            audit,
            client,
            f"pageview GET #{n}",
            "GET",
            "/matomo.php",
            headers=h,
            params={**base, "url": page, "urlref": ref, "action_name": f"Profile of {email} ({pct})"},
        )
        # a beacon the collector refuses (400): it has an access-log line of its own
        send(
            audit, client, f"bad beacon #{n}", "GET", "/matomo.php", headers=h, params={**base, "idsite": "x"}
        )
        # page view the way sendBeacon sends it: POST, params in the query, empty body
        send(
            audit,
            client,
            f"pageview beacon #{n}",
            "POST",
            "/matomo.php",
            headers=h,
            params={
                **base,
                "send_image": "0",
                "url": f"https://shop.example/u/{pct}/settings",
                "urlref": f"https://search.example/{email}",
                "action_name": f"Settings {pct}",
            },
            content=b"",
        )
        # page view as a form body (XHR POST)
        send(
            audit,
            client,
            f"pageview form #{n}",
            "POST",
            "/matomo.php",
            headers=h,
            data={
                **base,
                "send_image": "0",
                "url": f"https://shop.example/reset/{SECRET}?token={SECRET}",
                "action_name": f"Reset password for {email}",
            },
        )
        # an event, an outlink, a download, a site search, a heartbeat
        send(
            audit,
            client,
            f"event #{n}",
            "GET",
            "/matomo.php",
            headers=h,
            params={
                **base,
                "ca": "1",
                "e_c": "Form",
                "e_a": f"Submit {pct}",
                "e_n": f"sent by {email}",
                "e_v": "3",
                "url": "https://shop.example/contact",
            },
        )
        send(
            audit,
            client,
            f"outlink #{n}",
            "GET",
            "/matomo.php",
            headers=h,
            params={
                **base,
                "link": f"https://partner.example/ref/{email}/{SECRET}?u={uid}",
                "url": "https://shop.example/partners",
            },
        )
        send(
            audit,
            client,
            f"download #{n}",
            "GET",
            "/matomo.php",
            headers=h,
            params={
                **base,
                "download": f"https://shop.example/files/{SECRET}.pdf?sig={SECRET}",
                "url": "https://shop.example/files",
            },
        )
        send(
            audit,
            client,
            f"search #{n}",
            "GET",
            "/matomo.php",
            headers=h,
            params={
                **base,
                "search": email,
                "search_cat": "people",
                "search_count": "1",
                "url": f"https://shop.example/search?q={pct}",
            },
        )
        send(
            audit,
            client,
            f"ping #{n}",
            "POST",
            "/matomo.php",
            headers=h,
            params={**base, "ping": "1", "send_image": "0", "url": "https://shop.example/contact"},
        )
        # bulk, as matomo.js sends it (form content type), with a bad item among good ones
        bulk = {
            "requests": [
                "?" + urlencode({**base, "url": f"https://shop.example/b/{pct}", "action_name": email}),
                {
                    **base,
                    "idsite": 1,
                    "rec": 1,
                    "url": f"https://shop.example/c/{email}",
                    "urlref": f"https://other.example/{pct}?x={REF_QUERY_MARKER}",
                },
                ["not", "an", "item", uid, email],
            ]
        }
        send(
            audit,
            client,
            f"bulk #{n}",
            "POST",
            "/matomo.php",
            headers=[*h, ("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")],
            content=json.dumps(bulk).encode(),
        )
        # excluded requests: Do Not Track, Global Privacy Control, a bot
        send(
            audit,
            client,
            f"dnt #{n}",
            "GET",
            "/matomo.php",
            headers=_xff(xff, {"DNT": "1"}),
            params={**base, "url": f"https://shop.example/dnt/{email}", "action_name": email},
        )
        send(
            audit,
            client,
            f"gpc #{n}",
            "GET",
            "/matomo.php",
            headers=_xff(xff, {"Sec-GPC": "1"}),
            params={**base, "url": f"https://shop.example/gpc/{email}"},
        )
        send(
            audit,
            client,
            f"bot #{n}",
            "GET",
            "/matomo.php",
            headers=_xff(xff, ua=GOOGLEBOT),
            params={**base, "url": f"https://shop.example/bot/{email}"},
        )
        # an opted-out user
        send(
            audit,
            client,
            f"opted out #{n}",
            "GET",
            "/matomo.php",
            headers=h,
            params={**base, "uid": OPTED_OUT_UID, "url": f"https://shop.example/optout/{email}"},
        )
        # errors must not echo anything either
        send(
            audit,
            client,
            f"cid 400 #{n}",
            "GET",
            "/matomo.php",
            headers=h,
            params={**base, "cid": email, "url": "https://shop.example/"},
        )
        send(
            audit,
            client,
            f"unknown site #{n}",
            "GET",
            "/matomo.php",
            headers=h,
            params={**base, "idsite": "99", "url": f"https://shop.example/{email}"},
        )
    server_side = _xff([CLIENTS[0][0][0]], ua=FIREFOX)
    # cip overrides with the admin token: GET, form body, and a bulk body's token_auth
    send(
        audit,
        client,
        "cip GET",
        "GET",
        "/matomo.php",
        headers=server_side,
        params={
            "idsite": "1",
            "rec": "1",
            "cip": CIP_V4,
            "token_auth": token,
            "uid": UIDS[0],
            "url": "https://shop.example/server-side",
            "ua": CHROME,
        },
    )
    send(
        audit,
        client,
        "cip form",
        "POST",
        "/matomo.php",
        headers=server_side,
        data={
            "idsite": "1",
            "rec": "1",
            "cip": CIP_V6,
            "token_auth": token,
            "send_image": "0",
            "url": "https://shop.example/server-side-v6",
        },
    )
    send(
        audit,
        client,
        "cip bulk",
        "POST",
        "/matomo.php",
        headers=[*server_side, ("Content-Type", "application/json")],
        content=json.dumps(
            {
                "token_auth": token,
                "requests": [
                    {"idsite": "1", "rec": "1", "cip": CIP_V4, "url": "https://shop.example/bulk-cip"},
                    f"?idsite=1&rec=1&cip={quote(CIP_V6)}&url=https%3A%2F%2Fshop.example%2Fbulk-cip6",
                ],
            }
        ).encode(),
    )
    send(
        audit,
        client,
        "cip without token",
        "GET",
        "/matomo.php",
        headers=server_side,
        params={"idsite": "1", "rec": "1", "cip": CIP_REFUSED, "url": "https://shop.example/refused"},
    )
    # hostile placements of e-mail addresses
    for label, (_email, params) in HOSTILE_EMAILS.items():
        send(
            audit,
            client,
            f"hostile: {label}",
            "GET",
            "/matomo.php",
            headers=_xff([CLIENTS[0][0][0]]),
            params={"idsite": "1", "rec": "1", "url": "https://shop.example/hostile", **params},
        )
    # everything else a browser or an operator touches, cookies included
    h = _xff([CLIENTS[2][0][0]])
    for path in (
        "/matomo.php",
        "/piwik.php",
        "/matomo.js",
        "/piwik.js",
        "/healthz",
        "/readyz",
        "/metrics",
        f"/no-such-page?email={EMAILS[0]}&uid={UIDS[0]}",
    ):
        send(audit, client, f"GET {path}", "GET", path, headers=h)
    send(
        audit,
        client,
        "OPTIONS /matomo.php",
        "OPTIONS",
        "/matomo.php",
        headers=[*h, ("Origin", "https://shop.example"), ("Access-Control-Request-Method", "POST")],
    )
    send(
        audit,
        client,
        "POST with Origin",
        "POST",
        "/matomo.php",
        headers=[*h, ("Origin", "https://shop.example")],
        params={"idsite": "1", "rec": "1", "uid": UIDS[1], "url": "https://shop.example/cors"},
        content=b"",
    )


def run(data_dir: Path, storage: Storage) -> Audit:
    """Start a server, send all the traffic, stop it, roll up and export: the audit's input."""
    server = Server(
        data_dir,
        env={
            **storage.env,
            "COLLECTOR_TRUSTED_PROXIES": "127.0.0.1/32",
            "COLLECTOR_ACCESS_LOG": "true",
            "COLLECTOR_LOG_LEVEL": "debug",
            "COLLECTOR_ROLLUP_INTERVAL_S": "1",
        },
    )
    server.cli("migrate")
    site = server.add_site("Shop", "shop.example")
    assert site == 1
    audit = Audit(
        server,
        storage,
        server.create_token(site, "admin"),
        server.create_token(site, "stats"),
        server.create_token(site, "optout"),
    )
    try:
        server.start()
        with httpx.Client(base_url=server.url, timeout=10) as client:
            api_calls(audit, client)  # opt carol out first
            _traffic(audit, client)
            snapshot(audit, "running")  # the -wal and -shm files exist only while the server runs
            stats_calls(audit, client)
        snapshot(audit, "before-stop")
    finally:
        server.stop()
    server.cli("rollup")
    server.cli("export", "--site", "1", "--format", "json", "--output", str(server.data_dir / "export.json"))
    storage.checkpoint()
    return audit
