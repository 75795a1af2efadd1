"""The client address: found (socket peer or trusted proxy chain) and masked at once.

Only :func:`masked_client_ip` output leaves this module; the full address is a local
variable of the functions here and nothing else.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from collector.settings import Network

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 bits kept for each masking level, as Matomo: 1 → /64, 2 → /48, 3 → /24.
_V6_KEEP = {1: 64, 2: 48, 3: 24}


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


def mask_ip(address: IPAddress, mask_bytes: int) -> str:
    """Zero the last ``mask_bytes`` octets of IPv4 (IPv4-mapped IPv6 counts as IPv4), or
    keep 64/48/24 bits of IPv6."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv4Address):
        keep = 32 - 8 * mask_bytes
        net = ipaddress.IPv4Network((int(address) >> (32 - keep) << (32 - keep), keep))
        return str(net.network_address)
    keep = _V6_KEEP[mask_bytes]
    net6 = ipaddress.IPv6Network((int(address) >> (128 - keep) << (128 - keep), keep))
    return str(net6.network_address)


def _trusted(address: IPAddress, proxies: Sequence[Network]) -> bool:
    return any(address in net for net in proxies)


def client_ip(
    peer: str | None, forwarded_for: str | None, proxies: Sequence[Network]
) -> IPAddress | None:
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
    address = client_ip(peer, forwarded_for, proxies)
    return mask_ip(address, mask_bytes) if address is not None else "0.0.0.0"


def mask_text(text: str, mask_bytes: int) -> str | None:
    """Mask an address given as text (the ``cip`` override); None when it is no address."""
    address = parse_ip(text)
    return mask_ip(address, mask_bytes) if address is not None else None
