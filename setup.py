"""Builds the package; compiles the request path with mypyc when it can.

Everything else is in pyproject.toml. The compiled modules are listed in
collector/native.py, which says why. Without a C compiler, or with COLLECTOR_COMPILE=0,
the install goes on with the plain modules (they behave the same, only slower).
"""

from __future__ import annotations

import contextlib
import glob
import os
import runpy
import sys
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
MODULES: list[str] = list(runpy.run_path(os.path.join(HERE, "collector", "native.py"))["COMPILED_MODULES"])
GROUP = "collector.native_lib"  # the compiled modules' shared library: native_lib__mypyc


def _warn(message: str) -> None:
    print(f"collector: {message}; installing the plain Python modules", file=sys.stderr)


class OptionalBuildExt(build_ext):
    """A compiler missing or failing leaves the plain modules, never a failed install, and
    never half of the compiled ones (a module whose shared library did not build would not
    import)."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            _warn(f"could not compile the request path ({exc})")
            for ext in self.extensions:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(self.get_ext_fullpath(ext.name))
            _remove_compiled()
            return
        if self.inplace:
            # mypyc skips copying an unchanged library next to its source; its date must
            # still say it is as new as the source (collector/native.py checks it).
            for ext in self.extensions:
                path = self.get_ext_fullpath(ext.name)
                if os.path.exists(path):
                    os.utime(path)


def _remove_compiled() -> None:
    """Compiled copies left next to the sources by an earlier editable build would shadow
    the plain modules: without a new build, none may stay."""
    for module in [*MODULES, GROUP + "__mypyc"]:
        for path in glob.glob(os.path.join(HERE, *module.split(".")) + ".*.so"):
            os.remove(path)


def _extensions() -> list[Any]:
    if os.environ.get("COLLECTOR_COMPILE", "1") == "0":
        _remove_compiled()
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        _warn("mypyc is not installed")
        _remove_compiled()
        return []
    paths = [os.path.join(*m.split(".")) + ".py" for m in MODULES]
    try:
        # Third-party packages need not be installed yet (an isolated build): what comes
        # from them is typed Any, as mypyc would treat it anyway.
        return list(
            mypycify(
                ["--ignore-missing-imports", "--follow-imports=silent", *paths],
                opt_level="3",
                group_name=GROUP,
            )
        )
    except (Exception, SystemExit) as exc:
        _warn(f"mypyc could not compile the request path ({exc!r})")
        _remove_compiled()
        return []


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
