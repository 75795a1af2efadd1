"""The committed tracker: within the size budget, equal to a fresh build of tracker-js/src,
and version 1 frozen. The node unit tests (tracker-js/test) run here too."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from collector.web import tracker

ROOT = Path(__file__).resolve().parents[2]
TRACKER_JS = ROOT / "tracker-js"
BUDGET = 2048  # bytes, minified + gzipped
# collector.v1.js is published: its bytes never change. A new tracker is a new version.
V1_SHA256 = "7dffe263e1d306068d1100e02803f893b434cef65e91af948b89f704f6ee3d19"

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


def _npm_ci() -> None:
    """The pinned build tools (package-lock.json); `.ci/run` installs them, this is a fallback."""
    if (TRACKER_JS / "node_modules" / "terser").is_dir():
        return
    npm = shutil.which("npm")
    assert npm, "node is here but npm is not: install the build tools with `npm ci` in tracker-js/"
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=TRACKER_JS, check=True, timeout=300, capture_output=True
    )


@pytest.mark.parametrize("name", [tracker.CURRENT, tracker.V1])
def test_the_tracker_is_within_the_size_budget(name: str) -> None:
    body = tracker.read_static(name)
    for level in (9, 6):
        size = len(gzip.compress(body, compresslevel=level, mtime=0))
        assert size <= BUDGET, f"{name}: {size} bytes gzipped (-{level}), budget {BUDGET}"


def test_the_served_gzip_is_within_the_budget() -> None:
    assert len(tracker.asset(tracker.CURRENT).gzipped.body) <= BUDGET


def test_version_1_never_changes() -> None:
    assert hashlib.sha256(tracker.read_static(tracker.V1)).hexdigest() == V1_SHA256


def test_the_tracker_never_names_cookies_or_session_storage() -> None:
    for name in (tracker.CURRENT, tracker.V1):
        text = tracker.read_static(name).decode()
        assert "cookie" not in text.lower() and "sessionStorage" not in text
        assert text.count("localStorage") == 1 and text.count("collector_optout") == 1


@needs_node
def test_the_committed_build_equals_a_fresh_build() -> None:
    _npm_ci()
    done = subprocess.run(
        [NODE or "node", "build.mjs", "--check"], cwd=TRACKER_JS, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


@needs_node
def test_node_unit_tests_pass() -> None:
    files = sorted(str(p) for p in (TRACKER_JS / "test").glob("*.test.mjs"))
    done = subprocess.run(
        [NODE or "node", "--test", *files], cwd=TRACKER_JS, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout


def test_the_readmes_state_the_measured_size() -> None:
    body = tracker.read_static(tracker.CURRENT)
    stated = f"{len(gzip.compress(body, compresslevel=9, mtime=0)):,} bytes minified + gzipped"
    for readme in (ROOT / "README.md", TRACKER_JS / "README.md"):
        assert stated in readme.read_text(encoding="utf-8"), f"{readme.name} should say {stated!r}"
    assert f"{len(body):,} bytes minified" in (TRACKER_JS / "README.md").read_text(encoding="utf-8")
