"""``COLLECTOR_DATABASE`` read: both backends' URLs, and every malformed URL refused with
the part named and never the password."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector.settings import Settings, SettingsError
from collector.storage.urls import DatabaseUrlError, PostgresUrl, SqliteUrl, parse

SECRET = "s3cr3t-pw"


def test_sqlite_urls_name_a_file() -> None:
    assert parse("sqlite:///./data/c.sqlite3") == SqliteUrl(Path("./data/c.sqlite3"))
    assert parse("sqlite:////var/lib/c.sqlite3") == SqliteUrl(Path("/var/lib/c.sqlite3"))


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgres_urls_with_libpq_options(scheme: str) -> None:
    found = parse(f"{scheme}://app:{SECRET}@db.internal:6432/analytics?sslmode=require&connect_timeout=3")
    assert isinstance(found, PostgresUrl)
    assert (found.host, found.port, found.database, found.user) == ("db.internal", 6432, "analytics", "app")
    assert found.where == "db.internal:6432/analytics"
    assert SECRET not in found.where


def test_the_default_port_is_5432() -> None:
    found = parse("postgresql://app@localhost/analytics")
    assert isinstance(found, PostgresUrl) and found.port == 5432


@pytest.mark.parametrize(
    ("url", "part"),
    [
        ("mysql://u:p@h/db", "scheme"),
        ("not a url", "not a database URL"),
        ("sqlite:///", "path"),
        (f"postgresql://u:{SECRET}@/db", "host"),
        (f"postgresql://u:{SECRET}@h:99999/db", "port"),
        (f"postgresql://u:{SECRET}@h:notaport/db", "port"),
        (f"postgresql://u:{SECRET}@h:5432/", "database name"),
        (f"postgresql://u:{SECRET}@h/db?sslmode=sometimes", "sslmode"),
        (f"postgresql://u:{SECRET}@h/db?colour=blue", "option"),
        ("postgresql://u:pa/ss@h/db", "port"),  # an unencoded '/' in the password
    ],
)
def test_a_malformed_url_names_the_wrong_part_and_never_the_password(url: str, part: str) -> None:
    with pytest.raises(DatabaseUrlError) as caught:
        parse(url)
    assert part in str(caught.value)
    assert SECRET not in str(caught.value) and "pa/ss" not in str(caught.value)
    with pytest.raises(SettingsError):
        Settings.from_env({"COLLECTOR_DATABASE": url})


@given(st.text(max_size=80))
def test_any_text_is_a_url_or_a_clear_refusal(text: str) -> None:
    for candidate in (text, "postgresql://" + text, "postgresql://u:" + SECRET + "@" + text):
        try:
            parse(candidate)
        except DatabaseUrlError as exc:
            assert SECRET not in str(exc)


def test_postgres_has_no_database_file_and_keeps_its_secret_in_the_database() -> None:
    settings = Settings(database="postgresql://u@h/db")
    assert settings.is_postgres
    with pytest.raises(SettingsError):
        _ = settings.database_path
