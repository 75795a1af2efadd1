"""Our totals under Matomo's column names.

What we do not record is reported as 0: ``nb_users`` (user ids are never stored),
``nb_visits_converted`` (no goal reports), ``max_actions`` (not kept in the daily tables),
``sum_time_spent``/``avg_time_on_page`` (no per-page time). ``nb_uniq_visitors`` is exact
for a day; for longer periods it is the sum of each day's unique visitors (our daily tables
keep no visitor ids), the same number as ``visitors`` in the JSON API. ``nb_actions`` is
page views plus interactive events (events, outlinks, downloads, site searches)."""

from __future__ import annotations

from typing import Any

from collector.stats.reports import BreakdownRow, Totals

VISIT_COLUMNS = (
    "nb_uniq_visitors",
    "nb_visits",
    "nb_actions",
    "nb_users",
    "max_actions",
    "sum_visit_length",
    "bounce_count",
    "nb_visits_converted",
)
SUMMARY_COLUMNS = (*VISIT_COLUMNS, "bounce_rate", "nb_actions_per_visit", "avg_time_on_site")
ROW_COLUMNS = ("label", *VISIT_COLUMNS)
PAGE_COLUMNS = (
    "label",
    "url",
    "nb_hits",
    "nb_visits",
    "nb_uniq_visitors",
    "sum_time_spent",
    "entry_nb_visits",
    "entry_bounce_count",
    "exit_nb_visits",
    "avg_time_on_page",
    "bounce_rate",
    "exit_rate",
)


def _half_up(numerator: int, denominator: int) -> int:
    """round(numerator / denominator) with halves away from zero, as PHP rounds."""
    return (2 * numerator + denominator) // (2 * denominator)


def percent(part: int, whole: int) -> str:
    """Matomo's rate format: ``"45%"``."""
    return f"{_half_up(100 * part, whole) if whole else 0}%"


def visit_metrics(totals: Totals) -> dict[str, Any]:
    return {
        "nb_uniq_visitors": totals.visitors,
        "nb_visits": totals.visits,
        "nb_actions": totals.pageviews + totals.events,
        "nb_users": 0,
        "max_actions": 0,
        "sum_visit_length": totals.duration_s,
        "bounce_count": totals.bounces,
        "nb_visits_converted": 0,
    }


def summary(totals: Totals) -> dict[str, Any]:
    """``VisitsSummary.get``: the visit metrics and the three derived ones."""
    out = visit_metrics(totals)
    visits, actions = totals.visits, out["nb_actions"]
    out["bounce_rate"] = percent(totals.bounces, visits)
    out["nb_actions_per_visit"] = _half_up(10 * actions, visits) / 10 if visits else 0
    out["avg_time_on_site"] = _half_up(totals.duration_s, visits) if visits else 0
    return out


def visit_row(label: str, totals: Totals) -> dict[str, Any]:
    return {"label": label, **visit_metrics(totals)}


def page_row(row: BreakdownRow, base_url: str) -> dict[str, Any]:
    """A row of ``Actions.getPageUrls`` (flat): one per page path."""
    totals = row.totals
    return {
        "label": row.value,
        "url": base_url + row.value if row.value.startswith("/") else row.value,
        "nb_hits": totals.pageviews,
        "nb_visits": totals.visits,
        "nb_uniq_visitors": totals.visitors,
        "sum_time_spent": 0,
        "entry_nb_visits": row.entries,
        "entry_bounce_count": totals.bounces,
        "exit_nb_visits": row.exits,
        "avg_time_on_page": 0,
        "bounce_rate": percent(totals.bounces, row.entries),
        "exit_rate": percent(row.exits, totals.visits),
    }


def add(a: Totals, b: Totals) -> Totals:
    """Two rows merged into one (e.g. our ``email`` and ``campaign`` channels)."""
    return Totals(
        a.visitors + b.visitors,
        a.visits + b.visits,
        a.pageviews + b.pageviews,
        a.bounces + b.bounces,
        a.duration_s + b.duration_s,
        a.events + b.events,
    )
