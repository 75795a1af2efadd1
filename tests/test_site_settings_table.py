"""The site keys table (``collector.site_settings.SITE_KEYS``) is the one list of a site's
keys: ``SiteSettings`` has exactly its settings with its defaults, the README's table
lists exactly its keys with their defaults and help, the settings form's limits are its
parsers' limits, and a key it does not list is refused."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from collector.cli.parser import build_parser
from collector.model import CONSENT_MODES, Site, SiteSettings
from collector.site_settings import (
    KEYS,
    SECTIONS,
    SITE_KEYS,
    SiteChangeError,
    SiteKey,
    apply_changes,
    current,
    reset,
)

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SITE = Site(1, "Shop", ("shop.example",), "Europe/Oslo", b"secret")


def _readme_keys() -> list[tuple[str, str, str]]:
    """The README's site keys table: (key, default, help) in its order."""
    found = []
    for line in README.splitlines():
        match = re.match(r"\| `([a-z_]+)` \| (.+?) \| (.+) \|$", line)
        if match:
            found.append((match.group(1), match.group(2), match.group(3)))
    return found


def _shown_default(key: SiteKey) -> str:
    if key.default is None:
        return "(none)"
    return f"`{key.default}`" if key.default else "(empty)"


def test_the_readme_table_lists_exactly_the_keys_with_their_defaults() -> None:
    documented = _readme_keys()
    assert [name for name, _, _ in documented] == [key.name for key in SITE_KEYS]
    for (name, default, help_text), key in zip(documented, SITE_KEYS, strict=True):
        assert default == _shown_default(key), name
        assert help_text == key.help, name


def test_the_settings_keys_are_the_fields_of_site_settings_in_order() -> None:
    assert [k.name for k in SITE_KEYS if k.on_site] == ["name", "domains", "timezone"]
    assert [k.name for k in SITE_KEYS if not k.on_site] == [f.name for f in dataclasses.fields(SiteSettings)]
    assert list(KEYS) == [k.name for k in SITE_KEYS]


@pytest.mark.parametrize("key", [k for k in SITE_KEYS if not k.on_site], ids=lambda k: k.name)
def test_each_default_is_the_dataclass_default(key: SiteKey) -> None:
    expected = getattr(SiteSettings(), key.name)
    if key.default is None:
        assert expected is None
        return
    parsed = key.parse(key.default)
    assert parsed == expected and type(parsed) is type(expected)


def test_the_site_keys_defaults_are_what_site_add_gives() -> None:
    add = build_parser().parse_args(["site", "add", "Shop"])
    assert KEYS["timezone"].default == add.timezone
    assert KEYS["domains"].parse(KEYS["domains"].default or "") == tuple(add.domain)
    assert KEYS["name"].default is None  # site add requires it


def test_an_unknown_key_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(SiteChangeError) as refused:
        apply_changes(SITE, [("colour", "blue")])
    assert str(refused.value) == f"unknown key 'colour'; known: {', '.join(k.name for k in SITE_KEYS)}"
    # no key falls through to another parser: a setting's name with a bad value says so
    with pytest.raises(SiteChangeError, match="consent_mode must be one of"):
        apply_changes(SITE, [("consent_mode", "true")])


def test_every_key_changes_its_own_value() -> None:
    samples = {
        "name": ("  Shop 2 ", "Shop 2"),
        "domains": ("A.example, b.example.", ("a.example", "b.example")),
        "timezone": ("UTC", "UTC"),
        "allowed_query_keys": ("page,q", ("page", "q")),
        "campaign_keys": ("Ref", ("ref",)),
        "raw_retention_days": ("14", 14),
        "aggregate_retention_months": ("24", 24),
        "honour_dnt": ("off", False),
        "honour_gpc": ("no", False),
        "check_host": ("0", False),
        "drop_libraries": ("yes", True),
        "collect_country": ("off", False),
        "consent_mode": ("consent_required", "consent_required"),
        "exclusions": ("path:/admin/*", ("path:/admin/*",)),
    }
    assert set(samples) == set(KEYS)
    for name, (text, value) in samples.items():
        changed = apply_changes(SITE, [(name, text)])
        assert current(changed, KEYS[name]) == value, name
        others = [k for k in SITE_KEYS if k.name != name]
        assert [current(changed, k) for k in others] == [current(SITE, k) for k in others], name


def test_reset_puts_a_setting_back_to_its_default() -> None:
    changed = apply_changes(SITE, [("raw_retention_days", "14")])
    assert reset(changed, ["raw_retention_days"]).settings.raw_retention_days is None


def test_odd_digits_are_refused_with_the_message() -> None:
    for name in ("raw_retention_days", "aggregate_retention_months"):
        with pytest.raises(SiteChangeError, match=name):
            apply_changes(SITE, [(name, "²")])


def test_the_form_shows_every_key_but_the_exclusions_with_the_parsers_limits() -> None:
    assert [k.name for k in SITE_KEYS if k.form is None] == ["exclusions"]  # the privacy page's
    for key in SITE_KEYS:
        field = key.form
        if field is None:
            continue
        assert field.section in SECTIONS, key.name
        if field.input == "number":
            assert field.bounds is not None
            low, high = field.bounds
            assert key.parse(str(low)) == low and key.parse(str(high)) == high
            for outside in (str(low - 1), str(high + 1)):
                with pytest.raises(SiteChangeError):
                    key.parse(outside)
        if field.max_length:
            assert key.parse("x" * field.max_length)
            with pytest.raises(SiteChangeError):
                key.parse("x" * (field.max_length + 1))
        if field.input == "select" and key.name != "timezone":
            assert tuple(value for value, _ in field.choices) == CONSENT_MODES
            assert all(key.parse(value) == value for value, _ in field.choices)
        if field.hint or field.warning:
            assert field.ref, f"{key.name}: a hint or warning needs an id"
    assert {k.form.section for k in SITE_KEYS if k.form is not None} == set(SECTIONS)
