"""The store's roles: what each part of the collector needs from storage, one small
interface each. A backend implements all of them (``collector.storage.base.Store`` is
their sum); a caller names the roles it uses, so what it may touch is visible in its
signature and a new backend's contract is the list below. The contract suite in
``tests/storage`` checks every method of every role on each backend.

Roles handed out as objects of their own, for the larger ones: the stats readers
(``Reports``), accounts (``collector.storage.accounts_base``), the login throttle
(``collector.storage.throttle_base``), the log import ledger
(``collector.storage.imports_base``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from collector.model import DropReason, Site, SiteClock, SiteSettings

if TYPE_CHECKING:
    from collector.privacy.exclusions import Rule
    from collector.stats.filters import Filters
    from collector.stats.reports import FilteredReader, StatsReader
    from collector.storage.accounts_base import AccountStore
    from collector.storage.base import AuditEntry, ChangeListener, TokenInfo, UserRecord, WriteItem
    from collector.storage.imports_base import ImportLedger
    from collector.storage.throttle_base import ThrottleStore


class Lifecycle(Protocol):
    """Opening, schema, health."""

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def migrate(self) -> list[str]: ...
    async def ping(self) -> bool: ...


class Installation(Protocol):
    """What the nodes of one installation share besides the data."""

    async def instance_secret(self, name: str, now: float) -> str | None:
        """The named secret every node shares, made by the first that asks; None where
        the backend keeps it elsewhere (SQLite: a file in the data directory)."""
        ...

    def subscribe(self, listener: ChangeListener) -> None:
        """Call ``listener`` on every change announced, on any node of the installation."""
        ...

    async def announce(self, kind: str, ident: int) -> None: ...


class EventWriter(Protocol):
    """The hot path's writes: batches of events and drops, one transaction each, with the
    opt-out check and the drop counters inside it."""

    @property
    def batches_in_flight(self) -> int: ...
    @property
    def batch_items(self) -> int: ...
    def send_batch(
        self, items: Sequence[WriteItem], done: Callable[[list[DropReason | None] | BaseException], None]
    ) -> None: ...
    async def write_batch(self, items: Sequence[WriteItem]) -> list[DropReason | None]: ...


class Lookups(Protocol):
    """The hot path's reads (cached by the caller)."""

    async def get_site(self, site_id: int) -> Site | None: ...
    async def find_token(self, token_hash: bytes) -> TokenInfo | None: ...


class Salts(Protocol):
    """The daily visitor salts: insert-or-get (every node gets the same), and their end."""

    async def get_or_create_salt(self, day: str, candidate: bytes, now: float) -> bytes: ...
    async def delete_salts_before(self, day: str) -> int: ...
    async def delete_salts_created_before(self, ts: float) -> int: ...


class Sites(Lookups, Protocol):
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


class Users(Protocol):
    """Users and API tokens (grants, token lists and shared links: ``Store.accounts()``)."""

    async def add_user(self, name: str, password_hash: str, is_admin: bool, now: float) -> int: ...
    async def get_user(self, name: str) -> UserRecord | None: ...
    async def add_token(self, token_hash: bytes, site_id: int, scope: str, label: str, now: float) -> int: ...


class OptOuts(Protocol):
    async def add_optout(self, site_id: int, user_hash: str, now: float) -> None: ...
    async def add_optouts(self, site_id: int, user_hashes: Sequence[str], now: float) -> int: ...
    async def remove_optout(self, site_id: int, user_hash: str) -> None: ...
    async def has_optout(self, site_id: int, user_hash: str) -> bool: ...


class AuditLog(Protocol):
    async def audit(self, actor: str, action: str, detail: str, now: float, ip: str = "") -> None: ...
    async def list_audit(self, prefix: str, before: int, limit: int) -> list[AuditEntry]: ...
    async def purge_audit(self, before: float) -> int: ...


class Retention(Protocol):
    """Raw events and daily tables past their site's retention removed."""

    async def purge_events(self, site_id: int, before_day: str) -> int: ...
    async def purge_aggregates(self, site_id: int, before_day: str) -> int: ...


class Erasure(Protocol):
    """Exclusion rules applied to stored raw events, and a period erased; each returns what
    it removed per day so the caller rolls those days up again."""

    async def count_excluded(self, site_id: int, rule: Rule) -> dict[str, int]: ...
    async def delete_excluded(self, site_id: int, rules: tuple[Rule, ...]) -> dict[str, int]: ...
    async def erase(self, site_id: int, first: str, last: str) -> int: ...


class Rollups(Protocol):
    """The daily tables kept in step with the raw events."""

    async def rollup(
        self, sites: Mapping[int, SiteClock], now: float, only: Sequence[tuple[int, str]] | None
    ) -> list[tuple[int, str]]: ...
    async def days_with_events(self, site_id: int | None, day: str | None) -> list[tuple[int, str]]: ...


class Reports(Protocol):
    """Readers of the daily tables, and of raw events for filtered reports."""

    def stats(self) -> StatsReader: ...
    def filtered_stats(self, filters: Filters, sites: Mapping[int, SiteClock]) -> FilteredReader: ...


class Accounts(Protocol):
    """The role objects for the dashboard's accounts, the login throttle, log imports."""

    def accounts(self) -> AccountStore: ...
    def throttle(self) -> ThrottleStore: ...
    def imports(self) -> ImportLedger: ...


class Ingest(EventWriter, Lookups, Salts, Protocol):
    """What the tracking endpoint's ingest needs."""
