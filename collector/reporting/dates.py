"""Matomo's ``period`` and ``date`` parameters → the periods a report covers.

Semantics follow Matomo's ``core/Period``: weeks start on Monday; ``lastN`` is the N
periods ending with the one holding today, ``previousN`` the N before it; ``a,b`` with
``period=day|week|month|year`` is every period from the one holding ``a`` to the one
holding ``b``. Those forms give *several* periods (a reply keyed by period label), except
with ``period=range``, which is always one span of days. N is capped as in Matomo (5×365
days, 520 weeks, 120 months, 10 years); an explicit ``a,b`` over more periods is refused.
Dates are days in the site's time zone; ``today`` comes from the injected clock."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from collector.reporting.errors import ReportingError, missing
from collector.stats.period import MAX_DAYS, Period

UNITS = ("day", "week", "month", "year")
PERIODS = (*UNITS, "range")
MAX_PERIODS = {"day": 5 * 365, "week": 10 * 52, "month": 10 * 12, "year": 10}
FIRST_DAY = date(1991, 8, 6)  # Matomo refuses dates before its first website
MAX_DATE_CHARS = 64

_DAY = r"\d{4}-\d{1,2}-\d{1,2}"
_LAST_UNIT = r"last[ -]?(?:week|month|year)"
_RANGE = re.compile(
    rf"({_DAY}|{_LAST_UNIT}),({_DAY}|today|now|yesterday|{_LAST_UNIT})", re.IGNORECASE | re.ASCII
)
_LAST_N = re.compile(r"(last|previous)(\d*)", re.ASCII)


@dataclass(frozen=True, slots=True)
class Labelled:
    """One period of a reply, with the key Matomo gives it in a multi-period reply."""

    label: str
    period: Period


@dataclass(frozen=True, slots=True)
class Dates:
    periods: tuple[Labelled, ...]
    multiple: bool  # True: the reply is an object keyed by label


def _bad_date(raw: str) -> ReportingError:
    return ReportingError(
        f"Date format must be: YYYY-MM-DD, or 'today' or 'yesterday' or any keyword "
        f"supported by Matomo (lastN, previousN, YYYY-MM-DD,YYYY-MM-DD), not {raw[:40]!r}"
    )


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the day of month is clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ReportingError("the date is out of range")
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _one_day(raw: str, today: date) -> date:
    word = raw.lower().replace(" ", "").replace("-", "") if raw[:1].isalpha() else ""
    named = {
        "today": today,
        "now": today,
        "yesterday": today - timedelta(days=1),
        "lastweek": today - timedelta(days=7),
    }
    if word in named:
        return named[word]
    if word in ("lastmonth", "lastyear"):
        return add_months(today, -1 if word == "lastmonth" else -12)
    if not re.fullmatch(_DAY, raw, re.ASCII):
        raise _bad_date(raw)
    year, month, day = (int(p) for p in raw.split("-"))
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _bad_date(raw) from exc


def _checked(day: date, today: date) -> date:
    latest = date(today.year + 10, 12, 31)
    if not FIRST_DAY <= day <= latest:
        raise ReportingError(
            f"The date {day.isoformat()} is out of range: dates from "
            f"{FIRST_DAY.isoformat()} to {latest.isoformat()} are accepted."
        )
    return day


def span(unit: str, day: date) -> Period:
    """The day, week (Monday to Sunday), month or year holding ``day``."""
    if unit == "week":
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=6))
    if unit == "month":
        return Period(day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1]))
    if unit == "year":
        return Period(date(day.year, 1, 1), date(day.year, 12, 31))
    return Period(day, day)


def step(unit: str, day: date, n: int) -> date:
    if unit == "day":
        return day + timedelta(days=n)
    if unit == "week":
        return day + timedelta(weeks=n)
    return add_months(day, n if unit == "month" else 12 * n)


def label(unit: str, period: Period) -> str:
    if unit == "day":
        return period.start.isoformat()
    if unit == "month":
        return period.start.isoformat()[:7]
    if unit == "year":
        return str(period.start.year)
    return f"{period.start.isoformat()},{period.end.isoformat()}"  # week, range


def _bounds(raw: str, unit: str, today: date) -> tuple[date, date, bool]:
    """(first day, last day, whether it names several periods) of a ``date`` value."""
    last_n = _LAST_N.fullmatch(raw)
    if last_n:
        count = min(max(int(last_n.group(2) or 0), 1), MAX_PERIODS[unit])
        end = today if last_n.group(1) == "last" else step(unit, today, -1)
        return step(unit, end, 1 - count), end, True
    both = _RANGE.fullmatch(raw)
    if both:
        first, last = _one_day(both.group(1), today), _one_day(both.group(2), today)
        if first > last:
            raise ReportingError(f"The date range {raw!r} ends before it starts.")
        return first, last, True
    day = _one_day(raw, today)
    return day, day, False


def _range(raw: str, today: date) -> Dates:
    first, last, several = _bounds(raw, "day", today)
    if not several:
        raise ReportingError(
            f"With period=range, date must be YYYY-MM-DD,YYYY-MM-DD, lastN or previousN, not {raw[:40]!r}"
        )
    period = Period(_checked(first, today), _checked(last, today))
    if period.days > MAX_DAYS:
        raise ReportingError(f"The range covers {period.days} days; at most {MAX_DAYS} are allowed.")
    return Dates((Labelled(label("range", period), period),), multiple=False)


def parse_dates(raw_period: str | None, raw_date: str | None, today: date) -> Dates:
    if not raw_period:
        raise missing("period")
    if not raw_date:
        raise missing("date")
    unit = raw_period.lower()
    if unit not in PERIODS:
        raise ReportingError(
            f"The period {raw_period[:20]!r} is not supported. "
            f"Try any of the following instead: {', '.join(PERIODS)}"
        )
    if len(raw_date) > MAX_DATE_CHARS:
        raise _bad_date(raw_date)
    if unit == "range":
        return _range(raw_date, today)
    first, last, several = _bounds(raw_date, unit, today)
    first, last = _checked(first, today), _checked(last, today)
    periods = [span(unit, last)]
    while periods[0].start > first:
        if len(periods) >= MAX_PERIODS[unit]:
            raise ReportingError(f"The dates cover more than {MAX_PERIODS[unit]} periods of a {unit}.")
        periods.insert(0, span(unit, step(unit, periods[0].start, -1)))
    return Dates(tuple(Labelled(label(unit, p), p) for p in periods), multiple=several)
