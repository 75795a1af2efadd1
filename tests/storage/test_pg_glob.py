"""A path rule's glob as PostgreSQL runs it (:func:`collector.storage.globs.as_regex`
under ``~``) matches exactly what Python's ``fnmatch.fnmatchcase`` matches: the matching
of new requests (``Rule.matches``). Every comparison runs the regular expression in
PostgreSQL itself."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from fnmatch import fnmatchcase

import asyncpg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from collector.storage.globs import as_regex as glob_to_regex
from tests import pgserver

Matcher = Callable[[str, list[str]], list[bool]]

PROPERTY = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# What makes globs and regular expressions differ: glob syntax, regex syntax, a newline
# (Python's * and ? match it), a few ordinary and non-ASCII characters.
SPECIAL = "*?[]!-^\\"
REGEX = ".+()|{}$:&~=,#/'\"%_"
OTHER = "aAbz09\né\u0100"


@pytest.fixture(scope="module")
def pg_match() -> Iterator[Matcher]:
    """``subjects ~ regex`` in PostgreSQL, in order."""
    url = pgserver.new_database()
    loop = asyncio.new_event_loop()
    conn: asyncpg.Connection = loop.run_until_complete(asyncpg.connect(url))

    def run(regex: str, subjects: list[str]) -> list[bool]:
        rows = loop.run_until_complete(
            conn.fetch(
                "SELECT s ~ $1::text FROM unnest($2::text[]) WITH ORDINALITY AS t(s, n) ORDER BY n",
                regex,
                subjects,
            )
        )
        return [bool(r[0]) for r in rows]

    yield run
    loop.run_until_complete(conn.close())
    loop.close()


def _check(match: Matcher, pattern: str, subjects: list[str]) -> None:
    subjects = [*subjects, pattern, pattern.replace("*", "").replace("?", "a")]
    regex = glob_to_regex(pattern)
    assert match(regex, subjects) == [fnmatchcase(s, pattern) for s in subjects], (pattern, regex)


QUIRKS = [
    "[z-a]",  # a reversed range is empty: never matches
    "[!z-a]",  # negated and empty: any character
    "[z-a!]",  # fnmatch's own translation: the "!" left first means any character
    "[z-a!b]",  # … and here negates
    "[z-a!-~]",
    "[]]",
    "[!]]",
    "[]-a]",
    "[a-]",
    "[-a]",
    "[!-a]",
    "[a-c-e]",  # a hyphen right after a range is a member
    "[a--]",
    "[--/]",
    "[\\]",
    "[\\-^]",
    "[[]",
    "[^a]",  # ^ is a member in a glob, not a negation
    "[!^]",
    "[[:alpha:]]",  # no POSIX classes in a glob
    "[a&&b]",
    "[a~~b]",
    "[a||b]",
    "[",
    "a[b",
    "[!]",
    "[!",
    "**a**",
    "a.b+c(d)|e{1}$^",
    "\\*",
    "*\n*",
    "?",
]


@pytest.mark.parametrize("pattern", QUIRKS)
def test_glob_quirks_match_as_fnmatch_does(pg_match: Matcher, pattern: str) -> None:
    alphabet = "abcz-!^[]\\&~|:.+()$\n" + "éA"
    subjects = ["", *alphabet, *(a + b for a in "a-!]\\" for b in "b]^")]
    _check(pg_match, pattern, subjects)


def test_path_rules_of_the_contract_match_as_fnmatch_does(pg_match: Matcher) -> None:
    paths = ["/", "/admin", "/admin/users", "/blog/admin/", "/b", "/ab", "/Admin/x", "/a\nb", "/é"]
    for pattern in ("/admin/*", "/admin*", "*admin*", "/?", "/[ab]*", "/[!a]*", "/[!a-z]*", "*"):
        _check(pg_match, pattern, paths)


@PROPERTY
@given(
    pattern=st.text(st.sampled_from(SPECIAL + "ab-"), max_size=12),
    subjects=st.lists(st.text(st.sampled_from("ab-!^[]\\\n"), max_size=6), max_size=30),
)
@example(pattern="[!]-]*", subjects=["]", "-", "a"])
def test_globs_of_glob_syntax_match_as_fnmatch_does(
    pg_match: Matcher, pattern: str, subjects: list[str]
) -> None:
    _check(pg_match, pattern, subjects)


@PROPERTY
@given(
    pattern=st.text(st.sampled_from(SPECIAL + REGEX + OTHER), max_size=20),
    subjects=st.lists(st.text(st.sampled_from(SPECIAL + REGEX + OTHER), max_size=10), max_size=30),
)
def test_globs_match_as_fnmatch_does(pg_match: Matcher, pattern: str, subjects: list[str]) -> None:
    _check(pg_match, pattern, subjects)


@PROPERTY
@given(
    pattern=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=30),
    subjects=st.lists(
        st.text(st.characters(min_codepoint=1, max_codepoint=0x2FF, exclude_categories=["Cs"]), max_size=12),
        max_size=20,
    ),
)
def test_rule_patterns_match_as_fnmatch_does(pg_match: Matcher, pattern: str, subjects: list[str]) -> None:
    """Patterns as parse_rule lets them (printable ASCII), paths of any characters."""
    _check(pg_match, pattern, subjects)
