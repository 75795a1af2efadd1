"""Docs are part of the contract: every setting and command is documented and true."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from collector.cli.parser import build_parser
from collector.settings import SETTINGS, Settings, SettingsError

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_settings() -> dict[str, str]:
    found = {}
    for line in README.splitlines():
        match = re.match(r"\| `(COLLECTOR_[A-Z_]+)` \| (.+?) \| (.+) \|$", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def test_every_setting_is_in_the_readme_table_with_its_default() -> None:
    documented = _readme_settings()
    for setting in SETTINGS:
        assert setting.env in documented, f"{setting.env} is not documented in README.md"
        expected = f"`{setting.default}`" if setting.default else "(empty)"
        assert documented[setting.env] == expected, setting.env


def test_the_readme_documents_no_setting_that_does_not_exist() -> None:
    assert set(_readme_settings()) == {s.env for s in SETTINGS}


def test_design_names_are_fixed() -> None:
    names = {s.env for s in SETTINGS}
    for name in (
        "COLLECTOR_DATABASE",
        "COLLECTOR_HOST",
        "COLLECTOR_PORT",
        "COLLECTOR_SECRET_KEY",
        "COLLECTOR_TRUSTED_PROXIES",
        "COLLECTOR_IP_MASK_BYTES",
        "COLLECTOR_RAW_RETENTION_DAYS",
        "COLLECTOR_ROLLUP_INTERVAL_S",
    ):
        assert name in names


def test_defaults_parse_and_match_the_dataclass() -> None:
    assert Settings.from_env({}) == Settings()


def test_settings_are_read_from_the_environment() -> None:
    s = Settings.from_env(
        {
            "COLLECTOR_IP_MASK_BYTES": "3",
            "COLLECTOR_TRUSTED_PROXIES": "10.0.0.0/8, ::1",
            "COLLECTOR_ACCESS_LOG": "off",
            "COLLECTOR_PORT": "9000",
        }
    )
    assert s.ip_mask_bytes == 3 and s.port == 9000 and s.access_log is False
    assert [str(n) for n in s.trusted_proxies] == ["10.0.0.0/8", "::1/128"]


@pytest.mark.parametrize(
    "env",
    [
        {"COLLECTOR_IP_MASK_BYTES": "4"},
        {"COLLECTOR_PORT": "x"},
        {"COLLECTOR_TRUSTED_PROXIES": "not-a-net"},
        {"COLLECTOR_ACCESS_LOG": "maybe"},
    ],
)
def test_bad_settings_are_refused_with_the_variable_named(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match=next(iter(env))):
        Settings.from_env(env)


def test_a_toml_file_mirrors_the_variables_and_the_environment_wins(tmp_path: Path) -> None:
    config = tmp_path / "collector.toml"
    config.write_text("ip_mask_bytes = 1\nport = 9001\n")
    s = Settings.from_env({"COLLECTOR_CONFIG": str(config), "COLLECTOR_PORT": "9002"})
    assert (s.ip_mask_bytes, s.port) == (1, 9002)


def test_readme_shows_the_two_commands_and_every_cli_command() -> None:
    assert "make run" in README and "make test" in README
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert commands is not None
    for name in commands:
        assert f"collector {name}" in README, f"`collector {name}` is not in the README"


def test_help_runs_for_every_command() -> None:
    for args in (["--help"], ["serve", "--help"], ["site", "add", "--help"], ["token", "create", "--help"]):
        out = subprocess.run(
            [sys.executable, "-m", "collector", *args], capture_output=True, text=True, check=True
        )
        assert "usage: collector" in out.stdout


def test_architecture_map_names_modules_that_exist() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for path in re.findall(r"`(collector/[\w/]+\.py)`", text):
        assert (ROOT / path).exists(), f"ARCHITECTURE.md names a missing module {path}"


def test_dockerfile_is_non_root_with_a_healthcheck_and_a_data_volume() -> None:
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text(encoding="utf-8")
    user = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert user and user[-1] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", dockerfile, re.MULTILINE)
    assert 'VOLUME ["/data"]' in dockerfile
    assert (ROOT / "docker" / "compose.yaml").exists()


def test_the_image_gets_every_package_and_the_build_script() -> None:
    """``pip install .`` in the image needs every package pyproject.toml lists (the
    dashboard too: the app imports it) and setup.py, which compiles the request path."""
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text(encoding="utf-8")
    copied = {
        p for line in re.findall(r"^COPY (?!--)(.+)$", dockerfile, re.MULTILINE) for p in line.split()[:-1]
    }
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    include = re.search(r"\[tool.setuptools.packages.find\]\ninclude = \[(.*)\]", pyproject)
    assert include is not None
    packages = {name.strip(' "*') for name in include.group(1).split(",")}
    assert packages == {"collector"}
    assert packages | {"pyproject.toml", "setup.py"} <= copied
