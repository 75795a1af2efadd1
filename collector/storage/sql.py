"""SQL lives in files named after what they do (``queries/NAME.sql``), read once.

A statement that must differ on PostgreSQL has its variant side by side, as
``queries/NAME.postgresql.sql``; every other file serves both backends. Files use
SQLite's parameter styles (``:name``, ``?``); :func:`numbered` turns them into
PostgreSQL's ``$1, $2 …`` once per statement."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any, Literal

Dialect = Literal["sqlite", "postgresql"]

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
def query(name: str, dialect: Dialect = "sqlite") -> str:
    folder = resources.files("collector.storage").joinpath("queries")
    if dialect != "sqlite":
        variant = folder.joinpath(f"{name}.{dialect}.sql")
        if variant.is_file():
            return variant.read_text("utf-8")
    return folder.joinpath(f"{name}.sql").read_text("utf-8")


# A string literal, a quoted name, a comment, a ``::`` cast, or a parameter.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|--[^\n]*|::|:([A-Za-z_][A-Za-z0-9_]*)|\?")


@cache
def numbered(sql: str) -> tuple[str, tuple[str, ...] | int]:
    """``sql`` with its parameters as ``$n``, and what fills them: the names in order
    (``:name`` style; a name used twice is one parameter) or the count (``?`` style)."""
    names: list[str] = []
    positional = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal positional
        text = match.group(0)
        if text == "?":
            positional += 1
            return f"${positional}"
        name = match.group(1)
        if name is None:
            return text
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    converted = _TOKENS.sub(swap, sql)
    if names and positional:
        raise ValueError("a statement mixes :name and ? parameters")
    return converted, (tuple(names) if names else positional)


def bind(sql: str, params: Mapping[str, Any] | Sequence[Any] = ()) -> tuple[str, list[Any]]:
    """``sql`` for PostgreSQL and its arguments in ``$n`` order."""
    converted, wanted = numbered(sql)
    if isinstance(wanted, tuple):
        if not isinstance(params, Mapping):
            raise TypeError("named parameters need a mapping")
        return converted, [params[name] for name in wanted]
    values = list(params.values()) if isinstance(params, Mapping) else list(params)
    if len(values) != wanted:
        raise TypeError(f"the statement takes {wanted} parameters, {len(values)} given")
    return converted, values


def statements(script: str) -> list[str]:
    """A file's statements (split at ``;`` ending a line), comments-only parts left out."""
    return [s for s in script.split(";\n") if s.strip() and not _only_comments(s)]


def _only_comments(sql: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in sql.splitlines())
