"""Stored rows as the model's values, the same on every backend: a site's row as a
:class:`Site`, its settings as JSON, an audit entry, a user."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import orjson

from collector.model import Site, SiteSettings
from collector.storage.base import AuditEntry, UserRecord


class Row(Protocol):
    """A result row of either driver (a tuple, an ``asyncpg.Record``)."""

    def __getitem__(self, index: int, /) -> Any: ...


def site_from_row(row: Row) -> Site:
    """``id, name, domains, timezone, secret, settings`` (``get_site.sql``). Settings this
    release does not know are left out (a newer release wrote them)."""
    raw_settings = orjson.loads(row[5] or "{}")
    known = SiteSettings.__dataclass_fields__
    settings = SiteSettings(**{k: _tuple(v) for k, v in raw_settings.items() if k in known})
    return Site(
        id=int(row[0]),
        name=str(row[1]),
        domains=tuple(orjson.loads(row[2] or "[]")),
        timezone=str(row[3]),
        secret=bytes(row[4]),
        settings=settings,
    )


def _tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def settings_json(settings: SiteSettings) -> str:
    data = {k: getattr(settings, k) for k in SiteSettings.__dataclass_fields__}
    return orjson.dumps(data).decode()


def domains_json(domains: Sequence[str]) -> str:
    return orjson.dumps(list(domains)).decode()


def audit_entry(r: Row) -> AuditEntry:
    return AuditEntry(int(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]))


def user_record(r: Row) -> UserRecord:
    return UserRecord(id=int(r[0]), name=str(r[1]), password_hash=str(r[2]), is_admin=bool(r[3]))
