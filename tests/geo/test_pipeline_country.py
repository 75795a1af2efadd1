"""``put_country`` in the pipeline: the country of the masked address only, after the
authenticated ``country`` parameter, honouring the site's ``collect_country``."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from collector.geo.blocks import Network
from collector.geo.locator import CountryLocator, open_locator
from collector.geo.sources import RegistrySource
from collector.ingest import matomo
from collector.ingest.pipeline import STEPS, HeaderInfo, Hit, PipelineEnv, run
from collector.ingest.spam import SpamList
from collector.ingest.useragent import UAParser
from collector.model import Site, SiteSettings

NOW = 1795348800.0  # 2026-11-22 12:00:00 UTC
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
)
GERMAN = "193.99.144.85"  # in 193.99.0.0/16, German as a whole
BRITISH_IN_A_SHARED_BLOCK = "81.2.69.160"  # GB, but 81.2.0.0/16 is a quarter each RU, GB, US, CZ
PARSER = UAParser()


class Recorder(RegistrySource):
    """The registry data, keeping every block it is asked about."""

    def __init__(self) -> None:
        self.blocks: list[str] = []

    def weights(self, network: Network) -> tuple[Counter[str | None], int]:
        self.blocks.append(str(network))
        return super().weights(network)


class Spy(CountryLocator):
    """The locator, keeping every text it is handed."""

    def __init__(self, source: Recorder, mask_bytes: int) -> None:
        super().__init__(source, mask_bytes)
        self.seen: list[str] = []

    def country(self, masked_ip: str) -> str | None:
        self.seen.append(masked_ip)
        return super().country(masked_ip)


def _env(geo: CountryLocator | None, mask_bytes: int = 2) -> PipelineEnv:
    return PipelineEnv((), mask_bytes, PARSER, SpamList(), geo)


def _hit(
    peer: str, params: dict[str, str] | None = None, authenticated: bool = False, **settings: object
) -> Hit:
    query = {"idsite": "1", "rec": "1", "url": "https://example.com/", **(params or {})}
    return Hit(
        site=Site(1, "Shop", ("example.com",), "UTC", b"s" * 32, SiteSettings(**settings)),  # type: ignore[arg-type]
        req=matomo.read(query, NOW),
        headers=HeaderInfo(peer=peer, user_agent=CHROME),
        ts=NOW,
        day=date(2026, 11, 22),
        salt=b"t" * 32,
        authenticated=authenticated,
    )


def _country(hit: Hit, env: PipelineEnv) -> str | None:
    assert run(hit, env) is None
    assert hit.event is not None
    return hit.event.country


def test_put_country_comes_after_the_mask_and_the_event() -> None:
    names = [name for name, _ in STEPS]
    assert names.index("put_masked_ip") < names.index("put_event") < names.index("put_country")


def test_the_country_of_the_masked_block() -> None:
    env = _env(open_locator("", 2))
    assert _country(_hit(GERMAN), env) == "de"
    assert _country(_hit(BRITISH_IN_A_SHARED_BLOCK), env) is None  # never RU, the block's first /24
    assert _country(_hit("2a00:1450:4001:81a::200e"), env) == "ie"
    assert _country(_hit("10.1.2.3"), env) is None


def test_one_octet_masked_narrows_the_block() -> None:
    assert _country(_hit(BRITISH_IN_A_SHARED_BLOCK), _env(open_locator("", 1), 1)) == "gb"


def test_the_site_setting_off_derives_nothing() -> None:
    spy = Spy(Recorder(), 2)
    assert _country(_hit(GERMAN, collect_country=False), _env(spy)) is None
    assert spy.seen == []


def test_no_locator_derives_nothing() -> None:
    assert _country(_hit(GERMAN), _env(None)) is None


def test_the_authenticated_parameter_wins() -> None:
    spy = Spy(Recorder(), 2)
    assert _country(_hit(GERMAN, {"country": "FR", "token_auth": "x"}, authenticated=True), _env(spy)) == "fr"
    assert spy.seen == []  # not even looked up
    # with the setting off too: the parameter is the site's own statement
    hit = _hit(GERMAN, {"country": "fr"}, authenticated=True, collect_country=False)
    assert _country(hit, _env(spy)) == "fr"


def test_the_parameter_without_a_token_is_ignored() -> None:
    assert _country(_hit(GERMAN, {"country": "fr"}), _env(open_locator("", 2))) == "de"


@pytest.mark.parametrize(
    ("peer", "masked"),
    [
        (GERMAN, "193.99.0.0"),
        (BRITISH_IN_A_SHARED_BLOCK, "81.2.0.0"),
        ("2a00:1450:4001:81a::200e", "2a00:1450:4001::"),
        ("::ffff:193.99.144.85", "193.99.0.0"),
    ],
)
def test_the_geo_code_never_sees_the_full_address(peer: str, masked: str) -> None:
    source = Recorder()
    spy = Spy(source, 2)
    _country(_hit(peer), _env(spy))
    assert spy.seen == [masked]
    assert all(peer not in block and peer.split(":")[-1] not in block for block in source.blocks)


def test_a_full_address_handed_to_the_locator_by_mistake_has_no_country() -> None:
    """The guard behind the invariant: host bits set → no block → nothing is looked up."""
    source = Recorder()
    assert CountryLocator(source, 2).country(GERMAN) is None
    assert source.blocks == []
