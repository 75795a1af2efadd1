"""The block a masked address stands for, and the majority rule over it.

The pipeline masks the address first (``collector.ingest.ipaddr``): what reaches the geo
code is ``a.b.0.0`` (two IPv4 octets masked), ``a.b.c.0`` (one) or ``a.0.0.0`` (three), or
an IPv6 address cut to 64, 48 or 24 bits. Such an address names a *block* of addresses,
any of which the visitor may have had. A country is named only when one country holds at
least :data:`MAJORITY` of the block's addresses (addresses no registry assigned count
against it); otherwise the answer is unknown. A plain lookup of the block's first
address would be wrong wherever the block is shared (``81.2.0.0/16`` is a quarter each
Russian, British, American and Czech).

Anything that is not a masked address (host bits set, not an address at all, private,
reserved) has no block: :func:`block_of` gives ``None``, so the geo code cannot be handed
a full address by mistake and answer for it.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MAJORITY = 0.9  # the share of a block's addresses a country must hold to be named
# IPv6 bits kept for each masking level (as collector.ingest.ipaddr masks them)
V6_KEEP = {1: 64, 2: 48, 3: 24}
# The smallest blocks the registries assign: an IPv4 /24 and an IPv6 /48 (no /24 of the
# registry data is split between countries, tests/geo/test_blocks.py checks a sample), so
# looking up the first address of each such sub-block counts a block's addresses exactly.
V4_FLOOR = 24
V6_FLOOR = 48
MAX_SAMPLE_BITS = 16  # at most 65,536 sub-blocks per block (an IPv4 /8 is sampled by /24)


def prefix_for(version: int, mask_bytes: int) -> int:
    """The prefix length the mask level leaves of an address of this IP version."""
    return 32 - 8 * mask_bytes if version == 4 else V6_KEEP[mask_bytes]


def block_of(masked: str, mask_bytes: int) -> Network | None:
    """The public block ``masked`` stands for, or ``None`` when it is not a masked public
    address (so never a full address: its host bits are not zero)."""
    try:
        address = ipaddress.ip_address(masked)
        network = ipaddress.ip_network(f"{masked}/{prefix_for(address.version, mask_bytes)}", strict=True)
    except (ValueError, KeyError):
        return None
    if not network.is_global or network.is_multicast:
        return None
    return network


def sample_bits(network: Network) -> int:
    """log2 of the number of sub-blocks :func:`samples` looks up for ``network``."""
    floor = V4_FLOOR if network.version == 4 else V6_FLOOR
    return max(0, min(floor - network.prefixlen, MAX_SAMPLE_BITS))


def samples(network: Network) -> list[str]:
    """The first address of each equal sub-block of ``network``, each standing for the
    same number of addresses (a registry block of /24 or /48 or more is never split)."""
    bits = sample_bits(network)
    step = network.num_addresses >> bits
    first = int(network.network_address)
    if network.version == 4 and step == 256:  # by hand: ``ipaddress`` objects cost ten times more
        return _v4_samples(first, 1 << bits)
    make = ipaddress.IPv4Address if network.version == 4 else ipaddress.IPv6Address
    return [str(make(first + n * step)) for n in range(1 << bits)]


_TAILS = tuple(f"{c}.0" for c in range(256))  # the last two octets of a /24's first address


def _v4_samples(first: int, count: int) -> list[str]:
    """The first addresses of ``count`` /24s from ``first`` on (a /24, /16 or /8)."""
    a, b, c = first >> 24, (first >> 16) & 255, (first >> 8) & 255
    if count == 1:
        return [f"{a}.{b}.{_TAILS[c]}"]
    heads = [f"{a}.{b + n}." for n in range(count >> 8)]
    return [head + tail for head in heads for tail in _TAILS]


def majority(weights: Counter[str | None], total: int, share: float = MAJORITY) -> str | None:
    """The country holding at least ``share`` of ``total`` addresses, else ``None``
    (``None`` keys are addresses of no country)."""
    if total <= 0:
        return None
    for code, count in weights.most_common(2):
        if code is not None and count >= share * total:
            return code
    return None


def majority_of_samples(codes: Sequence[str | None], share: float = MAJORITY) -> str | None:
    """:func:`majority` over equal-sized sub-blocks, one code each."""
    return majority(Counter(codes), len(codes), share)
