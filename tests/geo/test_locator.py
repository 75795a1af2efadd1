"""Countries of masked addresses: the block each stands for, the majority rule, the
sources and the cache, on fixed addresses of the registry data the collector ships."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import iptocc
import pytest

from collector.geo import blocks, countries
from collector.geo.blocks import Network
from collector.geo.locator import CountryLocator, open_locator
from collector.geo.sources import DatabaseSource, GeoDatabaseError, RegistrySource, open_source


@pytest.mark.parametrize(
    ("masked", "mask_bytes", "block"),
    [
        ("81.2.0.0", 2, "81.2.0.0/16"),
        ("81.2.69.0", 1, "81.2.69.0/24"),
        ("81.0.0.0", 3, "81.0.0.0/8"),
        ("2a00:1450:4001::", 2, "2a00:1450:4001::/48"),
        ("2a00:1450:4001:81a::", 1, "2a00:1450:4001:81a::/64"),
        ("2a00:1400::", 3, "2a00:1400::/24"),
    ],
)
def test_the_block_is_what_the_mask_level_leaves(masked: str, mask_bytes: int, block: str) -> None:
    found = blocks.block_of(masked, mask_bytes)
    assert found is not None and str(found) == block


@pytest.mark.parametrize(
    ("text", "mask_bytes"),
    [
        ("81.2.69.160", 2),  # a full address: host bits set
        ("81.2.69.0", 2),  # masked by one octet where two are masked
        ("2a00:1450:4001:81a::200e", 2),
        ("10.1.0.0", 2),  # private
        ("192.168.0.0", 2),
        ("127.0.0.0", 2),
        ("0.0.0.0", 2),  # the pipeline's "no address"
        ("224.0.0.0", 2),  # multicast
        ("fe80::", 2),
        ("not an address", 2),
        ("", 2),
    ],
)
def test_anything_but_a_masked_public_address_has_no_block(text: str, mask_bytes: int) -> None:
    assert blocks.block_of(text, mask_bytes) is None
    assert open_locator("", mask_bytes).country(text) is None


def test_samples_are_the_first_address_of_each_registry_sized_sub_block() -> None:
    sixteen = blocks.block_of("81.2.0.0", 2)
    assert sixteen is not None
    found = blocks.samples(sixteen)
    assert (
        len(found) == 256 and found[0] == "81.2.0.0" and found[1] == "81.2.1.0" and found[-1] == "81.2.255.0"
    )
    eight = blocks.block_of("81.0.0.0", 3)
    assert eight is not None
    assert blocks.samples(eight)[257] == "81.1.1.0" and len(blocks.samples(eight)) == 65536
    v6 = blocks.block_of("2a00:1450:4001::", 2)
    assert v6 is not None and blocks.samples(v6) == ["2a00:1450:4001::"]
    v6_24 = blocks.block_of("2a00:1400::", 3)
    assert v6_24 is not None and len(blocks.samples(v6_24)) == 65536


def test_no_registry_slash_24_is_split_between_countries() -> None:
    """What sampling by /24 rests on, checked on 400 random /24s of the shipped data."""
    rng = random.Random(15)
    for _ in range(400):
        a, b, c = rng.randint(1, 223), rng.randint(0, 255), rng.randint(0, 255)
        found = iptocc.country_code([f"{a}.{b}.{c}.{d}" for d in range(256)])
        assert len(set(found)) == 1, (a, b, c)


def test_majority_needs_ninety_percent_of_all_addresses() -> None:
    assert blocks.majority(Counter({"DE": 90, "FR": 10}), 100) == "DE"
    assert blocks.majority(Counter({"DE": 89, "FR": 11}), 100) is None
    assert blocks.majority(Counter({"DE": 89, None: 11}), 100) is None  # unassigned counts against
    assert blocks.majority(Counter({None: 100}), 100) is None
    assert blocks.majority(Counter(), 0) is None


# Fixed addresses of the shipped registry data (iptocc), each a block's answer at the
# default mask (two octets): whole-country /16s are named; 81.2.0.0/16 is a quarter each
# RU, GB, US and CZ, so a plain lookup of 81.2.0.0 (RU) would be wrong for 81.2.69.160 (GB).
@pytest.mark.parametrize(
    ("masked", "country"),
    [
        ("8.8.0.0", "us"),
        ("193.99.0.0", "de"),
        ("81.2.0.0", None),
        ("1.0.0.0", None),  # spans several countries (AU, CN, ...)
        ("2a00:1450:4001::", "ie"),
    ],
)
def test_fixed_addresses_at_two_octets(masked: str, country: str | None) -> None:
    assert open_locator("", 2).country(masked) == country


def test_a_block_spanning_countries_is_unknown_though_each_address_has_one() -> None:
    network = blocks.block_of("81.2.0.0", 2)
    assert network is not None
    weights, total = RegistrySource().weights(network)
    assert total == 256 and len(weights) == 4 and all(n == 64 for n in weights.values())
    assert iptocc.country_code("81.2.0.0") == "RU" and iptocc.country_code("81.2.69.160") == "GB"
    assert open_locator("", 2).country("81.2.0.0") is None
    assert open_locator("", 1).country("81.2.69.0") == "gb"  # one octet masked: its /24 is British


class Halves:
    """A source where the block's answer is set by the test."""

    name = "halves"

    def __init__(self, weights: dict[str | None, int]) -> None:
        self.calls: list[str] = []
        self.found = Counter(weights)

    def weights(self, network: Network) -> tuple[Counter[str | None], int]:
        self.calls.append(str(network))
        return self.found, sum(self.found.values())


