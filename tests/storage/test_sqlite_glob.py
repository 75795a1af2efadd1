"""A path rule's glob as SQLite runs it (:func:`collector.storage.globs.as_sqlite_glob`
under ``GLOB``) matches exactly what Python's ``fnmatch.fnmatchcase`` matches: the
matching of new requests (``Rule.matches``). Every comparison runs in SQLite itself; the
patterns are those ``tests/storage/test_pg_glob.py`` checks on PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from fnmatch import fnmatchcase

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from collector.storage.globs import as_sqlite_glob
from tests.storage.test_pg_glob import OTHER, QUIRKS, REGEX, SPECIAL

PROPERTY = settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def conn() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:")
    yield db
    db.close()


def _matches(conn: sqlite3.Connection, glob: str | None, subjects: list[str]) -> list[bool]:
    return [bool(conn.execute("SELECT ? GLOB ?", (s, glob)).fetchone()[0]) for s in subjects]


def _check(conn: sqlite3.Connection, pattern: str, subjects: list[str]) -> None:
    subjects = [*subjects, pattern, pattern.replace("*", "").replace("?", "a")]
    glob = as_sqlite_glob(pattern)
    assert _matches(conn, glob, subjects) == [fnmatchcase(s, pattern) for s in subjects], (pattern, glob)


@pytest.mark.parametrize("pattern", [*QUIRKS, "/[^a]", "/[z-a]", "/[!z-a]", "/[", "/[]-a]", "[^]", "[^-^]"])
def test_glob_quirks_match_as_fnmatch_does(conn: sqlite3.Connection, pattern: str) -> None:
    alphabet = "abcz-!^[]\\&~|:.+()$\n" + "éA"
    subjects = ["", *alphabet, *(a + b for a in "a-!]\\^" for b in "b]^_")]
    _check(conn, pattern, subjects)


def test_path_rules_of_the_contract_match_as_fnmatch_does(conn: sqlite3.Connection) -> None:
    paths = ["/", "/admin", "/admin/users", "/blog/admin/", "/b", "/ab", "/Admin/x", "/a\nb", "/é"]
    for pattern in ("/admin/*", "/admin*", "*admin*", "/?", "/[ab]*", "/[!a]*", "/[!a-z]*", "*"):
        _check(conn, pattern, paths)


@PROPERTY
@given(
    pattern=st.text(st.sampled_from(SPECIAL + "ab-_"), max_size=12),
    subjects=st.lists(st.text(st.sampled_from("ab-!^_[]\\\n"), max_size=6), max_size=30),
)
@example(pattern="[!]-]*", subjects=["]", "-", "a"])
@example(pattern="[^-a]", subjects=["^", "_", "`", "a", "b"])
def test_globs_of_glob_syntax_match_as_fnmatch_does(
    conn: sqlite3.Connection, pattern: str, subjects: list[str]
) -> None:
    _check(conn, pattern, subjects)


@PROPERTY
@given(
    pattern=st.text(st.sampled_from(SPECIAL + REGEX + OTHER), max_size=20),
    subjects=st.lists(st.text(st.sampled_from(SPECIAL + REGEX + OTHER), max_size=10), max_size=30),
)
def test_globs_match_as_fnmatch_does(conn: sqlite3.Connection, pattern: str, subjects: list[str]) -> None:
    _check(conn, pattern, subjects)


@PROPERTY
@given(
    pattern=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=30),
    subjects=st.lists(
        st.text(st.characters(min_codepoint=1, max_codepoint=0x2FF, exclude_categories=["Cs"]), max_size=12),
        max_size=20,
    ),
)
def test_rule_patterns_match_as_fnmatch_does(
    conn: sqlite3.Connection, pattern: str, subjects: list[str]
) -> None:
    """Patterns as parse_rule lets them (printable ASCII), paths of any characters."""
    _check(conn, pattern, subjects)
