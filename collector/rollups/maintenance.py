"""Periodic work, as a task table: (description, function, period). ``serve`` runs it in
the background; the CLI runs the same functions by hand (``purge``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from collector.clock import Clock
from collector.ingest.visitor import SaltRing
from collector.rollups.runner import raw_retention_days, rollup
from collector.settings import Settings
from collector.storage import roles
from collector.storage.base import Store

log = logging.getLogger("collector.tasks")


class PurgeStore(roles.Sites, roles.Retention, roles.Accounts, Protocol):
    """The roles retention uses: the sites' settings, the purges, the import ledger."""


@dataclass(frozen=True)
class Task:
    description: str
    run: Callable[[], Awaitable[object]]
    period_s: float


async def purge_raw_events(store: PurgeStore, settings: Settings, clock: Clock) -> int:
    """Delete raw events older than each site's retention (in the site's time zone), and
    the log import's line fingerprints imported longer ago than that."""
    now = clock()
    removed = 0
    for site in await store.list_sites():
        days = raw_retention_days(site, settings)
        today = datetime.fromtimestamp(now, site.tz).date()
        removed += await store.purge_events(site.id, (today - timedelta(days=days)).isoformat())
        imported_before = datetime.fromtimestamp(now, UTC).date() - timedelta(days=days)
        await store.imports().prune(site.id, imported_before.isoformat())
    return removed


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (clamped to the month's end), as a cut-off."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError("unreachable")


async def purge_aggregates(store: PurgeStore, clock: Clock) -> int:
    """Delete daily rows older than a site's ``aggregate_retention_months`` (0 keeps all)."""
    removed = 0
    for site in await store.list_sites():
        months = site.settings.aggregate_retention_months
        if months > 0:
            today = datetime.fromtimestamp(clock(), site.tz).date()
            removed += await store.purge_aggregates(site.id, months_before(today, months).isoformat())
    return removed


def task_table(store: Store, salts: SaltRing, settings: Settings, clock: Clock) -> list[Task]:
    interval = float(settings.rollup_interval_s)
    return [
        Task("roll up days that received events", lambda: rollup(store, settings, clock), interval),
        Task("destroy visitor salts 48 hours after they were made", lambda: salts.purge(clock()), interval),
        Task(
            "delete raw events past their retention",
            lambda: purge_raw_events(store, settings, clock),
            max(interval, 3600.0),
        ),
        Task(
            "delete daily aggregates past their retention",
            lambda: purge_aggregates(store, clock),
            max(interval, 3600.0),
        ),
        Task(
            "delete expired dashboard sessions",
            lambda: store.accounts().delete_expired_sessions(clock()),
            max(interval, 3600.0),
        ),
        Task(
            "delete audit entries past their retention",
            lambda: store.purge_audit(clock() - settings.audit_retention_days * 86400),
            max(interval, 3600.0),
        ),
    ]


async def run_tasks(
    tasks: list[Task], sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, tick_s: float = 1.0
) -> None:
    """Run each task once at start, then every ``period_s``; a failure is logged, not fatal."""
    due = [0.0] * len(tasks)
    elapsed = 0.0
    while True:
        for n, task in enumerate(tasks):
            if elapsed >= due[n]:
                try:
                    await task.run()
                except Exception as exc:
                    log.error("task %r failed: %s", task.description, type(exc).__name__)
                due[n] = elapsed + task.period_s
        await sleep(tick_s)
        elapsed += tick_s
