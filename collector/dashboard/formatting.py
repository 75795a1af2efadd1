"""How numbers read on the page: thousands separators, durations, changes against the
previous period. The server writes every number; the script re-formats the ones marked
``data-n`` for the browser's locale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


def number(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}"


def duration(seconds: float) -> str:
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


@dataclass(frozen=True, slots=True)
class Change:
    text: str  # "+12%", "−3.1 pp", "new", "±0%"
    direction: str  # up | down | flat
    tone: str  # good | bad | neutral
    spoken: str  # for screen readers


def change(current: float, previous: float, *, lower_is_better: bool = False, points: bool = False) -> Change:
    """The change from ``previous`` to ``current``: relative (%), or in percentage points."""
    if points:
        delta = round(current - previous, 1)
        text = f"{'+' if delta > 0 else '−' if delta < 0 else '±'}{abs(delta):.1f} pp"
    elif previous == 0:
        delta = float(current)
        text = "new" if current else "±0%"
    else:
        delta = round(100 * (current - previous) / previous)
        text = f"{'+' if delta > 0 else '−' if delta < 0 else '±'}{abs(delta):,.0f}%"
    direction = "up" if delta > 0 else "down" if delta < 0 else "flat"
    better = (delta < 0) if lower_is_better else (delta > 0)
    tone = "neutral" if direction == "flat" else "good" if better else "bad"
    words = {"up": "up", "down": "down", "flat": "unchanged"}[direction]
    spoken = (
        f"{words} {text.lstrip('+−±')} against the previous period"
        if direction != "flat"
        else "unchanged against the previous period"
    )
    if text == "new":
        spoken = "none in the previous period"
    return Change(text, direction, tone, spoken)


def slot_label(slot: str, interval: str) -> str:
    """A chart slot (``2026-11-22T14``, ``2026-11-22``, ``2026-11``) for people."""
    if interval == "hour":
        day, _, hour = slot.partition("T")
        return f"{date.fromisoformat(day):%-d %b}, {hour}:00"
    if interval == "month":
        return f"{date.fromisoformat(slot + '-01'):%b %Y}"
    return f"{date.fromisoformat(slot):%a %-d %b}"


def short_slot_label(slot: str, interval: str) -> str:
    if interval == "hour":
        return f"{slot.partition('T')[2]}:00"
    if interval == "month":
        return f"{date.fromisoformat(slot + '-01'):%b %Y}"
    return f"{date.fromisoformat(slot):%-d %b}"
