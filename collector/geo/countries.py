"""Country names and continents: ISO 3166-1 alpha-2 codes (``collector/data/countries.tsv``,
English short names) and the continents Matomo reports (its codes and English names)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

CONTINENTS: dict[str, str] = {
    "afr": "Africa",
    "amc": "Central America",
    "amn": "North America",
    "ams": "South America",
    "ant": "Antarctica",
    "asi": "Asia",
    "eur": "Europe",
    "oce": "Oceania",
}
UNKNOWN = "Unknown"


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # upper case, e.g. "DE"
    name: str  # English, e.g. "Germany"
    continent: str  # one of CONTINENTS


@functools.cache
def table() -> dict[str, Country]:
    """Code (upper case) → :class:`Country`, read once."""
    text = resources.files("collector").joinpath("data/countries.tsv").read_text(encoding="utf-8")
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, name, continent = line.split("\t")
            found[code] = Country(code, name, continent)
    return found


def country(code: str) -> Country | None:
    """The country of a code in either case; ``None`` for a code ISO 3166 does not assign."""
    return table().get(code.upper())


def name(code: str) -> str:
    """The English name, or the code itself (upper case) when it names no country."""
    found = country(code)
    return found.name if found else code.upper()


def continent(code: str) -> str:
    """The Matomo continent code of a country code (``unk`` when unknown)."""
    found = country(code)
    return found.continent if found else "unk"


def continent_name(code: str) -> str:
    return CONTINENTS.get(code, UNKNOWN)
