"""Ranges of days in a site's time zone: parsing, validation, the previous period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MAX_DAYS = 5 * 366
# Dates a report may name: well inside the calendar, so a range, its previous period and
# its months and weeks never step past year 1 or 9999 (Python's date range).
EARLIEST = date(1970, 1, 1)
LATEST = date(2999, 12, 31)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class PeriodError(ValueError):
    """A bad ``from``/``to``/``interval``: the reply is a 400 with this message."""


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The same number of days just before this period."""
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    def bind(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def _date(name: str, raw: str | None) -> date:
    if not raw:
        raise PeriodError(f"`{name}` is required (YYYY-MM-DD)")
    if not _ISO_DAY.fullmatch(raw):
        raise PeriodError(f"`{name}` must be a date as YYYY-MM-DD, not {raw[:40]!r}")
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise PeriodError(f"`{name}` must be a date as YYYY-MM-DD, not {raw[:40]!r}") from exc
    if not EARLIEST <= day <= LATEST:
        raise PeriodError(f"`{name}` must be between {EARLIEST} and {LATEST}, not {raw}")
    return day


def parse_period(raw_from: str | None, raw_to: str | None, today: date) -> Period:
    """``from`` and ``to`` (inclusive); ``to`` defaults to today, ``from`` to 29 days
    before ``to``."""
    end = _date("to", raw_to) if raw_to else today
    start = _date("from", raw_from) if raw_from else end - timedelta(days=29)
    if start > end:
        raise PeriodError("`from` is after `to`")
    period = Period(start, end)
    if period.days > MAX_DAYS:
        raise PeriodError(f"the range is {period.days} days; at most {MAX_DAYS} are allowed")
    return period


INTERVALS = ("hour", "day", "month")


def parse_interval(raw: str | None, period: Period) -> str:
    if not raw:
        return "hour" if period.days <= 2 else "day" if period.days <= 92 else "month"
    if raw not in INTERVALS:
        raise PeriodError(f"`interval` must be one of {', '.join(INTERVALS)}")
    if raw == "hour" and period.days > 31:
        raise PeriodError("`interval=hour` covers at most 31 days")
    return raw