def test_each_block_is_computed_once_and_the_cache_is_bounded() -> None:
    source = Halves({"NL": 95, "BE": 5})
    locator = CountryLocator(source, 2, cache_blocks=2)
    assert [locator.country("145.1.0.0") for _ in range(3)] == ["nl", "nl", "nl"]
    assert source.calls == ["145.1.0.0/16"] and (locator.hits, locator.misses) == (2, 1)
    locator.country("145.2.0.0")
    locator.country("145.3.0.0")
    assert len(locator) == 2
    locator.country("145.1.0.0")  # the oldest went: computed again
    assert source.calls.count("145.1.0.0/16") == 2


def test_the_share_is_a_parameter() -> None:
    source = Halves({"NL": 80, "BE": 20})
    assert CountryLocator(source, 2).country("145.1.0.0") is None
    assert CountryLocator(source, 2, share=0.75).country("145.1.0.0") == "nl"


def test_a_missing_or_malformed_database_is_refused_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.mmdb"
    bad.write_bytes(b"this is no MaxMind database" * 20)
    for path in (bad, tmp_path / "missing.mmdb"):
        with pytest.raises(GeoDatabaseError, match=str(path)):
            open_source(str(path))


def test_the_empty_setting_means_the_registry_data() -> None:
    assert isinstance(open_source(""), RegistrySource)


class FakeReader:
    """A stand-in for ``maxminddb``'s reader: networks (start, prefix, record)."""

    def __init__(self, networks: list[tuple[str, int, object]]) -> None:
        import ipaddress

        self.networks = [(ipaddress.ip_network(f"{a}/{p}"), p, r) for a, p, r in networks]

    def get_with_prefix_len(self, address: object) -> tuple[object, int]:
        for network, prefix, record in self.networks:
            if address in network:
                return record, prefix
        return None, 8


def test_an_operators_database_is_walked_network_by_network() -> None:
    source = DatabaseSource.__new__(DatabaseSource)
    source.name, source.path, source.version = "fake", "fake.mmdb", 6
    source.reader = FakeReader(
        [
            ("81.2.0.0", 17, {"country": {"iso_code": "GB"}}),  # MaxMind's shape
            ("81.2.128.0", 18, {"country_code": "GB"}),  # DB-IP's
            ("81.2.192.0", 20, {"country_code": "GB", "city": "never read"}),
            ("81.2.208.0", 20, {"country_code": "FR"}),
            ("81.2.224.0", 19, {"country_code": "GB"}),
        ]
    )
    network = blocks.block_of("81.2.0.0", 2)
    assert network is not None
    weights, total = source.weights(network)
    assert total == 65536 and weights == Counter({"GB": 65536 - 4096, "FR": 4096})
    assert CountryLocator(source, 2).country("81.2.0.0") == "gb"  # 93.75 %
    big = DatabaseSource.__new__(DatabaseSource)
    big.reader, big.version = FakeReader([("81.0.0.0", 8, {"country_code": "DE"})]), 6
    assert big.weights(network) == (Counter({"DE": 65536}), 65536)  # a network larger than the block


def test_names_and_continents() -> None:
    assert countries.name("de") == "Germany" and countries.name("GB") == "United Kingdom"
    assert countries.name("zz") == "ZZ"
    assert countries.continent("fr") == "eur" and countries.continent("us") == "amn"
    assert countries.continent("zz") == "unk"
    assert countries.continent_name("eur") == "Europe" and countries.continent_name("unk") == "Unknown"
    table = countries.table()
    assert len(table) >= 249 and all(c.continent in countries.CONTINENTS for c in table.values())
    assert all(len(code) == 2 and code.isupper() for code in table)


def test_a_malformed_database_stops_the_start_naming_the_file(tmp_path: Path) -> None:
    from collector.cli.parser import main
    from collector.settings import Settings, SettingsError

    bad = tmp_path / "countries.mmdb"
    bad.write_bytes(b"\x00" * 4096)
    message = f"COLLECTOR_GEO_DATABASE: {bad}: not a readable MaxMind database"
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"COLLECTOR_GEO_DATABASE": str(bad)})
    assert Settings.from_env({}).geo_database == ""
    import os

    os.environ["COLLECTOR_GEO_DATABASE"] = str(bad)
    try:
        assert main(["migrate"]) == 2
    finally:
        del os.environ["COLLECTOR_GEO_DATABASE"]
