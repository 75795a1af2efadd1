"""``showColumns`` and ``hideColumns`` (comma-separated names), as Matomo's ColumnDelete
filter applies them: hide first, then keep only the shown ones; ``label`` always stays."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from collector.reporting.formats import Result
from collector.reporting.params import Params


def _names(params: Params, name: str) -> frozenset[str]:
    return frozenset(n.strip() for n in params.get(name, "").split(",") if n.strip())


def _row(row: dict[str, Any], keep: frozenset[str] | None, hide: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in hide and (keep is None or k in keep or k == "label")}


def _data(data: Any, keep: frozenset[str] | None, hide: frozenset[str]) -> Any:
    if isinstance(data, list):
        return [_row(row, keep, hide) for row in data]
    return _row(data, keep, hide)


def select(result: Result, params: Params) -> Result:
    show, hide = _names(params, "showColumns"), _names(params, "hideColumns")
    if not show and not hide:
        return result
    keep = show or None
    data = (
        {label: _data(d, keep, hide) for label, d in result.data.items()}
        if result.keyed
        else _data(result.data, keep, hide)
    )
    columns = tuple(
        c for c in result.columns if c not in hide and (keep is None or c in keep or c == "label")
    )
    return replace(result, data=data, columns=columns)
