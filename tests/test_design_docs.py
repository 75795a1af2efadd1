"""The design documents are the repository's own (docs/README.md): nothing cites a design
document outside it, every citation of ``docs/<name>.md`` (with its invariant or section)
points at something that exists, and every module and test docs/privacy.md names exists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from collector.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SCANNED = ("collector", "tests", "bench", "docs", "tracker-js", "docker")
SCANNED_FILES = ("README.md", "ARCHITECTURE.md", "Makefile", "pyproject.toml", "setup.py")
SKIPPED_DIRS = {"__pycache__", "node_modules", ".hypothesis", ".pytest_cache", ".mypy_cache"}
BINARY = {".so", ".pyc", ".png", ".gif", ".ico", ".woff", ".woff2", ".gz", ".zip", ".sqlite3"}
OUTSIDE_DOC = "DESIGN" + ".md"  # spelled in two parts, so this file does not name it

# A repository-relative citation: docs/privacy.md, invariant 3 | docs/counting.md, "Visits"
# | docs/counting.md ("Visits")
CITATION = re.compile(
    r"(?<![\w/.-])docs/(?P<name>[\w.-]+?\.md)"
    r"(?:,\s*(?:invariants?\s+(?P<numbers>\d+(?:(?:,\s*|,?\s+and\s+)\d+)*)|\"(?P<section>[^\"]+)\")"
    r"|\s+\(\"(?P<quoted>[^\"]+)\"\))?"
)
# Inside docs/: [counting.md](counting.md), "Rollup"
LOCAL_SECTION = re.compile(r"\]\((?P<name>[\w.-]+\.md)\)(?:,\s*\"(?P<section>[^\"]+)\")?")
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)
INVARIANT = re.compile(r"^## Invariant (\d+): ", re.MULTILINE)
CITED_PATH = re.compile(r"`((?:collector|tests|tracker-js|bench)/[\w/.-]+?)(?:::(\w+))?`")
PLANNED = "Planned (not yet built)"
NOT_SETTINGS = {
    "COLLECTOR_CONFIG",
    "COLLECTOR_COMPILE",
    "COLLECTOR_PLAIN_MODULES",
    "COLLECTOR_EXPECT_COMPILED",
}


def _walk(top: Path) -> Iterator[Path]:
    for path in sorted(top.iterdir()):
        if path.is_dir():
            if path.name not in SKIPPED_DIRS:
                yield from _walk(path)
        elif path.suffix not in BINARY:
            yield path


def _text_files() -> dict[str, str]:
    """Every text file of the scanned places, by its repository path."""
    paths = [p for name in SCANNED if (ROOT / name).is_dir() for p in _walk(ROOT / name)]
    paths += [ROOT / name for name in SCANNED_FILES if (ROOT / name).is_file()]
    found = {}
    for path in paths:
        try:
            found[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
    return found


FILES = _text_files()


def _doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _headings(name: str) -> set[str]:
    return {h.strip() for h in HEADING.findall(_doc(name))}


def _invariants() -> list[int]:
    return [int(n) for n in INVARIANT.findall(_doc("privacy.md"))]


def _without_planned(text: str) -> str:
    """A document without its "Planned (not yet built)" section (its names need not exist)."""
    return re.split(rf"^## {re.escape(PLANNED)}\s*$", text, flags=re.MULTILINE)[0]


def test_the_scan_sees_the_code_the_tests_and_the_docs() -> None:
    for path in ("collector/ingest/pipeline.py", "tests/test_design_docs.py", "README.md", "docs/privacy.md"):
        assert path in FILES, path


def test_no_file_cites_a_design_document_outside_the_repository() -> None:
    found = [
        f"{path}:{n}: {line.strip()}"
        for path, text in FILES.items()
        for n, line in enumerate(text.splitlines(), 1)
        if OUTSIDE_DOC in line
    ]
    assert found == [], "cite docs/privacy.md, docs/counting.md or docs/contract.md instead:\n" + "\n".join(
        found
    )


def _citations() -> Iterator[tuple[str, re.Match[str]]]:
    for path, text in FILES.items():
        for match in CITATION.finditer(text):
            yield path, match


def test_there_are_citations_to_check() -> None:
    cited = {m.group("name") for _, m in _citations()}
    assert {"privacy.md", "counting.md", "contract.md", "opt-out.md"} <= cited


def test_every_cited_document_exists() -> None:
    missing = [
        f"{path}: docs/{m.group('name')}"
        for path, m in _citations()
        if not (DOCS / m.group("name")).is_file()
    ]
    assert missing == [], "\n".join(missing)


def test_every_cited_invariant_exists() -> None:
    numbers = set(_invariants())
    wrong = []
    for path, match in _citations():
        if match.group("numbers"):
            assert match.group("name") == "privacy.md", f"{path}: only privacy.md has invariants"
            for number in re.findall(r"\d+", match.group("numbers")):
                if int(number) not in numbers:
                    wrong.append(f"{path}: docs/privacy.md has no invariant {number}")
    assert wrong == [], "\n".join(wrong)


def test_every_cited_section_exists() -> None:
    wrong = []
    for path, match in _citations():
        name, section = match.group("name"), match.group("section") or match.group("quoted")
        if section and (DOCS / name).is_file() and section not in _headings(name):
            wrong.append(f'{path}: docs/{name} has no section "{section}"')
    for name in sorted(p.name for p in DOCS.glob("*.md")):
        for match in LOCAL_SECTION.finditer(_doc(name)):
            target, section = match.group("name"), match.group("section")
            if section and (DOCS / target).is_file() and section not in _headings(target):
                wrong.append(f'docs/{name}: {target} has no section "{section}"')
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("name", sorted(p.name for p in DOCS.glob("*.md")))
def test_relative_links_in_the_docs_resolve(name: str) -> None:
    broken = []
    for match in LINK.finditer(_doc(name)):
        target = match.group("target")
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a URL, or an anchor on the same page
        if not (DOCS / target.split("#")[0]).exists():
            broken.append(target)
    assert broken == [], f"docs/{name} links to missing files: {broken}"


def test_the_invariants_are_numbered_from_one_without_gaps() -> None:
    numbers = _invariants()
    assert numbers == list(range(1, len(numbers) + 1)), numbers
    assert len(numbers) >= 8


def _invariant_sections() -> dict[int, str]:
    text = _without_planned(_doc("privacy.md"))
    parts = re.split(r"^## Invariant (\d+): ", text, flags=re.MULTILINE)[1:]
    return {int(number): body for number, body in zip(parts[::2], parts[1::2], strict=True)}


def test_each_invariant_says_where_it_is_enforced_and_which_tests_check_it() -> None:
    for number, body in _invariant_sections().items():
        assert "**Holds.**" in body and "**Enforced in**" in body and "**Checked by**" in body, number
        enforced, _, checked = body.partition("**Checked by**")
        assert CITED_PATH.search(enforced.partition("**Enforced in**")[2]), f"invariant {number}: no module"
        assert any(p.startswith("tests/") for p, _ in CITED_PATH.findall(checked)), (
            f"invariant {number}: no test"
        )


def test_every_path_and_test_named_in_privacy_md_exists() -> None:
    cited = CITED_PATH.findall(_without_planned(_doc("privacy.md")))
    assert len(cited) > 20
    wrong = []
    for path, test in cited:
        file = ROOT / path
        if not file.exists():
            wrong.append(f"{path} does not exist")
        elif test and not re.search(rf"^\s*(?:async\s+)?def {test}\(", file.read_text("utf-8"), re.MULTILINE):
            wrong.append(f"{path} has no test {test}")
    assert wrong == [], "\n".join(wrong)


def test_the_docs_name_only_settings_that_exist_outside_their_planned_sections() -> None:
    known = {s.env for s in SETTINGS} | NOT_SETTINGS
    unknown = {
        f"docs/{path.name}: {name}"
        for path in sorted(DOCS.glob("*.md"))
        for name in re.findall(r"COLLECTOR_[A-Z0-9_]+", _without_planned(path.read_text("utf-8")))
        if name not in known
    }
    assert unknown == set(), sorted(unknown)
