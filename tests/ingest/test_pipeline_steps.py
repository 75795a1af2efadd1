"""Each privacy step alone: a ``put_`` step fills what its name says and never drops; a
``drop_`` step drops only with the reason it is named after and fills nothing. And
``STEPS`` is in the order ARCHITECTURE.md shows."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from collector.geo.blocks import Network
from collector.geo.locator import CountryLocator
from collector.ingest import matomo
from collector.ingest.pipeline import STEPS, HeaderInfo, Hit, PipelineEnv, Step, run
from collector.ingest.spam import SpamList
from collector.ingest.useragent import EMPTY, UAParser
from collector.model import DropReason, Site, SiteSettings

ROOT = Path(__file__).resolve().parents[2]
NOW = 1795348800.0  # 2026-11-22 12:00:00 UTC
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


class _Everywhere:
    """A country source that puts every block in New Zealand (tests/geo has the real one)."""

    name = "everywhere"

    def weights(self, network: Network) -> tuple[Counter[str | None], int]:
        return Counter({"NZ": 1}), 1


ENV = PipelineEnv(
    trusted_proxies=(),
    ip_mask_bytes=2,
    ua_parser=UAParser(),
    spam=SpamList(),
    geo=CountryLocator(_Everywhere(), 2),
)
HIT_FIELDS = tuple(f.name for f in dataclasses.fields(Hit))

# What each fill step fills (fields of the hit; put_visitor fills the event's visitor id),
# and the parameters it takes out of the request so that no later step sees them.
FILLS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "put_masked_ip": (frozenset({"masked_ip"}), frozenset({"cip"})),
    "put_uid_hash": (frozenset({"uid_hash"}), frozenset({"uid"})),
    "put_user_agent": (frozenset({"user_agent", "ua"}), frozenset()),
    "put_urls": (frozenset({"page", "ref"}), frozenset()),
    "put_event": (frozenset({"event"}), frozenset()),
    "put_country": (frozenset({"event.country"}), frozenset()),
    "put_visitor": (frozenset({"event.visitor"}), frozenset()),
}
STEP = dict(STEPS)
DROP_STEPS = [name for name, _ in STEPS if name.startswith("drop_")]
FILL_STEPS = [name for name, _ in STEPS if name.startswith("put_")]


@dataclasses.dataclass(frozen=True)
class Case:
    """A request and the one reason the pipeline drops it for (None: it is tracked)."""

    label: str
    reason: DropReason | None
    params: dict[str, str] = dataclasses.field(default_factory=dict)
    headers: dict[str, Any] = dataclasses.field(default_factory=dict)
    settings: dict[str, Any] = dataclasses.field(default_factory=dict)
    authenticated: bool = False


CASES = [
    Case("tracked", None),
    Case("cip without a token", None, params={"cip": "198.51.100.7"}),
    Case("cip with a token", None, params={"cip": "198.51.100.7"}, authenticated=True),
    Case("no rec", DropReason.NO_REC, params={"rec": "0"}),
    Case("DNT", DropReason.DNT, headers={"dnt": True}),
    Case("DNT not honoured", None, headers={"dnt": True}, settings={"honour_dnt": False}),
    Case("GPC", DropReason.GPC, headers={"gpc": True}),
    Case("GPC not honoured", None, headers={"gpc": True}, settings={"honour_gpc": False}),
    Case("no consent", DropReason.NO_CONSENT, settings={"consent_mode": "consent_required"}),
    Case("consent", None, params={"consent": "1"}, settings={"consent_mode": "consent_required"}),
    Case("prefetch", DropReason.PREFETCH, headers={"prefetch": True}),
    Case("bot", DropReason.BOT, headers={"user_agent": GOOGLEBOT}),
    Case("bot by ua=", DropReason.BOT, params={"ua": GOOGLEBOT}),
    Case("bot with bots=1", None, params={"bots": "1"}, headers={"user_agent": GOOGLEBOT}),
    Case("library counted", None, headers={"user_agent": "python-requests/2.22.0"}),
    Case(
        "library",
        DropReason.LIBRARY,
        headers={"user_agent": "python-requests/2.22.0"},
        settings={"drop_libraries": True},
    ),
    Case(
        "library by ua=",
        DropReason.LIBRARY,
        params={"ua": "curl/8.5.0"},
        settings={"drop_libraries": True},
    ),
    Case(
        "library with bots=1",
        None,
        params={"bots": "1"},
        headers={"user_agent": "okhttp/4.12.0"},
        settings={"drop_libraries": True},
    ),
    Case("foreign host", DropReason.FOREIGN_HOST, params={"url": "https://evil.example/pricing"}),
    Case("subdomain", None, params={"url": "https://shop.example.com/pricing"}),
    Case(
        "host not checked",
        None,
        params={"url": "https://evil.example/pricing"},
        settings={"check_host": False},
    ),
    Case("spam", DropReason.SPAM, params={"urlref": "https://semalt.com/"}),
    Case("excluded path", DropReason.EXCLUDED, settings={"exclusions": ("path:/pric*",)}),
    Case("excluded ua", DropReason.EXCLUDED, settings={"exclusions": ("ua:*chrome/130*",)}),
    Case("excluded ip", DropReason.EXCLUDED, settings={"exclusions": ("ip:203.0.0.0/16",)}),
    Case("not excluded", None, settings={"exclusions": ("path:/admin/*", "referrer:intranet.example")}),
]
IDS = [c.label for c in CASES]


def _hit(case: Case) -> Hit:
    params = {
        "idsite": "1",
        "rec": "1",
        "url": "https://example.com/pricing?utm_source=news",
        "urlref": "https://news.example/story",
        "action_name": "Pricing",
        "uid": "user-42",
        "res": "1920x1080",
        "pv_id": "a1B2c3",
        **case.params,
    }
    headers = HeaderInfo(
        **{"peer": "203.0.113.195", "user_agent": CHROME, "accept_language": "en-GB,en;q=0.9", **case.headers}
    )
    site = Site(1, "Shop", ("example.com",), "UTC", b"s" * 32, SiteSettings(**case.settings))
    req = matomo.read(params, NOW)
    return Hit(
        site=site,
        req=req,
        headers=headers,
        ts=NOW,
        day=date(2026, 11, 22),
        salt=b"t" * 32,
        authenticated=case.authenticated,
    )


def _before(name: str, case: Case) -> Hit:
    """A hit as ``name`` gets it: filled by every fill step before it."""
    hit = _hit(case)
    for other, step in STEPS:
        if other == name:
            return hit
        if other.startswith("put_"):
            assert step(hit, ENV) is None
    raise AssertionError(f"no step {name}")


def _state(hit: Hit) -> dict[str, Any]:
    """Everything a step could change, by value and by identity."""
    state: dict[str, Any] = {name: getattr(hit, name) for name in HIT_FIELDS}
    # and the identity of the objects (a compiled class boxes numbers anew on each read)
    state |= {f"id:{k}": id(v) for k, v in state.items() if not isinstance(v, int | float)}
    state["params"] = dict(hit.req.params)
    state["req"] = {
        f.name: getattr(hit.req, f.name) for f in dataclasses.fields(hit.req) if f.name != "params"
    }
    state["headers"] = dataclasses.astuple(hit.headers)
    if hit.event is not None:
        state |= {f"event.{f.name}": getattr(hit.event, f.name) for f in dataclasses.fields(hit.event)}
    return state


def _changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """What differs (a field given an equal but new object counts); the fields of an event
    that was not there before count as the event itself."""
    keys = before.keys() | after.keys()
    changed = {k.removeprefix("id:") for k in keys if before.get(k) != after.get(k)}
    return {k for k in changed if not k.startswith("event.") or k in before}


def test_every_step_is_named_put_or_drop_after_its_function() -> None:
    for name, step in STEPS:
        assert name.startswith(("put_", "drop_")), name
        assert step.__name__ == name


def test_there_is_one_drop_step_per_reason_the_pipeline_drops_for() -> None:
    assert sorted(name.removeprefix("drop_") for name in DROP_STEPS) == sorted(
        r.value for r in DropReason if r is not DropReason.OPTED_OUT
    )  # opted_out is the writer's drop, in the transaction (put_uid_hash prepares it)
    assert sorted(FILL_STEPS) == sorted(FILLS)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("name", DROP_STEPS)
def test_a_drop_step_drops_only_for_its_reason_and_fills_nothing(name: str, case: Case) -> None:
    hit = _before(name, case)
    before = _state(hit)
    reason = STEP[name](hit, ENV)
    expected = case.reason if case.reason is not None and name == f"drop_{case.reason.value}" else None
    assert reason is expected
    assert _changed(before, _state(hit)) == set()


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("name", FILL_STEPS)
def test_a_fill_step_fills_only_what_it_says_and_never_drops(name: str, case: Case) -> None:
    hit = _before(name, case)
    before = _state(hit)
    assert STEP[name](hit, ENV) is None
    fields, taken = FILLS[name]
    after = _state(hit)
    assert _changed(before, after) - {"params"} == fields
    assert set(before["params"]) - set(after["params"]) == taken & set(before["params"])
    assert {k: v for k, v in before["params"].items() if k not in taken} == after["params"]


def test_the_fill_steps_fill_the_values_the_later_steps_read() -> None:
    hit = _hit(CASES[0])
    assert run(hit, ENV) is None
    assert hit.masked_ip == "203.0.0.0"
    assert hit.uid_hash is not None and len(hit.uid_hash) >= 16 and "user-42" not in hit.uid_hash
    assert hit.user_agent == CHROME and hit.ua is not EMPTY and hit.ua.browser == "Chrome"
    assert hit.page is not None and hit.page.host == "example.com" and hit.page.path == "/pricing"
    assert hit.ref is not None and hit.ref.host == "news.example"
    event = hit.event
    assert event is not None and event.path == "/pricing?utm_source=news" and event.utm_source == "news"
    assert event.referrer_host == "news.example" and event.visitor != 0
    assert "uid" not in hit.req.params


@pytest.mark.parametrize("authenticated, masked", [(False, "203.0.0.0"), (True, "198.51.0.0")])
def test_put_masked_ip_takes_cip_only_with_a_token_and_removes_it(authenticated: bool, masked: str) -> None:
    hit = _hit(Case("cip", None, params={"cip": "198.51.100.7"}, authenticated=authenticated))
    assert STEP["put_masked_ip"](hit, ENV) is None
    assert hit.masked_ip == masked and "cip" not in hit.req.params


def test_a_drop_ends_the_run_before_any_later_step() -> None:
    seen: list[str] = []

    def spy(name: str, step: Step) -> Step:
        def wrapped(hit: Hit, env: PipelineEnv) -> DropReason | None:
            seen.append(name)
            return step(hit, env)

        return wrapped

    hit = _hit(next(c for c in CASES if c.reason is DropReason.GPC))
    assert run(hit, ENV, tuple((n, spy(n, s)) for n, s in STEPS)) is DropReason.GPC
    assert seen == [n for n, _ in STEPS][: [n for n, _ in STEPS].index("drop_gpc") + 1]
    assert hit.event is None and hit.user_agent == ""


def _architecture_steps() -> list[str]:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `collector/ingest/pipeline.py` |")]
    assert len(rows) == 1, "ARCHITECTURE.md has one row for collector/ingest/pipeline.py"
    chain = re.search(r"`STEPS`: (\w+(?: → \w+)+)", rows[0])
    assert chain is not None, rows[0]
    return chain.group(1).split(" → ")


def test_steps_are_in_the_order_architecture_md_shows() -> None:
    assert [name for name, _ in STEPS] == _architecture_steps()
