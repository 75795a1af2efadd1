"""Every CSV and TSV the collector writes goes through here, so tracked text (a campaign,
an event name, a search, a title) can never reach a spreadsheet as a formula: a text cell
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
apostrophe, as OWASP advises. Numbers are written as they are."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table_text(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    delimiter: str = ",",
    extra: Literal["raise", "ignore"] = "raise",
) -> str:
    """A header line and one line per row; ``extra="ignore"`` drops keys not in ``columns``."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(columns), delimiter=delimiter, lineterminator="\n", extrasaction=extra
    )
    writer.writeheader()
    writer.writerows({key: safe_cell(value) for key, value in row.items()} for row in rows)
    return out.getvalue()


def lines_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()
