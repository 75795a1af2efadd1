"""Retroactive exclusions and erasure on PostgreSQL: counting and removing stored rows,
with the same results as :mod:`collector.storage.sqlite_exclusions`.

PostgreSQL has no GLOB, so a path rule's pattern becomes an anchored regular expression
for ``~`` (:func:`collector.storage.globs.as_regex`) that matches exactly what
``fnmatch.fnmatchcase`` (the matching of new requests) matches.

A delete returns the days of the rows it removed (``DELETE … RETURNING``), in one
transaction with every other statement of the operation, so the days announced (and
re-rolled by the caller) are exactly the days touched, even while batches commit. The
same transaction marks those days dirty, as a batch does (``mark_dirty_days``): a rollup
that did not see that mark leaves it, and the next one does the day again."""

from __future__ import annotations

from typing import Any

import asyncpg

from collector.privacy.exclusions import Rule
from collector.storage.globs import as_regex
from collector.storage.pg_conn import Sql, changed
from collector.storage.sql import bind, query, statements


def rule_params(site_id: int, rule: Rule) -> dict[str, Any]:
    host = rule.pattern if rule.kind == "referrer" else ""
    return {
        "site": site_id,
        "kind": rule.kind,
        "regex": as_regex(rule.pattern) if rule.kind == "path" else "",
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
    """The days marked dirty as a batch marks them (inserted marks: nothing to wait on)."""
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
