"""The Countries tab's world map, drawn by the collector: the land is ``static/world.svg``
(shown as an image, cached by its content hash), and the countries with visitors are drawn
over it from that file's own outlines, shaded in five steps by visitors. No tile, no
request anywhere else; the table under the map is its text alternative (the map itself is
one labelled image to a screen reader, and each country's outline carries a title).

The outlines come from the npm package ``@svg-maps/world`` (CC BY 4.0), thinned by
``tools/world_svg.py``; the attribution is shown under the map."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from collector.geo import countries

VIEWBOX = "0 0 1010 666"
LEVELS = 5
_PATH = re.compile(r'<path id="([a-z]{2})" d="([^"]*)"/>')


@functools.cache
def outlines() -> dict[str, str]:
    """Lower-case ISO code → the SVG path data of its outline, read once."""
    text = resources.files("collector.dashboard").joinpath("static", "world.svg").read_text(encoding="utf-8")
    return dict(_PATH.findall(text))


@dataclass(frozen=True, slots=True)
class Shade:
    code: str
    name: str
    visitors: int
    level: int  # 1 (fewest) … LEVELS (most)
    d: str  # the outline


@dataclass(frozen=True, slots=True)
class WorldMap:
    shades: list[Shade]
    off_map: list[str]  # names of countries with visitors and no outline on the map


def level(visitors: int, most: int) -> int:
    """The shade of a country: its visitors as a fifth of the top country's, rounded up."""
    if most <= 0 or visitors <= 0:
        return 1
    return max(1, min(LEVELS, -(-visitors * LEVELS // most)))


def world_map(rows: Iterable[Mapping[str, Any]]) -> WorldMap | None:
    """The map of a ``countries`` breakdown's rows (``value``, ``visitors``); ``None`` when
    no country has visitors."""
    found = [(str(row["value"]).lower(), int(row["visitors"])) for row in rows if int(row["visitors"]) > 0]
    if not found:
        return None
    most = max(visitors for _, visitors in found)
    shapes = outlines()
    shades = [
        Shade(code, countries.name(code), visitors, level(visitors, most), shapes[code])
        for code, visitors in found
        if code in shapes
    ]
    return WorldMap(shades, [countries.name(code) for code, _ in found if code not in shapes])
