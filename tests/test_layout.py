"""The layout shows the architecture: ARCHITECTURE.md names every package and module,
the top level of ``collector/`` holds only what everything shares, and imports go one way."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "collector"
ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
MAX_TOP_LEVEL = 12


def modules() -> dict[str, Path]:
    """Dotted name → file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def packages() -> list[Path]:
    return sorted(p.parent for p in PACKAGE.rglob("__init__.py"))


def imports_of(path: Path) -> set[str]:
    """What a module imports at run time (imports for type checking only are left out)."""
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return names


def test_the_top_level_holds_only_what_everything_shares() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert len(top) <= MAX_TOP_LEVEL, top


def test_the_package_table_names_every_package_and_nothing_else() -> None:
    table = ARCHITECTURE.split("## Packages", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^\| `(collector/[\w/]*)` \|", table, re.MULTILINE))
    actual = {str(p.relative_to(ROOT)) + "/" if p != PACKAGE else "collector/" for p in packages()}
    assert named == actual


def test_every_module_is_named_and_every_named_module_exists() -> None:
    named_paths = set(re.findall(r"`(collector/[\w/]+\.py)`", ARCHITECTURE))
    missing = [p for p in named_paths if not (ROOT / p).is_file()]
    assert not missing, f"ARCHITECTURE.md names modules that do not exist: {missing}"
    unnamed = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        if path.name == "__init__.py" and path.parent != PACKAGE / "dashboard":
            continue
        if relative not in named_paths and f"`{path.name}`" not in ARCHITECTURE:
            unnamed.append(relative)
    assert not unnamed, f"ARCHITECTURE.md does not name: {unnamed}"


def test_storage_knows_nothing_of_http_ingest_or_the_dashboard() -> None:
    forbidden = ("starlette", "collector.ingest", "collector.dashboard", "collector.web", "collector.cli")
    for name, path in modules().items():
        if name.startswith("collector.storage"):
            bad = {i for i in imports_of(path) if i.startswith(forbidden)}
            assert not bad, f"{name} imports {bad}"


def test_the_dashboard_and_the_cli_are_imported_only_from_the_top() -> None:
    allowed = {"collector.routes", "collector.app", "collector.__main__"}
    for name, path in modules().items():
        for room in ("collector.dashboard", "collector.cli"):
            if name.startswith(room) or name in allowed:
                continue
            bad = {i for i in imports_of(path) if i == room or i.startswith(room + ".")}
            assert not bad, f"{name} imports {bad}"


def test_handlers_reach_shared_objects_through_services_only() -> None:
    readers = [
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if "app.state" in path.read_text(encoding="utf-8")
        and path not in {PACKAGE / "app.py", PACKAGE / "web" / "services.py"}
    ]
    assert not readers, f"untyped app.state look-ups in {readers}"
