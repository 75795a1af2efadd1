"""SQL lives in files named after what they do (``queries/NAME.sql``), read once."""

from __future__ import annotations

from functools import cache
from importlib import resources

# Every connection that writes: WAL + NORMAL survives a process crash (a committed batch
# stays); the busy timeout lets two writers (workers, the writer process, the CLI) share
# the file.
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA busy_timeout = 10000",
    "PRAGMA foreign_keys = ON",
)


@cache
def query(name: str) -> str:
    return resources.files("collector.storage").joinpath(f"queries/{name}.sql").read_text("utf-8")
