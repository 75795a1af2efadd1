"""The storage interface: the records and errors every backend shares, and ``Store``, the
sum of the roles in :mod:`collector.storage.roles` that a backend implements. Ingest, the
CLI, the stats and the dashboard talk to these only (and to the readers and role objects
a store hands out), so backends change without touching them; ``tests/storage`` is the
contract suite every backend must pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from collector.model import DropReason, Event
from collector.storage import roles

MAX_BATCH_ITEMS = 2000  # items in one batch (one transaction) at most; more wait for the next


class WriterClosed(RuntimeError):
    """The group-commit writer is stopping: the request could not be stored. (Here, not
    in the writer's module: that one is compiled, and mypyc compiles no subclass of
    RuntimeError.)"""


class StoreUnavailable(RuntimeError):
    """The store cannot take writes now: the disk is full, the database is read-only,
    locked past its timeout, or its file is gone. Nothing of the request was stored, and
    the same request may be sent again later (the tracking endpoint answers 503 with
    ``Retry-After``). Backend-neutral: each backend turns its own errors into this one
    (SQLite: :func:`collector.storage.sqlite_write.unavailable`); the message says why,
    in a few words, without any stored value."""


class Conflict(RuntimeError):
    """The row exists already (a user name taken meanwhile): each backend turns its own
    unique-constraint error into this one."""


@dataclass(slots=True)  # not frozen: one per beacon, where a frozen __init__ is slow (bench/README.md)
class WriteItem:
    """One request's outcome for the writer: an event to insert, or a drop to count.
    ``uid_hash`` is checked against ``optouts`` in the same transaction. Never changed
    once made."""

    site_id: int
    day: str
    event: Event | None
    drop: DropReason | None
    uid_hash: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """Who did what, when, from where (a masked address); ``detail`` is JSON."""

    id: int
    ts: int
    actor: str
    action: str
    detail: str
    ip: str


@dataclass(frozen=True, slots=True)
class TokenInfo:
    site_id: int
    scope: str


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    name: str
    password_hash: str
    is_admin: bool


# Told of a change: (kind, id); kind "site" (settings, exclusion rules), "token", or "*"
# (anything may have changed: the notices were interrupted).
ChangeListener = Callable[[str, int], None]


class Store(
    roles.Lifecycle,
    roles.Installation,
    roles.EventWriter,
    roles.Salts,
    roles.Sites,
    roles.Users,
    roles.OptOuts,
    roles.AuditLog,
    roles.Retention,
    roles.Erasure,
    roles.Rollups,
    roles.Reports,
    roles.Accounts,
    Protocol,
):
    """Every role (:mod:`collector.storage.roles`): what a backend implements."""
