"""SQL lives in files named after what they do (``queries/NAME.sql``), read once."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def query(name: str) -> str:
    return resources.files("collector.storage").joinpath(f"queries/{name}.sql").read_text("utf-8")
