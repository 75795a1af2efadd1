"""The dashboard's pure parts: periods, number formats, chart geometry and the cookie
signer (the throttle's are in ``test_throttle.py``)."""

from __future__ import annotations

from datetime import date

import pytest

from collector.dashboard import charts, formatting, periods
from collector.dashboard.sessions import Session, Signer
from collector.stats.period import Period, PeriodError

TODAY = date(2026, 1, 15)


@pytest.mark.parametrize(
    "key, start, end, interval",
    [
        ("today", date(2026, 1, 15), date(2026, 1, 15), "hour"),
        ("yesterday", date(2026, 1, 14), date(2026, 1, 14), "hour"),
        ("7d", date(2026, 1, 9), date(2026, 1, 15), "day"),
        ("30d", date(2025, 12, 17), date(2026, 1, 15), "day"),
        ("month", date(2026, 1, 1), date(2026, 1, 15), "day"),
        ("lastmonth", date(2025, 12, 1), date(2025, 12, 31), "day"),
        ("12mo", date(2025, 2, 1), date(2026, 1, 15), "month"),
    ],
)
def test_named_periods(key: str, start: date, end: date, interval: str) -> None:
    choice = periods.choose({"period": key}, TODAY)
    assert (choice.period, choice.interval) == (Period(start, end), interval)
    assert choice.params() == ({} if key == "30d" else {"period": key})


def test_custom_periods_and_errors() -> None:
    choice = periods.choose({"period": "custom", "from": "2025-12-30", "to": "2026-01-02"}, TODAY)
    assert choice.label == "30 Dec 2025 – 2 Jan 2026" and choice.interval == "day"
    assert choice.params() == {"period": "custom", "from": "2025-12-30", "to": "2026-01-02"}
    assert periods.choose({}, TODAY).key == "30d"
    for bad in ({"period": "custom", "from": "2026-02-01", "to": "2026-01-01"}, {"period": "fortnight"}):
        with pytest.raises(PeriodError):
            periods.choose(bad, TODAY)


def test_number_formats_and_changes() -> None:
    assert formatting.number(1234567) == "1,234,567" and formatting.number(2.345, 2) == "2.35"
    assert [formatting.duration(s) for s in (7, 65, 3725)] == ["7s", "1m 05s", "1h 02m"]
    up = formatting.change(150, 100)
    assert (up.text, up.direction, up.tone) == ("+50%", "up", "good")
    assert formatting.change(40.0, 30.0, lower_is_better=True, points=True).text == "+10.0 pp"
    assert formatting.change(40.0, 30.0, lower_is_better=True, points=True).tone == "bad"
    assert formatting.change(5, 0).text == "new" and formatting.change(0, 0).direction == "flat"
    assert formatting.change(50, 100).text == "−50%"
    assert formatting.slot_label("2026-11-22T09", "hour") == "22 Nov, 09:00"
    assert formatting.slot_label("2026-11", "month") == "Nov 2026"


def test_chart_geometry() -> None:
    values = (0, 1, 7, 10, 11, 230, 260, 999)
    assert [charts.nice_max(v) for v in values] == [1, 1, 10, 10, 20, 250, 500, 1000]
    points = [
        {"date": "2026-11-20", "visitors": 5, "pageviews": 10},
        {"date": "2026-11-21", "visitors": 0, "pageviews": 0},
        {"date": "2026-11-22", "visitors": 10, "pageviews": 20},
    ]
    chart = charts.time_chart(points, "day")
    assert chart.top == 20 and chart.width == 30 and chart.ticks == ["20", "10", "0"]
    assert chart.pageviews_line == "M5,50 L15,100 L25,0"
    assert chart.visitors_area.endswith("L25,100 L5,100 Z")
    assert [s.label for s in chart.slots] == ["Fri 20 Nov", "Sat 21 Nov", "Sun 22 Nov"]
    spark = charts.sparkline([0, 3, 1])
    assert spark.line == "M5,100 L15,0 L25,66.67" and "4 in all" in spark.label


def test_the_signer_round_trips_and_refuses_changes() -> None:
    signer = Signer("secret")
    user = Session("s" * 43, "alice", 1000, 1000 + 7200, signer.fingerprint("scrypt$hash"))
    anonymous = Session("t" * 43, None, 1000, 1000 + 7200)
    assert signer.parse(signer.dumps(user)) == ("s" * 43, None)  # the rest is in the database
    assert signer.parse(signer.dumps(anonymous)) == ("t" * 43, 8200)
    assert user.ends == 1000 + 12 * 3600 and anonymous.ends == 8200
    assert Signer("another secret").parse(signer.dumps(user)) is None
    sid, tag, mac = signer.dumps(anonymous).split(".")
    assert signer.parse(f"{sid}.a9999999999.{mac}") is None  # a longer life
    assert signer.parse(f"{'u' * 43}.{tag}.{mac}") is None  # another id
    for junk in ("", "x", "a.b", "." * 3, "é.é.é", "x" * 2000, f"{sid}.{tag}.{mac}.x"):
        assert signer.parse(junk) is None
    assert signer.check_csrf(user, signer.csrf_token(user))
    assert not signer.check_csrf(user, signer.csrf_token(anonymous))
    assert not signer.check_csrf(None, signer.csrf_token(user)) and not signer.check_csrf(user, "")


def test_every_drop_reason_has_a_label_for_the_privacy_panel() -> None:
    from collector.dashboard.panels import DROP_REASONS
    from collector.model import DropReason

    assert {r.value for r in DropReason} <= set(DROP_REASONS)
