"""The fields each kind of request adds to its event (events, links, searches, goals…)."""

from __future__ import annotations

from typing import Any

from collector.ingest.minimise import MAX_FIELD, clean, redact, split_url
from collector.ingest.params import Params
from collector.model import Kind


def _number(raw: str | None) -> float | None:
    text = clean(raw)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) < 1e15 else None


def _int(raw: str | None) -> int | None:
    value = _number(raw)
    return int(value) if value is not None else None


def _text(raw: str | None) -> str | None:
    text = clean(raw, MAX_FIELD * 2)
    return redact(text)[:MAX_FIELD] if text else None


def _target(raw: str | None) -> str | None:
    """A clicked link or download: host + path, no query, no fragment."""
    url = split_url(raw)
    if url is None:
        return None
    path = redact(url.path)
    return ((url.host or "") + path)[:MAX_FIELD]


def kind_fields(kind: Kind, params: Params) -> dict[str, Any]:
    if kind is Kind.EVENT:
        return {
            "event_category": _text(params.get("e_c")),
            "event_action": _text(params.get("e_a")),
            "event_name": _text(params.get("e_n")),
            "event_value": _number(params.get("e_v")),
        }
    if kind is Kind.CONTENT:
        return {
            "event_category": _text(params.get("c_n")),
            "event_action": _text(params.get("c_i")) or "impression",
            "event_name": _text(params.get("c_p")),
        }
    if kind is Kind.OUTLINK:
        return {"target": _target(params.get("link"))}
    if kind is Kind.DOWNLOAD:
        return {"target": _target(params.get("download"))}
    if kind is Kind.SEARCH:
        return {
            "search_query": _text(params.get("search")),
            "search_category": _text(params.get("search_cat")),
            "search_count": _int(params.get("search_count")),
        }
    if kind is Kind.GOAL:
        goal = _int(params.get("idgoal"))
        revenue = _number(params.get("revenue"))
        if goal == 0 and revenue is None:
            revenue = _number(params.get("ec_st"))  # an ecommerce order's total
        return {"goal_id": goal, "revenue": revenue}
    return {}
