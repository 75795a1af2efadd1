"""Settings: one declarative table, read from ``COLLECTOR_*`` environment variables once.

Every setting has a name, a cast, a default and a help text. The README's settings table
is checked against :data:`SETTINGS` by a test, so a setting cannot go undocumented.
A TOML file named by ``COLLECTOR_CONFIG`` may mirror the variables (keys in lower case,
without the prefix); the environment wins over the file.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from collector.storage import urls

PREFIX = "COLLECTOR_"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"not a boolean: {raw!r}")


def _networks(raw: str) -> tuple[Network, ...]:
    parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
    try:
        return tuple(ipaddress.ip_network(p, strict=False) for p in parts)
    except ValueError as exc:
        raise SettingsError(f"not a list of CIDRs: {raw!r}") from exc


def _mask_bytes(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 3:
        raise SettingsError("COLLECTOR_IP_MASK_BYTES must be 1, 2 or 3")
    return value


def _writer(raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"process", "thread"}:
        raise SettingsError(f"must be process or thread: {raw!r}")
    return value


def _database(raw: str) -> str:
    try:
        urls.parse(raw)
    except urls.DatabaseUrlError as exc:
        raise SettingsError(str(exc)) from None
    return raw


def _geo_database(raw: str) -> str:
    from collector.geo.sources import GeoDatabaseError, check_database  # iptocc loads only here

    try:
        check_database(raw.strip())
    except GeoDatabaseError as exc:
        raise SettingsError(str(exc)) from None
    return raw.strip()


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise SettingsError(f"must be a positive integer: {raw!r}")
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise SettingsError(f"must be 0 or a positive integer: {raw!r}")
    return value


def _str(raw: str) -> str:
    return raw


@dataclass(frozen=True)
class Setting:
    """One row of the settings table."""

    name: str  # attribute name; the variable is COLLECTOR_<NAME>
    default: str
    help: str
    cast: Callable[[str], Any] = _str
    secret: bool = False

    @property
    def env(self) -> str:
        return PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database",
        "sqlite:///./data/collector.sqlite3",
        "Where data lives: `sqlite:///PATH` (relative to the working directory), "
        "`sqlite:////ABSOLUTE/PATH`, or `postgresql://USER:PASSWORD@HOST:PORT/DB` (also "
        "`postgres://`, with libpq options such as `?sslmode=require`) for many nodes on one "
        "PostgreSQL.",
        _database,
    ),
    Setting("host", "127.0.0.1", "Address `collector serve` listens on."),
    Setting("port", "8000", "Port `collector serve` listens on.", int),
    Setting("workers", "1", "Worker processes for `collector serve`.", _positive_int),
    Setting(
        "keep_alive_s",
        "5",
        "Seconds `serve` keeps a connection open, idle, after a reply (uvicorn's keep-alive "
        "timeout). A connection that has not yet sent a whole request is not timed: see "
        "*Behind a reverse proxy*.",
        _positive_int,
    ),
    Setting(
        "shutdown_timeout_s",
        "10",
        "On SIGTERM, `serve` stops accepting at once and gives requests in flight this many "
        "seconds to finish (uvicorn's graceful-shutdown timeout); then it drains the group "
        "commit and exits. A beacon that got a 2xx is committed either way.",
        _positive_int,
    ),
    Setting(
        "max_connections",
        "0",
        "Open connections per worker past which `serve` answers new requests 503 (uvicorn's "
        "`limit_concurrency`); `0`: the open-file limit (`ulimit -n`) less a tenth, at least "
        "64, kept for the database, the writer process and the logs.",
        _non_negative_int,
    ),
    Setting(
        "writer",
        "process",
        "Where `serve` commits tracked requests to SQLite: `process` (a writer process "
        "per worker, so commits run beside the event loop, not between its requests) or "
        "`thread` (a thread of the worker: one process less, ~15% less throughput).",
        _writer,
    ),
    Setting(
        "secret_key",
        "",
        "Instance secret (for signing dashboard sessions). Generated into the data "
        "directory (`secret_key` file, mode 0600) when empty.",
        _str,
        True,
    ),
    Setting(
        "trusted_proxies",
        "",
        "Comma-separated CIDRs whose `X-Forwarded-For` is believed (default: none; "
        "the socket peer is the client).",
        _networks,
    ),
    Setting(
        "ip_mask_bytes",
        "2",
        "IP anonymisation level, 1-3: IPv4 drops that many last octets; IPv6 keeps 64, 48 or 24 bits.",
        _mask_bytes,
    ),
    Setting(
        "raw_retention_days",
        "30",
        "Default days raw events are kept before `purge` deletes them (a site may override it).",
        _positive_int,
    ),
    Setting(
        "audit_retention_days",
        "400",
        "Days entries of the audit log (logins, users, tokens, settings, exports, erasures, "
        "exclusions) are kept.",
        _positive_int,
    ),
    Setting(
        "rollup_interval_s",
        "60",
        "Seconds between background maintenance runs in `serve` (deleting expired "
        "visitor salts; raw-event retention runs hourly).",
        _positive_int,
    ),
    Setting(
        "demo",
        "false",
        "Serve the demo website at `/demo/` (tracked as site 1, with an unauthenticated "
        "opt-out backend): `make run` turns it on; keep it off in production.",
        _bool,
    ),
    Setting(
        "access_log",
        "true",
        "Write the collector's own access log: every request a line (masked IP, path without "
        "query string or secrets, status), except beacons answered as tracked, counted in one "
        "line a minute.",
        _bool,
    ),
    Setting(
        "access_log_file",
        "",
        "Write the access log to this file (reopened when moved, so logrotate can rotate and "
        "expire it) instead of standard error.",
    ),
    Setting("max_body_bytes", "65536", "Largest accepted tracking request body.", _positive_int),
    Setting("max_bulk_requests", "100", "Most requests accepted in one bulk body.", _positive_int),
    Setting(
        "referrer_spam_file",
        "",
        "Optional file of extra referrer-spam domains (one a line), added to the built-in list.",
    ),
    Setting(
        "geo_database",
        "",
        "Optional MaxMind-format file (`.mmdb`, e.g. a licensed country database) to take countries "
        "from instead of the registry data the collector ships; only the country is read, under the "
        "same 90 % rule. A missing or malformed file stops the start naming it.",
        _geo_database,
    ),
    Setting("log_level", "info", "Log level: debug, info, warning, error."),
)


@dataclass(frozen=True)
class Settings:
    """The collector's settings, immutable once read."""

    database: str = "sqlite:///./data/collector.sqlite3"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    keep_alive_s: int = 5
    shutdown_timeout_s: int = 10
    max_connections: int = 0
    writer: str = "process"
    secret_key: str = field(default="", repr=False)
    trusted_proxies: tuple[Network, ...] = ()
    ip_mask_bytes: int = 2
    raw_retention_days: int = 30
    audit_retention_days: int = 400
    rollup_interval_s: int = 60
    demo: bool = False
    access_log: bool = True
    access_log_file: str = ""
    max_body_bytes: int = 65536
    max_bulk_requests: int = 100
    referrer_spam_file: str = ""
    geo_database: str = ""
    log_level: str = "info"

    @property
    def database_url(self) -> urls.DatabaseUrl:
        """``database`` read (raises :class:`SettingsError` naming the wrong part)."""
        try:
            return urls.parse(self.database)
        except urls.DatabaseUrlError as exc:
            raise SettingsError(f"COLLECTOR_DATABASE: {exc}") from None

    @property
    def is_postgres(self) -> bool:
        return isinstance(self.database_url, urls.PostgresUrl)

    @property
    def database_path(self) -> Path:
        """The SQLite file named by ``database``."""
        parsed = self.database_url
        if not isinstance(parsed, urls.SqliteUrl):
            raise SettingsError("COLLECTOR_DATABASE names PostgreSQL: there is no database file")
        return parsed.path

    @property
    def data_dir(self) -> Path:
        """Where the instance's own files go (the generated secret key): next to the
        SQLite file, or ``./data`` for PostgreSQL (where the key lives in the database,
        shared by every node, unless ``COLLECTOR_SECRET_KEY`` is set)."""
        parsed = self.database_url
        return parsed.path.parent if isinstance(parsed, urls.SqliteUrl) else Path("data")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every setting once: the environment, then ``COLLECTOR_CONFIG``, then defaults."""
        env = os.environ if environ is None else environ
        file_values = _read_toml(env.get(PREFIX + "CONFIG", ""))
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = env.get(setting.env)
            if raw is None:
                raw = file_values.get(setting.name, setting.default)
            try:
                values[setting.name] = setting.cast(str(raw))
            except (ValueError, SettingsError) as exc:
                raise SettingsError(f"{setting.env}: {exc}") from exc
        return cls(**values)


def _read_toml(path: str) -> dict[str, Any]:
    if not path:
        return {}
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    return {str(k).lower(): v for k, v in data.items()}


def setting_names() -> list[str]:
    """The environment variable of every setting (the README documents each one)."""
    names = [s.env for s in SETTINGS]
    assert {f.name for f in fields(Settings)} == {s.name for s in SETTINGS}
    return names
