"""``period`` and ``date`` as Matomo reads them (core/Period): weeks from Monday, lastN and
previousN, ranges, labels of multi-period replies, and clear errors."""

from __future__ import annotations

from datetime import date

import pytest

from collector.reporting.dates import parse_dates
from collector.reporting.errors import ReportingError

pytestmark = pytest.mark.both_backends  # the same numbers on SQLite and PostgreSQL

TODAY = date(2026, 11, 22)  # a Sunday


def spans(period: str, value: str, today: date = TODAY) -> tuple[bool, list[tuple[str, str, str]]]:
    dates = parse_dates(period, value, today)
    return dates.multiple, [
        (p.label, p.period.start.isoformat(), p.period.end.isoformat()) for p in dates.periods
    ]


@pytest.mark.parametrize(
    "period, value, first, last",
    [
        ("day", "today", "2026-11-22", "2026-11-22"),
        ("day", "now", "2026-11-22", "2026-11-22"),
        ("day", "yesterday", "2026-11-21", "2026-11-21"),
        ("day", "2026-02-28", "2026-02-28", "2026-02-28"),
        ("day", "2026-2-3", "2026-02-03", "2026-02-03"),
        ("day", "lastWeek", "2026-11-15", "2026-11-15"),
        ("week", "today", "2026-11-16", "2026-11-22"),  # Sunday ends the week that began on Monday
        ("week", "2026-11-23", "2026-11-23", "2026-11-29"),  # a Monday starts one
        ("week", "2026-01-01", "2025-12-29", "2026-01-04"),  # across the new year
        ("month", "today", "2026-11-01", "2026-11-30"),
        ("month", "2024-02-10", "2024-02-01", "2024-02-29"),
        ("month", "lastMonth", "2026-10-01", "2026-10-31"),
        ("year", "today", "2026-01-01", "2026-12-31"),
        ("year", "last year", "2025-01-01", "2025-12-31"),
        ("range", "2026-11-01,2026-11-22", "2026-11-01", "2026-11-22"),
        ("range", "2026-11-01,yesterday", "2026-11-01", "2026-11-21"),
        ("range", "last7", "2026-11-16", "2026-11-22"),
        ("range", "previous7", "2026-11-15", "2026-11-21"),  # the 7 days before today
        ("range", "2026-11-05,2026-11-05", "2026-11-05", "2026-11-05"),
        ("DAY", "today", "2026-11-22", "2026-11-22"),
    ],
)
def test_one_period(period: str, value: str, first: str, last: str) -> None:
    multiple, found = spans(period, value)
    assert not multiple and [(s, e) for _, s, e in found] == [(first, last)]


def test_last_n_days_end_today_and_previous_n_end_yesterday() -> None:
    assert spans("day", "last3") == (
        True,
        [
            ("2026-11-20", "2026-11-20", "2026-11-20"),
            ("2026-11-21", "2026-11-21", "2026-11-21"),
            ("2026-11-22", "2026-11-22", "2026-11-22"),
        ],
    )
    assert [p[0] for p in spans("day", "previous2")[1]] == ["2026-11-20", "2026-11-21"]
    assert spans("day", "last1") == (True, [("2026-11-22", "2026-11-22", "2026-11-22")])
    assert spans("day", "last") == spans("day", "last0") == spans("day", "last1")


def test_weeks_are_labelled_by_their_range() -> None:
    assert spans("week", "last2")[1] == [
        ("2026-11-09,2026-11-15", "2026-11-09", "2026-11-15"),
        ("2026-11-16,2026-11-22", "2026-11-16", "2026-11-22"),
    ]
    assert [p[0] for p in spans("week", "previous1")[1]] == ["2026-11-09,2026-11-15"]
    # a range of dates covers every week touching it
    assert [p[0] for p in spans("week", "2026-11-01,2026-11-10")[1]] == [
        "2026-10-26,2026-11-01",
        "2026-11-02,2026-11-08",
        "2026-11-09,2026-11-15",
    ]


def test_months_and_years_are_labelled_like_matomo() -> None:
    assert [p[0] for p in spans("month", "last3")[1]] == ["2026-09", "2026-10", "2026-11"]
    assert [p[0] for p in spans("month", "previous2", date(2026, 3, 31))[1]] == ["2026-01", "2026-02"]
    assert [p[0] for p in spans("year", "last2")[1]] == ["2025", "2026"]
    assert [p[0] for p in spans("month", "2025-12-15,2026-02-01")[1]] == ["2025-12", "2026-01", "2026-02"]


def test_a_date_range_with_period_day_is_one_entry_per_day() -> None:
    multiple, found = spans("day", "2026-11-20,2026-11-22")
    assert multiple and [p[0] for p in found] == ["2026-11-20", "2026-11-21", "2026-11-22"]


def test_n_is_capped_as_in_matomo() -> None:
    assert len(spans("day", "last100000")[1]) == 5 * 365
    assert len(spans("week", "last9999")[1]) == 520
    assert len(spans("month", "last" + "9" * 40)[1]) == 120
    assert len(spans("year", "last50")[1]) == 10


@pytest.mark.parametrize(
    "period, value, words",
    [
        (None, "today", "'period'"),
        ("", "today", "'period'"),
        ("day", None, "'date'"),
        ("day", "", "'date'"),
        ("hour", "today", "not supported"),
        ("weekly", "today", "not supported"),
        ("day", "tomorrow-ish", "YYYY-MM-DD"),
        ("day", "2026-13-01", "YYYY-MM-DD"),
        ("day", "2026-02-30", "YYYY-MM-DD"),
        ("day", "26-11-22", "YYYY-MM-DD"),
        ("day", "x" * 500, "YYYY-MM-DD"),
        ("day", "1990-01-01", "out of range"),
        ("day", "9999-12-31", "out of range"),
        ("day", "2026-11-22,2026-11-01", "ends before"),
        ("range", "today", "period=range"),
        ("range", "2026-11-22", "period=range"),
        ("range", "2010-01-01,2026-11-22", "at most"),
        ("day", "2000-01-01,2026-11-22", "more than"),
        ("day", "lastN", "YYYY-MM-DD"),
        ("day", "last-3", "YYYY-MM-DD"),
        ("week", "2026-11-01,", "YYYY-MM-DD"),
        ("day", "0000-01-01", "YYYY"),
        ("day", "٢٠٢٦-11-22", "YYYY-MM-DD"),
        ("day", "last٣", "YYYY-MM-DD"),
    ],
)
def test_bad_input_is_a_clear_error(period: str | None, value: str | None, words: str) -> None:
    with pytest.raises(ReportingError) as caught:
        parse_dates(period, value, TODAY)
    assert caught.value.status == 400 and words in caught.value.message
