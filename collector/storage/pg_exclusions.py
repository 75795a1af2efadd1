"""Retroactive exclusions and erasure on PostgreSQL: counting and removing stored rows,
with the same results as :mod:`collector.storage.sqlite_exclusions`.

PostgreSQL has no GLOB, so a path rule's pattern becomes an anchored regular expression
for ``~`` (:func:`glob_to_regex`) that matches exactly what ``fnmatch.fnmatchcase`` (the
matching of new requests, :meth:`collector.privacy.exclusions.Rule.matches`) matches;
``tests/storage/test_pg_glob.py`` checks that in PostgreSQL itself.

A delete returns the days of the rows it removed (``DELETE … RETURNING``), in one
transaction with every other statement of the operation, so the days announced (and
re-rolled by the caller) are exactly the days touched, even while batches commit. The
same transaction marks those days dirty, as a batch does (``mark_dirty_days``): a rollup
that started before the delete sees its day changed under it and does it again."""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

import asyncpg

from collector.privacy.exclusions import Rule
from collector.storage.pg_conn import Sql, changed
from collector.storage.sql import bind, query, statements

_NEVER = "(?!)"  # a class with no member (``[z-a]``): matches no character


def _char(c: str) -> str:
    """One character, literal inside or outside a bracket expression of an ARE: ASCII
    letters and digits as they are, other printable ASCII quoted with ``\\``, controls
    as ``\\uXXXX`` (non-ASCII characters are never special)."""
    if c.isascii() and c.isalnum():
        return c
    if " " < c < "\x7f":
        return "\\" + c
    if c.isascii():
        return f"\\u{ord(c):04x}"
    return c


def _end(pat: str, i: int) -> int:
    """Where the class opened at ``pat[i - 1] == '['`` closes, as fnmatch finds it (an
    optional ``!``, then a ``]`` that is a member, then up to the next ``]``); ``-1`` when
    it does not close, and the ``[`` is an ordinary character."""
    j = i
    if j < len(pat) and pat[j] == "!":
        j += 1
    if j < len(pat) and pat[j] == "]":
        j += 1
    j = pat.find("]", j)
    return j


def _bracket(spans: list[tuple[int, int]], negated: bool) -> str:
    items = "".join(_char(chr(lo)) if lo == hi else f"{_char(chr(lo))}-{_char(chr(hi))}" for lo, hi in spans)
    return f"[{'^' if negated else ''}{items}]"


@lru_cache(maxsize=1024)
def _class(text: str) -> str:
    """A class (``[…]``, closed) as a bracket expression with the same members.

    The members are decided by ``fnmatchcase`` itself, one character at a time: they are
    literals and ranges between characters of ``text``, so membership can change only at
    such a character or just after one, and one probe per stretch between those points
    decides it, whatever quirks fnmatch's own translation has (a reversed range is empty,
    a ``!`` that ends up first negates, …)."""
    points = sorted({0} | {ord(c) for c in text} | {ord(c) + 1 for c in text})
    limit = 0x110000
    points = [p for p in points if p < limit]
    spans: list[tuple[int, int, bool]] = []
    for n, lo in enumerate(points):
        hi = (points[n + 1] if n + 1 < len(points) else limit) - 1
        spans.append((lo, hi, fnmatchcase(chr(lo), text)))
    negated = spans[-1][2]  # beyond every character of the text: in only if negated
    wanted = [(lo, hi) for lo, hi, member in spans if member != negated]
    if not wanted:
        return "." if negated else _NEVER
    return _bracket(wanted, negated)


@lru_cache(maxsize=256)
def glob_to_regex(pattern: str) -> str:
    """A path rule's pattern (``fnmatchcase``: ``*``, ``?``, ``[…]``, ``[!…]``, no
    escapes) as an anchored PostgreSQL regular expression: ``*`` and ``?`` as ``.*`` and
    ``.`` (which match a newline too, as Python's do), every other character literal."""
    out = ["^"]
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            if out[-1] != ".*":
                out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[" and (j := _end(pattern, i)) >= 0:
            out.append(_class(pattern[i - 1 : j + 1]))
            i = j + 1
        else:
            out.append(_char(c))
    out.append("$")
    return "".join(out)


def rule_params(site_id: int, rule: Rule) -> dict[str, Any]:
    host = rule.pattern if rule.kind == "referrer" else ""
    return {
        "site": site_id,
        "kind": rule.kind,
        "regex": glob_to_regex(rule.pattern) if rule.kind == "path" else "",
        "host": host,
        "dot_host": "." + host,
    }


def _per_day(rows: list[asyncpg.Record]) -> dict[str, int]:
    return {str(r[0]): int(r[1]) for r in rows}


async def matching_days(sql: Sql, site_id: int, rule: Rule) -> dict[str, int]:
    """The raw events the rule matches, counted per day (none for a rule that cannot match
    stored events)."""
    if not rule.retroactive:
        return {}
    return _per_day(await sql.fetch("exclusions/matching_days", rule_params(site_id, rule)))


async def _mark_dirty(conn: asyncpg.Connection, site_id: int, days: dict[str, int]) -> None:
    """The days as a batch marks them, in the batches' order (site, day): the row locks
    are taken last and never in a cycle with a batch's."""
    if days:
        marks = sorted(days)
        await conn.execute(query("mark_dirty_days", "postgresql"), [site_id] * len(marks), marks)


async def delete_matching(sql: Sql, site_id: int, rules: tuple[Rule, ...]) -> dict[str, int]:
    """Delete the raw events the rules match; return the removed count per day (an event
    two rules match is removed, and counted, once)."""
    removed: dict[str, int] = {}
    wanted = [rule for rule in rules if rule.retroactive]
    if not wanted:
        return removed
    async with sql.transaction() as conn:
        for rule in wanted:
            text, args = bind(query("exclusions/delete_matching", "postgresql"), rule_params(site_id, rule))
            for day, n in _per_day(await conn.fetch(text, *args)).items():
                removed[day] = removed.get(day, 0) + n
        await _mark_dirty(conn, site_id, removed)
    return dict(sorted(removed.items()))


async def erase_period(sql: Sql, site_id: int, first: str, last: str) -> int:
    """Delete a site's collected data for days first..last; return the rows removed."""
    params = {"site": site_id, "first": first, "last": last}
    raw, *rest = statements(query("erase_period", "postgresql"))
    async with sql.transaction() as conn:
        text, args = bind(raw, params)
        days = _per_day(await conn.fetch(text, *args))  # the raw events, per day
        total = sum(days.values())
        for statement in rest:
            text, args = bind(statement, params)
            total += changed(await conn.execute(text, *args))
        for statement in statements(query("rebuild_months", "postgresql")):
            text, args = bind(statement, {"site": site_id, "first": first[:7], "last": last[:7]})
            await conn.execute(text, *args)
        await _mark_dirty(conn, site_id, days)
    return total
