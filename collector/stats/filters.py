"""Report filters (``page=``, ``referrer=``, ``country=``, ``device=``, ``utm_campaign=``).

A filter narrows the *visits* counted: a visit that viewed the page, came from the
referrer host, or has the country, device or campaign. The daily tables hold no
per-visit rows, so filtered reports are computed from raw events, which exist only
inside the raw retention window; replies say so (``"source": "raw_events"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

MAX_FILTER = 1024
NAMES = ("page", "referrer", "country", "device", "utm_campaign")


class FilterError(ValueError):
    """A bad filter value: 400 with this message."""


@dataclass(frozen=True, slots=True)
class Filters:
    page: str | None = None
    referrer: str | None = None
    country: str | None = None
    device: str | None = None
    utm_campaign: str | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in asdict(self).values())

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def bind(self) -> dict[str, str | None]:
        return {f"f_{k}": v for k, v in asdict(self).items()}


def parse_filters(query: Mapping[str, str]) -> Filters:
    values: dict[str, str] = {}
    for name in NAMES:
        raw = query.get(name)
        if raw is None:
            continue
        if not raw or len(raw) > MAX_FILTER:
            raise FilterError(f"`{name}` must be 1 to {MAX_FILTER} characters")
        values[name] = raw.lower() if name in ("referrer", "country", "device") else raw
    return Filters(**values)
