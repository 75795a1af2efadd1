"""The one storage interface. Ingest, the CLI, the stats and the dashboard talk to this
only (and to the stats readers and the account store it hands out), so a PostgreSQL
backend can be added without touching them; ``tests/storage`` is the contract suite every
backend must pass."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from collector.model import DropReason, Event, Site, SiteClock, SiteSettings

if TYPE_CHECKING:
    from collector.privacy.exclusions import Rule
    from collector.stats.filters import Filters
    from collector.stats.reports import FilteredReader, StatsReader
    from collector.storage.accounts_base import AccountStore
    from collector.storage.throttle_base import ThrottleStore


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


class Store(Protocol):
    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def migrate(self) -> list[str]: ...
    async def ping(self) -> bool: ...

    # what the nodes of one installation share
    async def instance_secret(self, name: str, now: float) -> str | None:
        """The named secret every node shares, made by the first that asks; None where
        the backend keeps it elsewhere (SQLite: a file in the data directory)."""
        ...

    def subscribe(self, listener: ChangeListener) -> None:
        """Call ``listener`` on every change announced, on any node of the installation."""
        ...

    async def announce(self, kind: str, ident: int) -> None: ...

    # the hot path
    @property
    def batches_in_flight(self) -> int: ...
    @property
    def batch_items(self) -> int: ...
    def send_batch(
        self, items: Sequence[WriteItem], done: Callable[[list[DropReason | None] | BaseException], None]
    ) -> None: ...
    async def write_batch(self, items: Sequence[WriteItem]) -> list[DropReason | None]: ...
    async def get_site(self, site_id: int) -> Site | None: ...
    async def find_token(self, token_hash: bytes) -> TokenInfo | None: ...
    async def get_or_create_salt(self, day: str, candidate: bytes, now: float) -> bytes: ...
    async def delete_salts_before(self, day: str) -> int: ...

    # administration
    async def list_sites(self) -> list[Site]: ...
    async def add_site(self, name: str, domains: Sequence[str], timezone: str, now: float) -> Site: ...
    async def update_site(
        self,
        site_id: int,
        name: str,
        domains: Sequence[str],
        timezone: str,
        settings: SiteSettings,
    ) -> None: ...
    async def add_user(self, name: str, password_hash: str, is_admin: bool, now: float) -> int: ...
    async def get_user(self, name: str) -> UserRecord | None: ...
    async def add_token(self, token_hash: bytes, site_id: int, scope: str, label: str, now: float) -> int: ...
    async def add_optout(self, site_id: int, user_hash: str, now: float) -> None: ...
    async def add_optouts(self, site_id: int, user_hashes: Sequence[str], now: float) -> int: ...
    async def remove_optout(self, site_id: int, user_hash: str) -> None: ...
    async def has_optout(self, site_id: int, user_hash: str) -> bool: ...
    async def purge_events(self, site_id: int, before_day: str) -> int: ...
    async def purge_aggregates(self, site_id: int, before_day: str) -> int: ...
    async def audit(self, actor: str, action: str, detail: str, now: float, ip: str = "") -> None: ...
    async def list_audit(self, prefix: str, before: int, limit: int) -> list[AuditEntry]: ...
    async def purge_audit(self, before: float) -> int: ...
    async def count_excluded(self, site_id: int, rule: Rule) -> dict[str, int]: ...
    async def delete_excluded(self, site_id: int, rules: tuple[Rule, ...]) -> dict[str, int]: ...
    async def erase(self, site_id: int, first: str, last: str) -> int: ...

    # daily tables and stats
    async def rollup(
        self, sites: Mapping[int, SiteClock], now: float, only: Sequence[tuple[int, str]] | None
    ) -> list[tuple[int, str]]: ...
    async def days_with_events(self, site_id: int | None, day: str | None) -> list[tuple[int, str]]: ...
    def stats(self) -> StatsReader: ...
    def filtered_stats(self, filters: Filters, sites: Mapping[int, SiteClock]) -> FilteredReader: ...
    def accounts(self) -> AccountStore: ...
    def throttle(self) -> ThrottleStore: ...
