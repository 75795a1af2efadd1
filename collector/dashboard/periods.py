"""The period picker: named periods (today, last 7 days, this month…) and custom ranges
turned into a :class:`~collector.stats.period.Period` and a chart interval."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from collector.stats.period import Period, PeriodError, parse_interval, parse_period

DEFAULT = "30d"
CHOICES: tuple[tuple[str, str], ...] = (
    ("today", "Today"),
    ("yesterday", "Yesterday"),
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("month", "This month"),
    ("lastmonth", "Last month"),
    ("12mo", "Last 12 months"),
)
LABELS = dict(CHOICES)


@dataclass(frozen=True, slots=True)
class Choice:
    key: str  # one of CHOICES, or "custom"
    period: Period
    interval: str  # hour | day | month
    label: str

    def params(self) -> dict[str, str]:
        """The query parameters that select this period again."""
        if self.key == "custom":
            return {
                "period": "custom",
                "from": self.period.start.isoformat(),
                "to": self.period.end.isoformat(),
            }
        return {} if self.key == DEFAULT else {"period": self.key}


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def named(key: str, today: date) -> Period:
    if key == "today":
        return Period(today, today)
    if key == "yesterday":
        return Period(today - timedelta(days=1), today - timedelta(days=1))
    if key == "7d":
        return Period(today - timedelta(days=6), today)
    if key == "month":
        return Period(_month_start(today), today)
    if key == "lastmonth":
        return Period(_month_start(today, 1), _month_start(today) - timedelta(days=1))
    if key == "12mo":
        return Period(_month_start(today, 11), today)
    return Period(today - timedelta(days=29), today)


def choose(query: Mapping[str, str], today: date) -> Choice:
    """The period a dashboard URL asks for. A bad custom range raises PeriodError."""
    key = query.get("period", DEFAULT)
    if key == "custom":
        period = parse_period(query.get("from") or None, query.get("to") or None, today)
        return Choice("custom", period, parse_interval(None, period), describe(period))
    if key not in LABELS:
        raise PeriodError(f"unknown period {key[:20]!r}")
    period = named(key, today)
    interval = "month" if key == "12mo" else parse_interval(None, period)
    return Choice(key, period, interval, LABELS[key])


def describe(period: Period) -> str:
    if period.start == period.end:
        return f"{period.start:%-d %b %Y}"
    same_year = period.start.year == period.end.year
    return f"{period.start:%-d %b}{'' if same_year else f' {period.start:%Y}'} – {period.end:%-d %b %Y}"
