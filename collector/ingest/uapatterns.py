"""A small scanner of regular-expression text, enough for the User-Agent rules
(:mod:`collector.ingest.uarules`): split a pattern into its top-level alternatives, find
look-arounds, and relax a negative look-around into a pattern plus the contexts to refuse.
Pure string work, run once per process when the rules are compiled."""

from __future__ import annotations

_LOOKAROUNDS = ("(?<!", "(?<=", "(?!", "(?=")
_META = set(".^$*+?{}[]()|\\")


def has_lookaround(pattern: str) -> bool:
    return any(token in pattern for token in _LOOKAROUNDS)


def _skip_class(pattern: str, i: int) -> int:
    """The index after the character class that starts at ``pattern[i] == "["``."""
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def _group_end(pattern: str, i: int) -> int:
    """The index of the ``)`` closing the group that opens at ``pattern[i] == "("``."""
    depth = 0
    j = i
    while j < len(pattern):
        char = pattern[j]
        if char == "\\":
            j += 2
            continue
        if char == "[":
            j = _skip_class(pattern, j)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise ValueError(f"unbalanced group in {pattern!r}")


def split_top(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|``."""
    parts: list[str] = []
    start = 0
    j = 0
    while j < len(pattern):
        char = pattern[j]
        if char == "\\":
            j += 2
            continue
        if char == "[":
            j = _skip_class(pattern, j)
            continue
        if char == "(":
            j = _group_end(pattern, j) + 1
            continue
        if char == "|":
            parts.append(pattern[start:j])
            start = j + 1
        j += 1
    parts.append(pattern[start:])
    return parts


def split_alternatives(pattern: str) -> list[str]:
    """The alternatives of a pattern that is ``A|B|…``, or ``prefix(?:A|B|…)suffix`` with
    one such group at the top level: ``[prefix A suffix, prefix B suffix, …]``. Matching
    any of them is matching the pattern."""
    top = split_top(pattern)
    if len(top) > 1:
        return [alt for part in top for alt in split_alternatives(part)]
    j = 0
    while j < len(pattern):
        char = pattern[j]
        if char == "\\":
            j += 2
            continue
        if char == "[":
            j = _skip_class(pattern, j)
            continue
        if char == "(":
            end = _group_end(pattern, j)
            opener = "(?:" if pattern.startswith("(?:", j) else "(" if pattern[j + 1] != "?" else ""
            quantified = end + 1 < len(pattern) and pattern[end + 1] in "?*+{"
            if opener and not quantified:
                inner = pattern[j + len(opener) : end]
                alternatives = split_top(inner)
                if len(alternatives) > 1:
                    prefix, suffix = pattern[:j], pattern[end + 1 :]
                    return [f"{prefix}{opener}{alt}){suffix}" for alt in alternatives]
            j = end + 1
            continue
        j += 1
    return [pattern]


def _atoms(pattern: str, start: int, stop: int) -> list[tuple[str, bool]]:
    """``pattern[start:stop]`` as atoms: (text, whether it matches one fixed character or
    class: a literal, an escaped punctuation mark, a ``[…]`` class). A quantifier makes
    the atom before it not fixed."""
    atoms: list[tuple[str, bool]] = []
    j = start
    while j < stop:
        char = pattern[j]
        if char == "\\" and j + 1 < stop:
            atoms.append((pattern[j : j + 2], not pattern[j + 1].isalnum()))
            j += 2
        elif char == "[":
            end = _skip_class(pattern, j)
            atoms.append((pattern[j:end], True))
            j = end
        elif char == "(":
            end = _group_end(pattern, j)
            atoms.append((pattern[j : end + 1], False))
            j = end + 1
        elif char in "?*+{":
            end = pattern.index("}", j) + 1 if char == "{" else j + 1
            if atoms:
                atoms[-1] = (atoms[-1][0], False)
            atoms.append((pattern[j:end], False))
            j = end
        else:
            atoms.append((char, char not in _META))
            j += 1
    return atoms


def _anchor_after(pattern: str, i: int) -> str:
    """The fixed atoms that start at ``i`` (up to the end of the enclosing group)."""
    stop = len(pattern)
    run: list[str] = []
    for text, fixed in _atoms(pattern, i, stop):
        if not fixed:
            break
        run.append(text)
    return "".join(run)


def _anchor_before(pattern: str, i: int, start: int) -> str:
    """The fixed atoms that end just before ``i`` (scanned from ``start``)."""
    run: list[str] = []
    for text, fixed in _atoms(pattern, start, i):
        if fixed:
            run.append(text)
        else:
            run = []
    return "".join(run)


def relax(pattern: str) -> tuple[str, list[str]] | None:
    """``pattern`` without its look-arounds, and the contexts its negative ones exclude;
    ``None`` when an excluded context has no literal next to it to anchor on, or a
    look-around is positive (none are, in Matomo's lists)."""
    out: list[str] = []
    excluded: list[str] = []
    starts = [0]  # where the sequence that holds ``j`` starts, innermost last
    j = 0
    while j < len(pattern):
        char = pattern[j]
        if char == "\\":
            out.append(pattern[j : j + 2])
            j += 2
            continue
        if char == "[":
            end = _skip_class(pattern, j)
            out.append(pattern[j:end])
            j = end
            continue
        behind = pattern.startswith("(?<!", j)
        ahead = pattern.startswith("(?!", j)
        if pattern.startswith(("(?<=", "(?="), j):
            return None
        if behind or ahead:
            end = _group_end(pattern, j)
            inner = pattern[j + (4 if behind else 3) : end]
            if has_lookaround(inner):
                return None
            if behind:
                anchor = _anchor_after(pattern, end + 1)
                context = f"(?:{inner}){anchor}"
            else:
                anchor = _anchor_before(pattern, j, starts[-1])
                context = f"{anchor}(?:{inner})"
            if not anchor:
                return None
            excluded.append(context)
            j = end + 1
            continue
        if char == "(":
            opener = _opener(pattern, j)
            starts.append(j + len(opener))
            out.append(opener)
            j += len(opener)
            continue
        if char == "|":
            starts[-1] = j + 1
        elif char == ")" and len(starts) > 1:
            starts.pop()
        out.append(char)
        j += 1
    return "".join(out), excluded


def openers(pattern: str) -> list[str]:
    """The openings of every group of ``pattern``, in order."""
    found: list[str] = []
    j = 0
    while j < len(pattern):
        char = pattern[j]
        if char == "\\":
            j += 2
        elif char == "[":
            j = _skip_class(pattern, j)
        else:
            if char == "(":
                found.append(_opener(pattern, j))
            j += 1
    return found


def _opener(pattern: str, i: int) -> str:
    """The opening of the group at ``i``: ``(``, ``(?:``, ``(?P<name>``, ``(?i:``…"""
    if not pattern.startswith("(?", i):
        return "("
    end = i + 2
    while end < len(pattern) and pattern[end] not in ":)>":
        end += 1
    return pattern[i : end + 1]
