"""``COLLECTOR_DATABASE`` read: which backend, and where. A malformed URL is refused with
the part that is wrong named (never the password)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

SQLITE_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql", "postgres")
# libpq's connection options that may follow the ``?`` (the ones a URL can carry).
LIBPQ_OPTIONS = frozenset(
    {
        "sslmode",
        "sslcert",
        "sslkey",
        "sslrootcert",
        "sslcrl",
        "sslpassword",
        "sslnegotiation",
        "sslcompression",
        "requiressl",
        "gssencmode",
        "krbsrvname",
        "target_session_attrs",
        "connect_timeout",
        "application_name",
        "options",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "passfile",
        "channel_binding",
        "service",
        "load_balance_hosts",
        "client_encoding",
        "server_settings",
    }
)
SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


class DatabaseUrlError(ValueError):
    """The URL is malformed; the message names the part."""


@dataclass(frozen=True, slots=True)
class SqliteUrl:
    path: Path


@dataclass(frozen=True, slots=True)
class PostgresUrl:
    url: str  # as given (with its password): only for the driver
    host: str
    port: int
    database: str
    user: str

    @property
    def where(self) -> str:
        """Host, port and database, for messages (never the user's password)."""
        return f"{self.host}:{self.port}/{self.database}"


DatabaseUrl = SqliteUrl | PostgresUrl


def parse(url: str) -> DatabaseUrl:
    if url.startswith(SQLITE_PREFIX):
        rest = url[len(SQLITE_PREFIX) :]
        if not rest or rest.endswith("/"):
            raise DatabaseUrlError("sqlite:/// URL: the path to the database file is missing")
        return SqliteUrl(Path(rest))
    scheme, sep, _ = url.partition("://")
    if not sep:
        raise DatabaseUrlError(
            "not a database URL: expected sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB"
        )
    if scheme.lower() not in POSTGRES_SCHEMES:
        shown = scheme if scheme.isalnum() else "(unreadable)"
        raise DatabaseUrlError(f"unsupported scheme {shown!r}: use sqlite:/// or postgresql://")
    return _postgres(url)


def _postgres(url: str) -> PostgresUrl:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, a bad IPv6 literal (never say what it
        # read: with an unencoded '/' in the password, the "port" is part of the password)
        raise DatabaseUrlError(
            "postgresql:// URL: bad host or port (the port must be a number; in the user "
            "name or password, '/', '@', ':', '?' and '#' must be percent-encoded)"
        ) from None
    if not parts.hostname:
        raise DatabaseUrlError("postgresql:// URL: the host is missing (postgresql://USER@HOST:PORT/DB)")
    if port is not None and not 0 < port < 65536:
        raise DatabaseUrlError(f"postgresql:// URL: port {port} is out of range")
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise DatabaseUrlError("postgresql:// URL: the database name is missing (…/DB at the end)")
    if "/" in database:
        raise DatabaseUrlError("postgresql:// URL: the database name has a '/'")
    if parts.fragment:
        raise DatabaseUrlError("postgresql:// URL: a '#' fragment is not allowed")
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in LIBPQ_OPTIONS:
            raise DatabaseUrlError(f"postgresql:// URL: unknown option {key!r} after '?'")
        if key == "sslmode" and value not in SSLMODES:
            raise DatabaseUrlError(f"postgresql:// URL: sslmode must be one of {', '.join(SSLMODES)}")
    return PostgresUrl(
        url=url,
        host=parts.hostname,
        port=port or 5432,
        database=database,
        user=unquote(parts.username or ""),
    )
