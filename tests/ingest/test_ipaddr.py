"""IP masking: the IPv4 fast path, and IPv6 forms that carry an IPv4 address."""

from __future__ import annotations

import ipaddress
import random

import pytest

from collector.ingest import ipaddr


@pytest.mark.parametrize("mask_bytes", [1, 2, 3])
def test_the_ipv4_fast_path_answers_as_the_general_path(mask_bytes: int) -> None:
    rnd = random.Random(7)
    texts = [
        "1.2.3.4",
        "0.0.0.0",
        "255.255.255.255",
        "256.1.1.1",
        "01.2.3.4",
        "1.2.3",
        "1.2.3.4.5",
        " 1.2.3.4",
        "1.2.3.4 ",
        "1.2.3.4:8080",
        "1..3.4",
        "+1.2.3.4",
        "1.2.3.-4",
        "١.2.3.4",
        "::1",
        "2001:db8::1",
        "not an address",
        "",
    ]
    texts += [".".join(str(rnd.randint(0, 300)) for _ in range(4)) for _ in range(2000)]
    for text in texts:
        address = ipaddr.parse_ip(text) if text else None
        general = ipaddr.mask_ip(address, mask_bytes) if address is not None else "0.0.0.0"
        assert ipaddr.masked_client_ip(text or None, None, (), mask_bytes) == general, text


def test_trusted_proxies_still_take_the_general_path() -> None:
    proxies = (ipaddress.ip_network("10.0.0.0/8"),)
    assert ipaddr.masked_client_ip("10.1.2.3", "203.0.113.77", proxies, 2) == "203.0.0.0"
    assert ipaddr.masked_client_ip("192.0.2.1", "203.0.113.77", proxies, 2) == "192.0.0.0"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        # 6to4: 2002:WWXX:YYZZ::/48 carries WW.XX.YY.ZZ (here 203.0.113.77 = cb00:714d)
        ("2002:cb00:714d::1", {1: "203.0.113.0", 2: "203.0.0.0", 3: "203.0.0.0"}),
        ("2002:cb00:714d:beef:1:2:3:4", {1: "203.0.113.0", 2: "203.0.0.0", 3: "203.0.0.0"}),
        # IPv4-mapped, as before
        ("::ffff:203.0.113.77", {1: "203.0.113.0", 2: "203.0.0.0", 3: "203.0.0.0"}),
    ],
)
def test_ipv6_forms_that_embed_an_ipv4_address_are_masked_as_ipv4(
    address: str, expected: dict[int, str]
) -> None:
    for mask_bytes, masked in expected.items():
        assert ipaddr.mask_text(address, mask_bytes) == masked


@pytest.mark.parametrize("mask_bytes", [1, 2, 3])
def test_no_6to4_mask_keeps_the_embedded_ipv4_host(mask_bytes: int) -> None:
    v4 = ipaddress.IPv4Address("203.0.113.77")
    six_to_four = ipaddress.IPv6Address((0x2002 << 112) | (int(v4) << 80) | 0xBEEF)
    masked = ipaddr.masked_client_ip(str(six_to_four), None, (), mask_bytes)
    assert str(v4) not in masked
    assert v4.packed not in ipaddress.ip_address(masked).packed


@pytest.mark.parametrize("mask_bytes", [1, 2, 3])
def test_teredo_masks_drop_the_client_address_and_port(mask_bytes: int) -> None:
    """Teredo (2001:0::/32): server IPv4 in bits 32-64, flags, then the client's port and
    IPv4 address, both XOR-obfuscated, in the last 48 bits: every IPv6 mask drops them."""
    client, port = ipaddress.IPv4Address("203.0.113.77"), 40000
    server = ipaddress.IPv4Address("65.54.227.120")
    teredo = ipaddress.IPv6Address(
        (0x2001 << 112)
        | (int(server) << 64)
        | (0x8000 << 48)
        | ((port ^ 0xFFFF) << 32)
        | (int(client) ^ 0xFFFFFFFF)
    )
    assert teredo.teredo == (server, client)
    masked = ipaddress.IPv6Address(ipaddr.masked_client_ip(str(teredo), None, (), mask_bytes))
    assert int(masked) & ((1 << 48) - 1) == 0  # client port and address: all zero
    assert masked.teredo is None or masked.teredo[1] == ipaddress.IPv4Address("255.255.255.255")
    assert int(masked) >> (128 - {1: 64, 2: 48, 3: 24}[mask_bytes]) == (
        int(teredo) >> (128 - {1: 64, 2: 48, 3: 24}[mask_bytes])
    )
