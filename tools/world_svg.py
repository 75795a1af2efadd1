"""Builds ``collector/dashboard/static/world.svg``, the dashboard's world map, from the npm
package ``@svg-maps/world`` (Victor Cazanave, after mapsvg.com's map; CC BY 4.0: the
dashboard shows the attribution under the map).

    npm pack @svg-maps/world && tar xzf svg-maps-world-*.tgz
    python tools/world_svg.py package/index.js

Each country becomes one ``<path id="xx">`` (its ISO 3166-1 alpha-2 code, lower case),
inside ``<g id="world">`` (grey land, by presentation attributes: no style element); the
outlines are thinned (points closer than ``--step`` to the last one kept are dropped,
coordinates rounded to a tenth), which takes the file from
1.2 MB to about 110 kB. The dashboard shows the file as the map's background image and
draws the countries with visitors over it, each from its path here
(``collector/dashboard/worldmap.py``), so nothing is fetched from anywhere but the collector.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "collector" / "dashboard" / "static" / "world.svg"
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[mMzZ]")


def subpaths(d: str) -> list[list[tuple[float, float]]]:
    """The absolute points of each closed outline of a path made of ``m`` and ``z`` only."""
    tokens = NUMBER.findall(d)
    found: list[list[tuple[float, float]]] = []
    x = y = 0.0
    start = (0.0, 0.0)
    numbers: list[float] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token in "zZ":
            x, y = start
            continue
        if token in "mM":
            numbers = []
            while index < len(tokens) and tokens[index] not in "mMzZ":
                numbers.append(float(tokens[index]))
                index += 1
            absolute = token == "M"
            points = []
            for n in range(0, len(numbers) - 1, 2):
                dx, dy = numbers[n], numbers[n + 1]
                x, y = (dx, dy) if absolute else (x + dx, y + dy)
                points.append((x, y))
            if points:
                start = points[0]
                found.append(points)
    return found


def thin(points: list[tuple[float, float]], step: float) -> list[tuple[float, float]]:
    kept = [points[0]]
    for point in points[1:]:
        if math.dist(point, kept[-1]) >= step:
            kept.append(point)
    return kept


def path_data(outlines: list[list[tuple[float, float]]], step: float) -> str:
    biggest = max(outlines, key=len)
    parts = []
    for outline in outlines:
        xs, ys = [p[0] for p in outline], [p[1] for p in outline]
        if outline is not biggest and max(xs) - min(xs) < step and max(ys) - min(ys) < step:
            continue  # an islet below the map's resolution (the country keeps its main outline)
        kept = thin(outline, step)
        if len(kept) < 3:
            kept = outline[:3] if len(outline) >= 3 else outline
        first = kept[0]
        head = f"M{first[0]:.1f} {first[1]:.1f}"
        last = (round(first[0], 1), round(first[1], 1))
        moves = []
        for point in kept[1:]:
            here = (round(point[0], 1), round(point[1], 1))
            moves.append(f"{here[0] - last[0]:.1f} {here[1] - last[1]:.1f}")
            last = here
        parts.append(head + ("l" + " ".join(moves) if moves else "") + "z")
    text = "".join(parts).replace(".0 ", " ").replace(".0l", "l").replace(".0z", "z")
    return re.sub(r"(?<![\d.])(-?)0\.", r"\g<1>.", text)  # 0.5 → .5, -0.5 → -.5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("index_js", type=Path)
    parser.add_argument("--step", type=float, default=2.0)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    text = args.index_js.read_text(encoding="utf-8")
    data = json.loads(text[text.index("{") : text.rindex("}") + 1])
    paths = []
    for location in sorted(data["locations"], key=lambda item: item["id"]):
        code = location["id"]
        if not re.fullmatch(r"[a-z]{2}", code):
            continue  # the US minor outlying islands, one by one: not ISO codes
        outlines = subpaths(location["path"])
        if outlines:
            paths.append(f'<path id="{code}" d="{path_data(outlines, args.step)}"/>')
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{data["viewBox"]}">'
        "<!-- World map: @svg-maps/world by Victor Cazanave, after mapsvg.com, CC BY 4.0 "
        "(https://creativecommons.org/licenses/by/4.0/); outlines thinned by tools/world_svg.py -->"
        f'<g id="world" fill="#8b95a8" fill-opacity=".3" stroke="#8b95a8" stroke-width=".3">'
        f"{''.join(paths)}</g></svg>\n"
    )
    args.out.write_text(svg, encoding="utf-8")
    print(f"{len(paths)} countries, {len(svg):,} bytes written to {args.out}")


if __name__ == "__main__":
    main()
