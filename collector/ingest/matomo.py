"""Matomo Tracking HTTP API: one parameter set → a validated :class:`TrackingRequest`.

Validation here is syntactic (no I/O): what makes Matomo answer 400 makes us answer 400.
Whether the site exists and the token is good is checked by the ingestor.
Parameters the collector does not use are knowingly ignored (see ``IGNORED``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from collector.ingest.minimise import clean
from collector.ingest.params import BadRequest, Params
from collector.model import Kind

_HEX16 = re.compile(r"[0-9a-fA-F]{16}")
MAX_BACKDATE_S = 24 * 3600  # older `cdt` needs token_auth

# Understood and deliberately not used (cache-busters, cookie-era ids, plugin flags,
# client-side timings, custom variables and dimensions: free-form fields that could
# carry personal data).
IGNORED = frozenset(
    {
        "r",
        "rand",
        "apiv",
        "_idts",
        "_idvc",
        "_viewts",
        "_ects",
        "gt_ms",
        "_idn",
        "_refts",
        "_id",
        "cs",
        "h",
        "m",
        "s",
        "fla",
        "java",
        "qt",
        "realp",
        "pdf",
        "wma",
        "ag",
        "cookie",
        "dir",
        "gears",
        "uadata",
        "pf_net",
        "pf_srv",
        "pf_tfr",
        "pf_dm1",
        "pf_dm2",
        "pf_onl",
        "cvar",
        "_cvar",
        "e_cvar",
        "ec_id",
        "ec_items",
        "ec_tx",
        "ec_sh",
        "ec_dt",
        "cdo",
        "_ref",
        "send_image",
        "ma_id",
    }
)
LOCATION_OVERRIDES = ("country", "region", "city", "lat", "long")
# Any of these makes a request more than a page view (see ``kind_of``); a plain page view
# has none, and is told apart by one set operation.
_KIND_KEYS = frozenset({"ping", "idgoal", "download", "link", "e_c", "e_a", "c_n", "search"})
_TOKEN_KEYS = frozenset({"cip", *LOCATION_OVERRIDES})


@dataclass(slots=True)  # not frozen: one per beacon, where a frozen __init__ is slow (bench/README.md)
class TrackingRequest:
    """One validated tracking request (still raw: nothing minimised yet)."""

    site_id: int
    params: Params
    kind: Kind
    rec: bool
    requested_ts: float | None  # from `cdt`, already checked against the future
    needs_token: bool  # cip, location overrides, or a `cdt` older than 24 h
    token: str | None


def _site_id(params: Params) -> int:
    raw = params.get("idsite", "").strip()
    if not raw:
        raise BadRequest("idsite is required")
    try:
        site_id = int(raw)
    except ValueError as exc:
        raise BadRequest("idsite must be an integer") from exc
    if not 0 < site_id < 2**31:
        raise BadRequest("idsite must be a positive integer")
    return site_id


def kind_of(params: Params) -> Kind:
    """Matomo's priority: download > outlink > event > content > site search > page view;
    heartbeats and goal requests record no action."""
    if params.keys().isdisjoint(_KIND_KEYS):
        return Kind.PAGEVIEW
    if params.get("ping") == "1":
        return Kind.PING
    if clean(params.get("idgoal")) is not None:
        return Kind.GOAL
    if clean(params.get("download")):
        return Kind.DOWNLOAD
    if clean(params.get("link")):
        return Kind.OUTLINK
    if "e_c" in params or "e_a" in params:
        return Kind.EVENT
    if clean(params.get("c_n")):
        return Kind.CONTENT
    if clean(params.get("search")):
        return Kind.SEARCH
    return Kind.PAGEVIEW


def parse_cdt(raw: str) -> float:
    """``cdt`` as Unix seconds (or milliseconds) or an ISO/``YYYY-MM-DD HH:MM:SS`` UTC time."""
    text = raw.strip()
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if value != value or value in (float("inf"), float("-inf")) or value < 0:
            raise BadRequest("cdt is not a valid time")
        return value / 1000 if value > 1e11 else value
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest("cdt is not a valid time") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _check_event(params: Params) -> None:
    if clean(params.get("e_c")) is None or clean(params.get("e_a")) is None:
        raise BadRequest("events need a non-empty e_c (category) and e_a (action)")
    value = clean(params.get("e_v"))
    if value is not None:
        try:
            float(value)
        except ValueError as exc:
            raise BadRequest("e_v must be a number") from exc


def read(params: Params, now: float) -> TrackingRequest:
    """Validate one parameter set; raise :class:`BadRequest` as Matomo would refuse it."""
    site_id = _site_id(params)
    cid = params.get("cid")
    if cid and not _HEX16.fullmatch(cid):
        raise BadRequest("cid must be exactly 16 hexadecimal characters")
    kind = kind_of(params)
    if kind is Kind.EVENT:
        _check_event(params)
    needs_token = not params.keys().isdisjoint(_TOKEN_KEYS) and any(
        clean(params.get(k)) is not None for k in _TOKEN_KEYS
    )
    requested: float | None = None
    raw_cdt = clean(params.get("cdt")) if "cdt" in params else None
    if raw_cdt is not None:
        requested = parse_cdt(raw_cdt)
        if requested > now:
            requested = None  # future times are ignored, as in Matomo
        elif now - requested > MAX_BACKDATE_S:
            needs_token = True
    token = clean(params.get("token_auth"), 200) if "token_auth" in params else None
    return TrackingRequest(
        site_id=site_id,
        params=params,
        kind=kind,
        rec=params.get("rec", "").strip() == "1",
        requested_ts=requested,
        needs_token=needs_token,
        token=token,
    )
