"""The one check every browser test module makes first: Playwright and Debian's Chromium
are there. CI installs both (.ci/run) and a missing one fails it; elsewhere the importing
test module is skipped with the reason."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"


def require_browser() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("playwright is not installed: pip install -e '.[test]'", allow_module_level=True)
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium", allow_module_level=True)
