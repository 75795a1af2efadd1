"""The request path compiled to C: which modules, and whether this install has them.

``setup.py`` compiles the modules below with mypyc when the package is installed (the
same source, which mypy already checks strictly; no second language). A beacon then costs
the event loop about a quarter less CPU in the code we own (bench/README.md). Where no C
compiler is found, or ``COLLECTOR_COMPILE=0`` is set at install time, the plain modules are
used: they behave the same, only slower.

An editable install (``make run``, ``make test``) builds the compiled copies next to the
sources, so a source edited afterwards would be shadowed by its older compiled copy;
``make build`` rebuilds them, and the test suite refuses to run on stale ones
(:func:`stale`).

Standard library only: ``setup.py`` reads :data:`COMPILED_MODULES` before anything else
is installed.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os

# The modules a GET beacon runs through, from the query string to the group commit. Not
# here: what subclasses a class that is not compiled (exceptions, asyncio protocols,
# Starlette), which mypyc cannot compile as it stands, and whatever runs once per request
# at most through a third-party library anyway.
COMPILED_MODULES: tuple[str, ...] = (
    "collector.clock",
    "collector.metrics",
    "collector.model",
    "collector.ingest.buffer",
    "collector.ingest.clients",
    "collector.ingest.endpoint",
    "collector.ingest.ipaddr",
    "collector.ingest.kinds",
    "collector.ingest.matomo",
    "collector.ingest.minimise",
    "collector.ingest.params",
    "collector.ingest.pipeline",
    "collector.ingest.service",
    "collector.ingest.spam",
    "collector.ingest.uapatterns",
    "collector.ingest.uarules",
    "collector.ingest.useragent",
    "collector.ingest.visitor",
)

COMPILED, PLAIN, STALE = "compiled", "python", "stale"


def _origin(module: str) -> str | None:
    spec = importlib.util.find_spec(module)
    return spec.origin if spec is not None else None


def state(module: str) -> str:
    """``compiled``, ``python`` (the plain module is what imports), or ``stale`` (the
    compiled copy is older than the source next to it, which it shadows)."""
    origin = _origin(module)
    if origin is None or not origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
        return PLAIN
    source = os.path.join(os.path.dirname(origin), module.rpartition(".")[2] + ".py")
    if os.path.exists(source) and os.path.getmtime(source) > os.path.getmtime(origin):
        return STALE
    return COMPILED


def states() -> dict[str, str]:
    return {module: state(module) for module in COMPILED_MODULES}


def stale() -> list[str]:
    return [module for module, found in states().items() if found == STALE]


def summary() -> str:
    """One line for ``collector serve`` and the benchmark: what this install runs."""
    found = list(states().values())
    compiled = found.count(COMPILED)
    if found.count(STALE):
        return (
            f"{found.count(STALE)} compiled module(s) older than their source "
            f"(rebuild: make build): {', '.join(stale())}"
        )
    if compiled == len(found):
        return f"request path compiled (mypyc, {compiled} modules)"
    if compiled == 0:
        return "request path not compiled (plain Python)"
    return f"request path partly compiled ({compiled} of {len(found)} modules)"
