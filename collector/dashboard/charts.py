"""Charts drawn on the server as inline SVG: the time chart and the sparklines.

Only numbers go into the SVG (coordinates computed here); labels are text in the HTML
around it. The plot uses ``preserveAspectRatio="none"`` so it stretches to any width;
strokes keep their width (``vector-effect`` in the CSS)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from collector.dashboard.formatting import number, short_slot_label, slot_label

SLOT_W = 10
PLOT_H = 100


def nice_max(value: float) -> int:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * magnitude >= value:
            return math.ceil(step * magnitude)
    return math.ceil(10 * magnitude)  # pragma: no cover


def _y(value: float, top: int) -> float:
    return round(PLOT_H - PLOT_H * value / top, 2)


def _line(values: Sequence[float], top: int) -> str:
    return " ".join(
        f"{'M' if i == 0 else 'L'}{i * SLOT_W + SLOT_W / 2:g},{_y(v, top):g}" for i, v in enumerate(values)
    )


def _area(values: Sequence[float], top: int) -> str:
    if not values:
        return ""
    last = (len(values) - 1) * SLOT_W + SLOT_W / 2
    return f"{_line(values, top)} L{last:g},{PLOT_H} L{SLOT_W / 2:g},{PLOT_H} Z"


@dataclass(frozen=True, slots=True)
class Slot:
    x: int
    label: str
    visitors: int
    pageviews: int


@dataclass(frozen=True, slots=True)
class TimeChart:
    width: int
    height: int
    top: int  # the value at the top of the plot
    visitors_line: str
    visitors_area: str
    pageviews_line: str
    slots: list[Slot]
    ticks: list[str]  # y labels: top, half, zero
    x_labels: list[str]  # first, middle, last
    interval: str

    @property
    def single(self) -> bool:
        return len(self.slots) == 1


def time_chart(points: Sequence[dict[str, Any]], interval: str) -> TimeChart:
    visitors = [int(p["visitors"]) for p in points]
    pageviews = [int(p["pageviews"]) for p in points]
    top = nice_max(max([*visitors, *pageviews, 0]))
    slots = [
        Slot(i * SLOT_W, slot_label(p["date"], interval), v, pv)
        for i, (p, v, pv) in enumerate(zip(points, visitors, pageviews, strict=True))
    ]
    dates = [p["date"] for p in points]
    picks = [dates[0], dates[len(dates) // 2], dates[-1]] if len(dates) > 2 else dates
    return TimeChart(
        width=max(len(points), 1) * SLOT_W,
        height=PLOT_H,
        top=top,
        visitors_line=_line(visitors, top),
        visitors_area=_area(visitors, top),
        pageviews_line=_line(pageviews, top),
        slots=slots,
        ticks=[number(top), number(top / 2, 0 if top % 2 == 0 else 1), "0"],
        x_labels=[short_slot_label(d, interval) for d in picks],
        interval=interval,
    )


@dataclass(frozen=True, slots=True)
class Sparkline:
    width: int
    line: str
    area: str
    label: str


def sparkline(values: Sequence[int], days: int = 30) -> Sparkline:
    top = max([*values, 1])
    total = sum(values)
    peak = max(values, default=0)
    label = (
        f"Visitors over the last {days} days: {number(total)} in all, "
        f"at most {number(peak)} on one day, {number(values[-1] if values else 0)} today"
    )
    return Sparkline(max(len(values), 1) * SLOT_W, _line(values, top), _area(values, top), label)
