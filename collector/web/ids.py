"""Ids in paths: a positive integer that fits the database's 64-bit integers. A longer
one is no id of ours (so a 404), never an overflow deep in the store (a 500).

Importing this module registers the ``{name:id}`` path convertor, which the route tables
use where Starlette's ``:int`` would accept any number of digits."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

MAX_ID = 2**63 - 1
_MAX_DIGITS = 18  # every such number fits in 63 bits


def parse_id(text: str) -> int | None:
    """``text`` as an id, or None when it is not one (not digits, zero, or too big)."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


class IdConvertor(Convertor[int]):
    regex = f"[0-9]{{1,{_MAX_DIGITS}}}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())
