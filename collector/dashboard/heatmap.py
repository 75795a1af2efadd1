"""The times-of-day panel: the weekday × hour grid of visits as table cells with a shade
level (CSS classes ``heat-0`` … ``heat-5``: the strict CSP allows no inline style), and
the busiest hour and weekday in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LEVELS = 5


@dataclass(frozen=True, slots=True)
class Cell:
    hour: int
    visits: int
    level: int  # 0: none; 1 … LEVELS by share of the busiest cell


@dataclass(frozen=True, slots=True)
class Heatmap:
    rows: list[tuple[str, list[Cell]]]  # (weekday name, 24 cells)
    busiest_hour: int | None
    busiest_day: str | None
    visits: int


def level(visits: int, most: int) -> int:
    if visits <= 0 or most <= 0:
        return 0
    return max(1, -(-visits * LEVELS // most))  # ceiling: any visit shows


def heatmap(times: dict[str, Any]) -> Heatmap:
    grid = times["grid"]
    most = max((n for row in grid for n in row["visits"]), default=0)
    rows = [
        (row["name"], [Cell(hour, n, level(n, most)) for hour, n in enumerate(row["visits"])]) for row in grid
    ]
    hours = [h["visits"] for h in times["hours"]]
    days = [(d["visits"], d["name"]) for d in times["weekdays"]]
    total = sum(hours)
    return Heatmap(
        rows=rows,
        busiest_hour=hours.index(max(hours)) if total else None,
        busiest_day=max(days)[1] if total else None,
        visits=total,
    )
