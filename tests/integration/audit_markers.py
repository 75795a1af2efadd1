"""What the privacy audit sends (tests/integration/audit_traffic.py): distinctive client
addresses, user ids, e-mail addresses, secrets and markers, each of which must never be
written anywhere — and the few that must (masked addresses, a campaign) as controls."""

from __future__ import annotations

# --- what is sent ------------------------------------------------------------------------
UA_MARKER = "AuditUA/4242.17"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/130.0.0.0 Safari/537.36 {UA_MARKER}"
)
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
    (["193.99.144.85"], "193.99.144.85"),  # a public address: its /16 is German (collector/geo/)
]
CIP_V4 = "198.51.100.222"  # cip overrides with the admin token
CIP_V6 = "2001:db8:c1b:5eed::7"
CIP_REFUSED = "192.0.2.99"  # cip without a token: refused with 400, must not be written either
MASKED = ["203.0.0.0", "198.51.0.0", "192.0.0.0", "2001:db8:abcd::", "2001:db8:7777::", "193.99.0.0"]

UIDS = ["alice.uid.3141592653", "bob-account-27182818"]
OPTED_OUT_UID = "carol.optout.2718281828"
EMAILS = ["alice@example.org", "bob.smith+news@example.net"]
SECRET = "pwreset_Q7v9XkL2mN4pR8sT1wY3zA6bC0dE5fG"  # a long secret-looking token in a path
# Invariant 5 markers: none of these parts of a request may be stored.
REF_QUERY_MARKER = "rq_marker_93817"  # in a referrer's query string
QUERY_MARKER = "qs_marker_66120"  # a non-campaign key of a page URL's query string
FRAGMENT_MARKER = "frag_marker_55012"  # a page URL's fragment
CAMPAIGN = "newsletter_audit"  # a campaign key: kept (positive control)
COOKIES = {
    "Cookie": "_pk_id.1.abcd=0123456789abcdef.1795348800; _pk_ses.1.abcd=1; "
    "mtm_consent=1795348800000; _pk_uid=alice.uid.3141592653"
}

# E-mail addresses in unusual places, each its own address so a leak names its place.
HOSTILE_EMAILS: dict[str, tuple[str, dict[str, str]]] = {
    "pv_id": ("pv@ex.io", {"pv_id": "pv@ex.io"}),
    "referrer host, percent-encoded": (
        "refhost@example.org",
        {"urlref": "https://refhost%40example.org/inbox"},
    ),
    "referrer userinfo": (
        "refuser@example.org",
        {"urlref": "https://refuser%40example.org@mail.example/inbox"},
    ),
    "outlink host, percent-encoded": (
        "linkhost@example.org",
        {"link": "https://linkhost%40example.org/profile"},
    ),
    "outlink mailto": ("mailto@example.org", {"link": "mailto:mailto@example.org?subject=hi"}),
    "download path": ("dlpath@example.org", {"download": "https://shop.example/f/dlpath@example.org.pdf"}),
    "campaign values": (
        "camp@example.org",
        {"url": "https://shop.example/?utm_source=camp%40example.org&utm_campaign=camp@example.org"},
    ),
    "_rcn/_rck": ("rcn@example.org", {"_rcn": "rcn@example.org", "_rck": "rcn%40example.org"}),
    "content": ("content@example.org", {"c_n": "content@example.org", "c_p": "content%40example.org"}),
    "search category": ("searchcat@example.org", {"search": "shoes", "search_cat": "searchcat@example.org"}),
}
