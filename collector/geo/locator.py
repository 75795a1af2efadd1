"""``CountryLocator``: the country of a *masked* address, or unknown.

One answer per block (the block a masked address stands for, see
:mod:`collector.geo.blocks`), computed once from the source and kept in a bounded LRU:
a masked address is the block, so the key is the text the pipeline already has. A
block's first lookup costs a few hundred registry lookups (tens of µs); every later
beacon from it one dictionary lookup (bench/geo.py has the figures).
"""

from __future__ import annotations

from collections import OrderedDict

from collector.geo.blocks import MAJORITY, block_of, majority
from collector.geo.sources import Source, open_source

CACHE_BLOCKS = 65_536  # every IPv4 /16 fits; IPv6 /48s come and go by use


class CountryLocator:
    """Masked address → lower-case ISO 3166-1 alpha-2 code, or ``None`` (unknown)."""

    def __init__(
        self, source: Source, mask_bytes: int, *, share: float = MAJORITY, cache_blocks: int = CACHE_BLOCKS
    ) -> None:
        self.source = source
        self.mask_bytes = mask_bytes
        self.share = share
        self.cache_blocks = cache_blocks
        self._cache: OrderedDict[str, str | None] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        """Blocks cached."""
        return len(self._cache)

    def __bool__(self) -> bool:  # a locator is there even while its cache is empty
        return True

    def country(self, masked_ip: str) -> str | None:
        """The country holding at least ``share`` of the block ``masked_ip`` stands for.
        Anything that is not a masked public address is unknown (``None``)."""
        cache = self._cache
        if masked_ip in cache:
            self.hits += 1
            cache.move_to_end(masked_ip)
            return cache[masked_ip]
        self.misses += 1
        found = self.block_country(masked_ip)
        cache[masked_ip] = found
        if len(cache) > self.cache_blocks:
            cache.popitem(last=False)
        return found

    def block_country(self, masked_ip: str) -> str | None:
        """:meth:`country` without the cache."""
        network = block_of(masked_ip, self.mask_bytes)
        if network is None:
            return None
        weights, total = self.source.weights(network)
        code = majority(weights, total, self.share)
        return code.lower() if code else None


def open_locator(database: str, mask_bytes: int) -> CountryLocator:
    """The locator a server runs: the operator's database at ``database`` (a missing or
    malformed file raises ``GeoDatabaseError`` naming it), else the registry data."""
    return CountryLocator(open_source(database), mask_bytes)
