"""What every browser test module shares: the check it makes first (Playwright and
Debian's Chromium are there; CI installs both (.ci/run) and a missing one fails it,
elsewhere the importing module is skipped with the reason), the browser's launch, and
stopping the servers it talks to."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from typing import Any

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


def launch_chromium(playwright: Any, hosts: Sequence[str] = (), user_agent: str = "") -> Any:
    """Debian's Chromium, headless and quiet (no background traffic, no QUIC, no HTTPS
    upgrade). ``hosts`` resolve to 127.0.0.1; ``user_agent`` applies browser-wide, so
    beacons sent while a page unloads carry it too (the collector drops HeadlessChrome
    as a bot)."""
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable",
    ]
    if hosts:
        args.append("--host-resolver-rules=" + ", ".join(f"MAP {h} 127.0.0.1" for h in hosts))
    if user_agent:
        args.append(f"--user-agent={user_agent}")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, timeout=30_000, args=args)


def end_process(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not ended within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
