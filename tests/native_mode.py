"""Which build of the request path the tests run: the compiled modules (collector/native.py)
unless they are stale, or the plain ones when ``COLLECTOR_PLAIN_MODULES=1``.

Imported by conftest.py before any collector module. The plain mode reaches only this
process (the servers that integration tests start import what is installed), so CI runs
the in-process suites in it (`.ci/run`): the fallback a machine without a C compiler
installs is tested too.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import runpy
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
NATIVE = runpy.run_path(str(ROOT / "collector" / "native.py"))
COMPILED_MODULES: tuple[str, ...] = NATIVE["COMPILED_MODULES"]
PLAIN = os.environ.get("COLLECTOR_PLAIN_MODULES") == "1"


class _PlainFinder(importlib.abc.MetaPathFinder):
    """Finds the listed modules' ``.py`` source, never their compiled copy."""

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name not in COMPILED_MODULES:
            return None
        source = ROOT.joinpath(*name.split(".")).with_suffix(".py")
        return importlib.util.spec_from_file_location(name, source)


if PLAIN:
    sys.meta_path.insert(0, _PlainFinder())


def problem() -> str | None:
    """Why the suite must not run on this build, or None."""
    from collector import native

    states = native.states()
    if PLAIN:
        loaded = [
            m
            for m in COMPILED_MODULES
            if m in sys.modules and not str(getattr(sys.modules[m], "__file__", "")).endswith(".py")
        ]
        return f"COLLECTOR_PLAIN_MODULES=1 but compiled modules loaded: {loaded}" if loaded else None
    if stale := [m for m, state in states.items() if state == native.STALE]:
        return f"compiled modules older than their source (run `make build`): {', '.join(stale)}"
    if os.environ.get("COLLECTOR_EXPECT_COMPILED") == "1":
        plain = [m for m, state in states.items() if state != native.COMPILED]
        if plain:
            return f"COLLECTOR_EXPECT_COMPILED=1 but these modules are not compiled: {plain}"
    return None
