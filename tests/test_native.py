"""The compiled request path: which build an install runs, and the fallback to the plain
modules when nothing can be compiled (collector/native.py, setup.py)."""

from __future__ import annotations

import importlib.machinery
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from collector import native

ROOT = Path(__file__).resolve().parent.parent
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]  # e.g. .cpython-311-x86_64-linux-gnu.so


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An importable package ``nativecase`` with one module, ``mod.py`` (found, never
    imported: a compiled copy here is an empty file)."""
    pkg = tmp_path / "nativecase"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "mod.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield pkg
    for name in [m for m in sys.modules if m.startswith("nativecase")]:
        del sys.modules[name]


def _age(path: Path, seconds: float) -> None:
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


def test_a_module_without_a_compiled_copy_is_plain(package: Path) -> None:
    assert native.state("nativecase.mod") == native.PLAIN
    assert native.state("nativecase.missing") == native.PLAIN


def test_a_compiled_copy_is_what_imports_unless_older_than_its_source(package: Path) -> None:
    compiled = package / f"mod{SUFFIX}"
    compiled.write_bytes(b"")
    assert native.state("nativecase.mod") == native.COMPILED
    _age(compiled, 60)  # the source was edited after the build
    assert native.state("nativecase.mod") == native.STALE


def test_the_summary_says_which_build_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    found: dict[str, str] = dict.fromkeys(native.COMPILED_MODULES, native.COMPILED)
    monkeypatch.setattr(native, "states", lambda: found)
    assert native.summary() == f"request path compiled (mypyc, {len(found)} modules)"
    found.update(dict.fromkeys(native.COMPILED_MODULES, native.PLAIN))
    assert native.summary() == "request path not compiled (plain Python)"
    found["collector.ingest.params"] = native.COMPILED
    assert native.summary().startswith("request path partly compiled (1 of ")
    found["collector.ingest.params"] = native.STALE
    assert "make build" in native.summary() and "collector.ingest.params" in native.summary()


def test_the_listed_modules_exist_and_are_the_hot_path() -> None:
    for module in native.COMPILED_MODULES:
        assert ROOT.joinpath(*module.split(".")).with_suffix(".py").is_file(), module
    assert {"collector.ingest.params", "collector.ingest.pipeline", "collector.ingest.endpoint"} <= set(
        native.COMPILED_MODULES
    )


@pytest.mark.slow
def test_without_a_working_compiler_the_install_keeps_the_plain_modules(tmp_path: Path) -> None:
    """A compiler that fails: the build warns and goes on, and removes the compiled copies
    an earlier build left beside the sources, which would otherwise shadow them."""
    tree = tmp_path / "tree"
    shutil.copytree(
        ROOT / "collector", tree / "collector", ignore=shutil.ignore_patterns("*.so", "__pycache__")
    )
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    left = [
        tree / "collector" / "ingest" / f"params{SUFFIX}",
        tree / "collector" / f"native_lib__mypyc{SUFFIX}",
    ]
    for path in left:
        path.write_bytes(b"")
    env = {**os.environ, "CC": "/bin/false"}
    done = subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--inplace"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "could not compile the request path" in done.stderr
    assert "installing the plain Python modules" in done.stderr
    assert not any(path.exists() for path in left)
    assert not list((tree / "collector").rglob("*.so"))
