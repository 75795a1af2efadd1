"""Ranges of days: ``from``/``to`` parsing and validation, intervals, the previous period."""

from __future__ import annotations

from datetime import date

import pytest

from collector.stats.period import MAX_DAYS, Period, PeriodError, parse_interval, parse_period

TODAY = date(2026, 11, 22)


def test_both_dates_given() -> None:
    period = parse_period("2026-11-01", "2026-11-30", TODAY)
    assert period == Period(date(2026, 11, 1), date(2026, 11, 30))
    assert period.days == 30
    assert period.bind() == {"from": "2026-11-01", "to": "2026-11-30"}


def test_one_day() -> None:
    period = parse_period("2026-11-22", "2026-11-22", TODAY)
    assert period.days == 1 and period.start == period.end == TODAY


@pytest.mark.parametrize(
    "raw_from, raw_to, start, end",
    [
        (None, None, date(2026, 10, 24), TODAY),  # the last 30 days, today included
        ("", "", date(2026, 10, 24), TODAY),
        ("2026-11-20", None, date(2026, 11, 20), TODAY),
        (None, "2026-02-28", date(2026, 1, 30), date(2026, 2, 28)),
    ],
)
def test_defaults(raw_from: str | None, raw_to: str | None, start: date, end: date) -> None:
    assert parse_period(raw_from, raw_to, TODAY) == Period(start, end)


@pytest.mark.parametrize(
    "raw_from, raw_to",
    [
        ("2026-13-01", "2026-12-01"),
        ("2026-02-30", "2026-03-01"),
        ("yesterday", "2026-11-22"),
        ("2026-11-01", "tomorrow"),
        ("2026-1-2", "2026-11-22"),
        ("22.11.2026", "2026-11-22"),
        ("2026-11-01T00:00", "2026-11-22"),
        ("2026-11-01", "2026-11-22; DROP TABLE sites"),
        ("20261101", "2026-11-22"),  # ISO basic format: not YYYY-MM-DD
        ("2026-W45-1", "2026-11-22"),  # ISO week date: not YYYY-MM-DD
    ],
)
def test_bad_dates_are_refused(raw_from: str, raw_to: str) -> None:
    with pytest.raises(PeriodError, match="YYYY-MM-DD"):
        parse_period(raw_from, raw_to, TODAY)


def test_the_message_names_the_bad_parameter_and_is_short() -> None:
    with pytest.raises(PeriodError) as info:
        parse_period("2026-11-01", "x" * 500, TODAY)
    assert "`to`" in str(info.value) and len(str(info.value)) < 120


def test_from_after_to_is_refused() -> None:
    with pytest.raises(PeriodError, match="after"):
        parse_period("2026-11-23", "2026-11-22", TODAY)


def test_from_defaulting_after_to_is_refused() -> None:
    with pytest.raises(PeriodError):
        parse_period("2026-12-01", None, TODAY)  # to = today, before from


def test_ranges_are_capped_at_five_years() -> None:
    assert MAX_DAYS >= 5 * 365 + 1  # five calendar years fit, leap day included
    assert parse_period("2021-11-23", "2026-11-22", TODAY).days == 1826
    end = date(2026, 11, 22)
    start = date.fromordinal(end.toordinal() - MAX_DAYS + 1)
    assert parse_period(start.isoformat(), end.isoformat(), TODAY).days == MAX_DAYS
    with pytest.raises(PeriodError, match="at most"):
        parse_period(date.fromordinal(start.toordinal() - 1).isoformat(), end.isoformat(), TODAY)
    with pytest.raises(PeriodError):
        parse_period("2000-01-01", "2026-11-22", TODAY)


@pytest.mark.parametrize(
    "start, end, prev_start, prev_end",
    [
        ("2026-11-22", "2026-11-22", "2026-11-21", "2026-11-21"),
        ("2026-11-01", "2026-11-30", "2026-10-02", "2026-10-31"),
        ("2026-03-01", "2026-03-07", "2026-02-22", "2026-02-28"),
        ("2028-03-01", "2028-03-02", "2028-02-28", "2028-02-29"),  # leap year
        ("2026-01-01", "2026-12-31", "2025-01-01", "2025-12-31"),
        ("2026-01-01", "2026-01-10", "2025-12-22", "2025-12-31"),
    ],
)
def test_previous_period_has_as_many_days_just_before(
    start: str, end: str, prev_start: str, prev_end: str
) -> None:
    period = Period(date.fromisoformat(start), date.fromisoformat(end))
    previous = period.previous()
    assert previous == Period(date.fromisoformat(prev_start), date.fromisoformat(prev_end))
    assert previous.days == period.days


@pytest.mark.parametrize(
    "days, interval", [(1, "hour"), (2, "hour"), (3, "day"), (92, "day"), (93, "month"), (365, "month")]
)
def test_default_interval_follows_the_length(days: int, interval: str) -> None:
    end = date(2026, 11, 22)
    period = Period(date.fromordinal(end.toordinal() - days + 1), end)
    assert period.days == days
    assert parse_interval(None, period) == interval
    assert parse_interval("", period) == interval


@pytest.mark.parametrize("raw", ["hour", "day", "month"])
def test_explicit_intervals(raw: str) -> None:
    assert parse_interval(raw, Period(date(2026, 11, 1), date(2026, 11, 30))) == raw


@pytest.mark.parametrize("raw", ["week", "year", "HOUR", "days", "1", "minute"])
def test_unknown_intervals_are_refused(raw: str) -> None:
    with pytest.raises(PeriodError, match="interval"):
        parse_interval(raw, Period(date(2026, 11, 1), date(2026, 11, 2)))


def test_hours_cover_at_most_31_days() -> None:
    assert parse_interval("hour", Period(date(2026, 10, 1), date(2026, 10, 31))) == "hour"
    with pytest.raises(PeriodError, match="31"):
        parse_interval("hour", Period(date(2026, 10, 1), date(2026, 11, 1)))
