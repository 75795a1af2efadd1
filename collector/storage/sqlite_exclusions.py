"""Retroactive exclusions and erasure on SQLite: counting and removing stored rows.

The deletes run on the writing connection's thread (sqlite3's implicit transaction,
committed or rolled back whole): a count is taken in the same transaction as the delete it
announces, so the days re-rolled are exactly the days touched. A preview counts with the
same function on the read-only connection."""

from __future__ import annotations

import sqlite3
from typing import Any

from collector.privacy.exclusions import Rule
from collector.storage.globs import as_sqlite_glob
from collector.storage.sql import query


def rule_params(site_id: int, rule: Rule) -> dict[str, Any]:
    host = rule.pattern if rule.kind == "referrer" else ""
    return {
        "site": site_id,
        "kind": rule.kind,
        "glob": as_sqlite_glob(rule.pattern) if rule.kind == "path" else None,
        "host": host,
        "dot_host": "." + host,
    }


def matching_days(conn: sqlite3.Connection, site_id: int, rule: Rule) -> dict[str, int]:
    """The raw events the rule matches, counted per day (none for a rule that cannot match
    stored events)."""
    if not rule.retroactive:
        return {}
    rows = conn.execute(query("exclusions/matching_days"), rule_params(site_id, rule)).fetchall()
    return {str(day): int(n) for day, n in rows}


def delete_matching(conn: sqlite3.Connection, site_id: int, rules: tuple[Rule, ...]) -> dict[str, int]:
    """Delete the raw events the rules match; return the removed count per day."""
    removed: dict[str, int] = {}
    try:
        for rule in rules:
            if not rule.retroactive:
                continue
            for day, n in matching_days(conn, site_id, rule).items():
                removed[day] = removed.get(day, 0) + n
            conn.execute(query("exclusions/delete_matching"), rule_params(site_id, rule))
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return removed


def erase_period(conn: sqlite3.Connection, site_id: int, first: str, last: str) -> int:
    """Delete a site's collected data for days first..last; return the rows removed."""
    total = 0
    try:
        for sql in query("erase_period").split(";\n"):
            total += conn.execute(sql, {"site": site_id, "first": first, "last": last}).rowcount
        for sql in query("rebuild_months").split(";\n"):
            conn.execute(sql, {"site": site_id, "first": first[:7], "last": last[:7]})
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return total
