"""Where a block's countries come from: the ``iptocc`` package (the registries'
allocation data, inside the wheel: no file, nothing downloaded) or an operator's own
MaxMind-format database (``COLLECTOR_GEO_DATABASE``). Either answers one question: how
a block's addresses divide among countries. Only the country is read, never a city or a
region.
"""

from __future__ import annotations

import ipaddress
import os
from collections import Counter
from typing import Any, Protocol

import iptocc
import maxminddb

from collector.geo.blocks import Network, samples

MAX_WALK = 1 << 16  # networks read from a database for one block at most


class GeoDatabaseError(ValueError):
    """The operator's database cannot be read; the message names the file."""


class Source(Protocol):
    name: str

    def weights(self, network: Network) -> tuple[Counter[str | None], int]:
        """Addresses of ``network`` per country code (upper case; ``None``: no country),
        and the number of addresses those weights add up to."""
        ...


class RegistrySource:
    """``iptocc``: the five registries' delegation files. Their smallest blocks are an
    IPv4 /24 and an IPv6 /48, so one lookup per such sub-block counts a block exactly
    (sampled by 65,536 sub-blocks past that: an IPv4 /8, an IPv6 /24)."""

    name = "iptocc"

    def weights(self, network: Network) -> tuple[Counter[str | None], int]:
        found = samples(network)
        return Counter(iptocc.country_code(found)), len(found)


def _country(record: Any) -> str | None:
    """The ISO code of a record: DB-IP/ip-location-db (``country_code``) or MaxMind
    (``country.iso_code``); anything else has none."""
    if not isinstance(record, dict):
        return None
    code = record.get("country_code")
    if code is None and isinstance(record.get("country"), dict):
        code = record["country"].get("iso_code")
    return code.upper() if isinstance(code, str) and len(code) == 2 and code.isalpha() else None


class DatabaseSource:
    """An operator's MaxMind-format database, walked network by network over the block
    (exact, whatever the database's granularity)."""

    def __init__(self, path: str) -> None:
        self.name = os.path.basename(path)
        self.path = path
        try:
            self.reader: Any = maxminddb.open_database(path)
            self.version = int(self.reader.metadata().ip_version)
        except (OSError, ValueError, RuntimeError) as exc:  # InvalidDatabaseError is a RuntimeError
            raise GeoDatabaseError(f"{path}: not a readable MaxMind database ({exc})") from None

    def weights(self, network: Network) -> tuple[Counter[str | None], int]:
        total = network.num_addresses
        if network.version == 6 and self.version == 4:
            return Counter({None: total}), total
        bits = network.max_prefixlen
        make = ipaddress.IPv4Address if network.version == 4 else ipaddress.IPv6Address
        at, last = int(network.network_address), int(network.broadcast_address)
        found: Counter[str | None] = Counter()
        for _ in range(MAX_WALK):
            if at > last:
                break
            record, prefix = self.reader.get_with_prefix_len(make(at))
            size = 1 << (bits - prefix)
            end = (at & ~(size - 1)) + size - 1  # the end of the network holding ``at``
            found[_country(record)] += min(end, last) - at + 1
            at = end + 1
        else:
            found[None] += max(0, last - at + 1)  # a block split finer than the walk reads
        return found, total

    def close(self) -> None:
        self.reader.close()


def check_database(path: str) -> None:
    """Open and close the file at ``path`` (nothing when empty): :class:`GeoDatabaseError`
    naming it when it is missing or malformed."""
    if path:
        DatabaseSource(path).close()


def open_source(path: str) -> Source:
    """The operator's database at ``path``, or the registry data when ``path`` is empty.
    A file that is missing or malformed raises :class:`GeoDatabaseError` naming it."""
    return DatabaseSource(path) if path else RegistrySource()
