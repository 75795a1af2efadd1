"""A path rule's glob (what ``fnmatch.fnmatchcase`` matches: the matching of new
requests, :meth:`collector.privacy.exclusions.Rule.matches`) as each database matches it
over stored rows: an anchored regular expression for PostgreSQL's ``~``
(:func:`as_regex`), a pattern for SQLite's ``GLOB`` (:func:`as_sqlite_glob`).

Backend-neutral: the pattern is read once into tokens, a class's members decided by
``fnmatchcase`` itself, so both renderings inherit fnmatch's quirks (a reversed range is
empty, ``^`` is a member and not a negation, an unclosed ``[`` is a literal …).
``tests/storage/test_pg_glob.py`` and ``tests/storage/test_sqlite_glob.py`` check each
rendering in its own database against ``fnmatchcase``."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache

_LIMIT = 0x110000  # one past the last code point


@dataclass(frozen=True, slots=True)
class Star:
    """``*``: any run of characters (newlines too)."""


@dataclass(frozen=True, slots=True)
class One:
    """``?``, or a class every character is a member of: one character."""


@dataclass(frozen=True, slots=True)
class Literal:
    char: str


@dataclass(frozen=True, slots=True)
class Members:
    """A class: the code point ranges (inclusive) it holds, or (``negated``) does not."""

    spans: tuple[tuple[int, int], ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class Never:
    """A class with no member (``[z-a]``): the pattern matches nothing."""


Token = Star | One | Literal | Members | Never


def _end(pat: str, i: int) -> int:
    """Where the class opened at ``pat[i - 1] == '['`` closes, as fnmatch finds it (an
    optional ``!``, then a ``]`` that is a member, then up to the next ``]``); ``-1`` when
    it does not close, and the ``[`` is an ordinary character."""
    j = i
    if j < len(pat) and pat[j] == "!":
        j += 1
    if j < len(pat) and pat[j] == "]":
        j += 1
    return pat.find("]", j)


@lru_cache(maxsize=1024)
def _class(text: str) -> Token:
    """A closed class (``[…]``) as its members.

    The members are decided by ``fnmatchcase`` itself, one character at a time: they are
    literals and ranges between characters of ``text``, so membership can change only at
    such a character or just after one, and one probe per stretch between those points
    decides it, whatever quirks fnmatch's own translation has."""
    points = sorted(p for p in {0} | {ord(c) for c in text} | {ord(c) + 1 for c in text} if p < _LIMIT)
    stretches: list[tuple[int, int, bool]] = []
    for n, lo in enumerate(points):
        hi = (points[n + 1] if n + 1 < len(points) else _LIMIT) - 1
        stretches.append((lo, hi, fnmatchcase(chr(lo), text)))
    negated = stretches[-1][2]  # beyond every character of the text: in only if negated
    wanted = tuple((lo, hi) for lo, hi, member in stretches if member != negated)
    if not wanted:
        return One() if negated else Never()
    return Members(wanted, negated)


@lru_cache(maxsize=256)
def tokens(pattern: str) -> tuple[Token, ...]:
    """The pattern read as fnmatch reads it (runs of ``*`` as one)."""
    out: list[Token] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            if not out or not isinstance(out[-1], Star):
                out.append(Star())
        elif c == "?":
            out.append(One())
        elif c == "[" and (j := _end(pattern, i)) >= 0:
            out.append(_class(pattern[i - 1 : j + 1]))
            i = j + 1
        else:
            out.append(Literal(c))
    return tuple(out)


# --- PostgreSQL: an advanced regular expression ------------------------------------------


def _re_char(c: str) -> str:
    """One character, literal inside or outside a bracket expression of an ARE: ASCII
    letters and digits as they are, other printable ASCII quoted with ``\\``, controls
    as ``\\uXXXX`` (non-ASCII characters are never special)."""
    if c.isascii() and c.isalnum():
        return c
    if " " < c < "\x7f":
        return "\\" + c
    if c.isascii():
        return f"\\u{ord(c):04x}"
    return c


def _re_token(token: Token) -> str:
    if isinstance(token, Star):
        return ".*"  # PostgreSQL's . matches a newline too, as Python's does here
    if isinstance(token, One):
        return "."
    if isinstance(token, Literal):
        return _re_char(token.char)
    if isinstance(token, Never):
        return "(?!)"
    ranges = ((_re_char(chr(lo)), _re_char(chr(hi))) for lo, hi in token.spans)
    items = "".join(lo if lo == hi else f"{lo}-{hi}" for lo, hi in ranges)
    return f"[{'^' if token.negated else ''}{items}]"


@lru_cache(maxsize=256)
def as_regex(pattern: str) -> str:
    """The pattern as an anchored PostgreSQL regular expression for ``~``."""
    return "^" + "".join(_re_token(t) for t in tokens(pattern)) + "$"


# --- SQLite: GLOB ---------------------------------------------------------------------

_CLOSE, _CARET = ord("]"), ord("^")


def _without(spans: tuple[tuple[int, int], ...], point: int) -> list[tuple[int, int]]:
    """The spans with ``point`` taken out (a span holding it split in two)."""
    out: list[tuple[int, int]] = []
    for lo, hi in spans:
        if lo <= point <= hi:
            out.extend(s for s in ((lo, point - 1), (point + 1, hi)) if s[0] <= s[1])
        else:
            out.append((lo, hi))
    return out


def _glob_class(token: Members) -> str:
    """A class in SQLite's GLOB syntax: ``[^…]`` negates; a ``]`` is a member only first;
    every other member written as a range ``a-b`` (a ``-`` read as an end of a range is
    never mistaken for one, and ranges need no order); a ``^`` never first unless it
    negates. NUL cannot be written (paths hold none): a span from 0 starts at 1."""
    spans = [(max(lo, 1), hi) for lo, hi in token.spans if hi >= 1]
    has_close = any(lo <= _CLOSE <= hi for lo, hi in spans)
    rest = _without(tuple(spans), _CLOSE)
    if not token.negated and not has_close:
        rest.sort(key=lambda s: s[0] == _CARET)  # a span starting at ^ never first
        if rest and rest[0][0] == _CARET:  # the only one: its ^ goes last
            lo, hi = rest[0]
            rest = ([(lo + 1, hi)] if hi > lo else []) + [(_CARET, _CARET)]
            if len(rest) == 1:
                return "^"  # a class of ^ alone is a literal ^ (outside a class, not special)
    if not rest and not has_close:  # its only member was NUL
        return "?" if token.negated else "[]"  # "[]" is unclosed in GLOB: matches nothing
    items = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in rest)
    return f"[{'^' if token.negated else ''}{']' if has_close else ''}{items}]"


def _glob_token(token: Token) -> str:
    if isinstance(token, Star):
        return "*"
    if isinstance(token, One):
        return "?"
    if isinstance(token, Literal):
        return f"[{token.char}]" if token.char in "*?[" else token.char
    assert isinstance(token, Members)
    return _glob_class(token)


@lru_cache(maxsize=256)
def as_sqlite_glob(pattern: str) -> str | None:
    """The pattern for SQLite's ``GLOB``; None when it can match nothing (``x GLOB NULL``
    is NULL: no row)."""
    found = tokens(pattern)
    if any(isinstance(t, Never) for t in found):
        return None
    return "".join(_glob_token(t) for t in found)
