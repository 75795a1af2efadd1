"""The client address: found (socket peer or trusted proxy chain) and masked at once.

Only :func:`masked_client_ip` output leaves this module; the full address is a local
variable of the functions here and nothing else.

Addresses that carry an IPv4 address inside an IPv6 one are masked by the IPv4 rule:
IPv4-mapped (``::ffff:a.b.c.d``) and 6to4 (``2002:AABB:CCDD::/48``: the IPv4 address is
bits 16–48, which the IPv6 /48 would keep whole) give the masked IPv4 address. Teredo
(``2001:0::/32``) needs no special case: the client's (obfuscated) IPv4 address and port
are its last 48 bits, which every IPv6 mask (/64, /48, /24) drops; what is kept is the
Teredo server's address, not the client's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from collector.settings import Network

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 bits kept for each masking level, as Matomo: 1 → /64, 2 → /48, 3 → /24.
_V6_KEEP = {1: 64, 2: 48, 3: 24}
_SIXTOFOUR = ipaddress.IPv6Network("2002::/16")
_DIGITS = frozenset("0123456789")


def parse_ip(text: str) -> IPAddress | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _mask_v4(value: int, mask_bytes: int) -> str:
    keep = 32 - 8 * mask_bytes
    return str(ipaddress.IPv4Address(value >> (32 - keep) << (32 - keep)))


def mask_ip(address: IPAddress, mask_bytes: int) -> str:
    """Zero the last ``mask_bytes`` octets of IPv4 (IPv4-mapped and 6to4 IPv6 count as
    the IPv4 address they carry), or keep 64/48/24 bits of any other IPv6."""
    if isinstance(address, ipaddress.IPv4Address):
        return _mask_v4(int(address), mask_bytes)
    if address.ipv4_mapped is not None:
        return _mask_v4(int(address.ipv4_mapped), mask_bytes)
    if address in _SIXTOFOUR:
        return _mask_v4((int(address) >> 80) & 0xFFFFFFFF, mask_bytes)
    keep = _V6_KEEP[mask_bytes]
    return str(ipaddress.IPv6Address(int(address) >> (128 - keep) << (128 - keep)))


def _mask_plain_v4(text: str, mask_bytes: int) -> str | None:
    """The fast path for the usual peer, a dotted-quad IPv4 address: masked without
    ``ipaddress`` objects, with the same answer; None for anything else (the caller then
    takes the general path). Rejects what ``ipaddress`` rejects: leading zeros, octets
    over 255, anything but ASCII digits."""
    octets = text.split(".")
    if len(octets) != 4:
        return None
    for octet in octets:
        if not 0 < len(octet) <= 3 or not _DIGITS.issuperset(octet) or (octet[0] == "0" and len(octet) > 1):
            return None
    a, b, c = int(octets[0]), int(octets[1]), int(octets[2])
    if a > 255 or b > 255 or c > 255 or int(octets[3]) > 255:
        return None
    if mask_bytes == 2:
        return f"{a}.{b}.0.0"
    if mask_bytes == 1:
        return f"{a}.{b}.{c}.0"
    if mask_bytes == 3:
        return f"{a}.0.0.0"
    return None


def _trusted(address: IPAddress, proxies: Sequence[Network]) -> bool:
    return any(address in net for net in proxies)


def client_ip(peer: str | None, forwarded_for: str | None, proxies: Sequence[Network]) -> IPAddress | None:
    """The socket peer, or, when the peer is a trusted proxy, the last address of
    ``X-Forwarded-For`` that is not itself a trusted proxy."""
    peer_ip = parse_ip(peer) if peer else None
    if peer_ip is None or not proxies or not forwarded_for or not _trusted(peer_ip, proxies):
        return peer_ip
    for hop in reversed(forwarded_for.split(",")):
        hop_ip = parse_ip(hop)
        if hop_ip is None:
            return peer_ip  # a garbled chain: trust nothing past the proxy
        if not _trusted(hop_ip, proxies):
            return hop_ip
    return peer_ip


def masked_client_ip(
    peer: str | None, forwarded_for: str | None, proxies: Sequence[Network], mask_bytes: int
) -> str:
    """The masked client address, or ``"0.0.0.0"`` when there is none to be had."""
    if peer and not (proxies and forwarded_for):  # the socket peer is the client
        masked = _mask_plain_v4(peer, mask_bytes)
        if masked is not None:
            return masked
    address = client_ip(peer, forwarded_for, proxies)
    return mask_ip(address, mask_bytes) if address is not None else "0.0.0.0"


def mask_text(text: str, mask_bytes: int) -> str | None:
    """Mask an address given as text (the ``cip`` override); None when it is no address."""
    address = parse_ip(text)
    return mask_ip(address, mask_bytes) if address is not None else None
