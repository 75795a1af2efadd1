"""What the privacy audit looks for: every textual and binary form of an address, a user
id, an e-mail address or a token, and the search for them in every byte written."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from urllib.parse import quote, quote_plus


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
    forms = [
        ("plain", raw),
        ("upper case", value.upper().encode()),
        ("hex", raw.hex().encode()),
        ("HEX", raw.hex().upper().encode()),
        ("base64", base64.b64encode(raw)),
        ("base64url", base64.urlsafe_b64encode(raw).rstrip(b"=")),
        ("percent-encoded", quote(value, safe="").encode()),
        ("form-encoded", quote_plus(value, safe="").encode()),
        ("double percent-encoded", quote(quote(value, safe=""), safe="").encode()),
    ]
    for name in ("md5", "sha1", "sha256", "blake2b") if digests else ():
        forms.append((f"unkeyed {name} prefix", hashlib.new(name, raw).hexdigest()[:16].encode()))
    return list({form: (desc, form) for desc, form in forms}.values())


def find(forms: list[tuple[str, bytes]], blobs: dict[str, bytes]) -> list[str]:
    found = []
    for name, blob in blobs.items():
        lower = blob.lower()
        for desc, form in forms:
            haystack = lower if form.isascii() and form == form.lower() else blob
            at = haystack.find(form)
            if at >= 0:
                context = blob[max(0, at - 60) : at + len(form) + 60]
                found.append(f"{desc} {form!r} in {name} at {at}: …{context!r}…")
    return found
