"""The privacy pipeline: an ordered list of named steps.

A step either fills or drops, and its name says which: a ``put_…`` step fills fields of
the :class:`Hit` for later steps (and never drops); a ``drop_…`` step reads them and
returns the :class:`DropReason` it is named after, or ``None`` to go on (and fills
nothing). The IP is masked by the first step and the full address is dropped from the
hit there; every later step sees only the masked form. The last three steps turn the hit
into a minimised :class:`Event` (``put_event`` builds it, ``put_country`` adds the country
of the masked address, ``put_visitor`` the keyed visitor id). Steps are plain functions
so each one can be tested alone; ``STEPS`` is the order, and the order is the policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from collector.geo.locator import CountryLocator
from collector.ingest import ipaddr
from collector.ingest.clients import LIBRARY
from collector.ingest.kinds import kind_fields
from collector.ingest.matomo import TrackingRequest
from collector.ingest.minimise import (
    Campaign,
    Url,
    clean,
    clean_title,
    host_matches,
    page_fields,
    primary_language,
    referrer,
    screen_class,
    split_url,
    with_referral,
)
from collector.ingest.spam import SpamList
from collector.ingest.useragent import EMPTY, UAInfo, UAParser
from collector.ingest.visitor import visitor_id
from collector.model import DropReason, Event, Kind, Site
from collector.optout.keyed import user_ref_hash
from collector.privacy.exclusions import compile_rules
from collector.settings import Network


@dataclass(slots=True)  # not frozen: one per request, where a frozen __init__ is slow (bench/README.md)
class HeaderInfo:
    """What the pipeline reads from the HTTP request (one per request, bulk included).
    Treated as read-only: a bulk request shares one among its items."""

    peer: str | None = None
    forwarded_for: str | None = None
    user_agent: str = ""
    accept_language: str = ""
    referer: str | None = None
    dnt: bool = False
    gpc: bool = False
    prefetch: bool = False


@dataclass(frozen=True, slots=True)
class PipelineEnv:
    """What the steps need that outlives a request."""

    trusted_proxies: tuple[Network, ...]
    ip_mask_bytes: int
    ua_parser: UAParser
    spam: SpamList
    geo: CountryLocator | None = None  # None: no country is derived from the address


@dataclass(slots=True)
class Hit:
    """One tracking request on its way through the pipeline."""

    site: Site
    req: TrackingRequest
    headers: HeaderInfo
    ts: float
    day: date
    salt: bytes = field(repr=False)
    authenticated: bool = False
    masked_ip: str = ""
    user_agent: str = ""
    ua: UAInfo = EMPTY
    uid_hash: str | None = None
    page: Url | None = None
    ref: Url | None = None
    event: Event | None = None


Step = Callable[[Hit, PipelineEnv], DropReason | None]
_NO_CAMPAIGN = Campaign()


def put_masked_ip(hit: Hit, env: PipelineEnv) -> None:
    """``masked_ip``: the client address, masked (``cip`` only with a valid token, and
    removed from the parameters either way)."""
    cip = clean(hit.req.params.get("cip"), 64) if hit.authenticated else None
    masked = ipaddr.mask_text(cip, env.ip_mask_bytes) if cip else None
    if masked is None:
        masked = ipaddr.masked_client_ip(
            hit.headers.peer, hit.headers.forwarded_for, env.trusted_proxies, env.ip_mask_bytes
        )
    hit.masked_ip = masked
    hit.req.params.pop("cip", None)


def drop_no_rec(hit: Hit, env: PipelineEnv) -> DropReason | None:
    return None if hit.req.rec else DropReason.NO_REC


def drop_dnt(hit: Hit, env: PipelineEnv) -> DropReason | None:
    return DropReason.DNT if hit.headers.dnt and hit.site.settings.honour_dnt else None


def drop_gpc(hit: Hit, env: PipelineEnv) -> DropReason | None:
    return DropReason.GPC if hit.headers.gpc and hit.site.settings.honour_gpc else None


def put_uid_hash(hit: Hit, env: PipelineEnv) -> None:
    """``uid_hash``: a keyed hash of ``uid`` (the ``uid`` itself is removed). The writer
    checks it against ``optouts`` in the same transaction as the insert, so an opt-out is
    honoured by the very next beacon (the drop is ``opted_out``, counted there)."""
    uid = clean(hit.req.params.pop("uid", None), 1024)
    if uid is not None:
        hit.uid_hash = user_ref_hash(hit.site.secret, uid)


def drop_no_consent(hit: Hit, env: PipelineEnv) -> DropReason | None:
    """In ``consent_required`` mode only requests carrying ``consent=1`` count (Matomo's
    tracker adds it once ``setConsentGiven`` was called)."""
    if hit.site.settings.consent_mode == "consent_required" and hit.req.params.get("consent") != "1":
        return DropReason.NO_CONSENT
    return None


def drop_prefetch(hit: Hit, env: PipelineEnv) -> DropReason | None:
    return DropReason.PREFETCH if hit.headers.prefetch else None


def put_user_agent(hit: Hit, env: PipelineEnv) -> None:
    """``user_agent`` (the ``ua`` parameter, else the header) and ``ua``, what it says."""
    hit.user_agent = clean(hit.req.params.get("ua"), 1024) or hit.headers.user_agent
    hit.ua = env.ua_parser.parse(hit.user_agent)


def drop_bot(hit: Hit, env: PipelineEnv) -> DropReason | None:
    """A bot's request, unless it says ``bots=1``."""
    if hit.ua.is_bot and hit.req.params.get("bots") != "1":
        return DropReason.BOT
    return None


def drop_library(hit: Hit, env: PipelineEnv) -> DropReason | None:
    """An HTTP library's request (curl, python-requests…) where the site drops them
    (``drop_libraries``; Matomo counts them, and so does the default), unless it says
    ``bots=1``."""
    if hit.ua.client == LIBRARY and hit.site.settings.drop_libraries and hit.req.params.get("bots") != "1":
        return DropReason.LIBRARY
    return None


def put_urls(hit: Hit, env: PipelineEnv) -> None:
    """``page`` and ``ref``: the page URL and the referrer, split."""
    params = hit.req.params
    page_raw = params.get("url")
    if page_raw is None and "urlref" not in params:
        page_raw = hit.headers.referer  # the image-pixel fallback, as in Matomo
    hit.page = split_url(page_raw)
    hit.ref = split_url(params.get("urlref"))


def drop_foreign_host(hit: Hit, env: PipelineEnv) -> DropReason | None:
    """A page on none of the site's domains (when the site checks the host)."""
    site = hit.site
    host = hit.page.host if hit.page else None
    if site.settings.check_host and site.domains and host and not host_matches(host, site.domains):
        return DropReason.FOREIGN_HOST
    return None


def drop_spam(hit: Hit, env: PipelineEnv) -> DropReason | None:
    """A referrer on the referrer-spam list."""
    host = hit.ref.host if hit.ref else None
    return DropReason.SPAM if host and env.spam.is_spam(host) else None


def drop_excluded(hit: Hit, env: PipelineEnv) -> DropReason | None:
    """The owner's exclusion rules (path, referrer host, User-Agent, masked-IP network)."""
    texts = hit.site.settings.exclusions
    if not texts:
        return None
    path = hit.page.path if hit.page else None
    ref_host = hit.ref.host if hit.ref else None
    for rule in compile_rules(texts):
        if rule.matches(path, ref_host, hit.user_agent, hit.masked_ip):
            return DropReason.EXCLUDED
    return None


def _pv_id(raw: str | None) -> str | None:
    """The tracker's random page-view id: 1-16 letters and digits, or nothing."""
    text = clean(raw, 16)
    return text if text and text.isascii() and text.isalnum() else None


def put_event(hit: Hit, env: PipelineEnv) -> None:
    """``event``: the minimised :class:`Event`, built straight from the hit (the visitor
    id is the next step's)."""
    params = hit.req.params
    site = hit.site
    ua = hit.ua
    kind = hit.req.kind
    ref_host, ref_path = referrer(hit.ref, site.domains)
    settings = site.settings
    path, camp = (
        page_fields(hit.page, settings.allowed_query_keys, settings.campaign_keys)
        if hit.page
        else (None, _NO_CAMPAIGN)
    )
    camp = with_referral(camp, params.get("_rcn"), params.get("_rck"))
    country = clean(params.get("country"), 8) if hit.authenticated else None
    event = Event(
        site_id=site.id,
        ts_ms=int(hit.ts * 1000),
        day=hit.day.isoformat(),
        visitor=0,
        kind=kind,
        path=path,
        title=clean_title(params.get("action_name")),
        referrer_host=ref_host,
        referrer_path=ref_path,
        utm_source=camp.source,
        utm_medium=camp.medium,
        utm_campaign=camp.name,
        utm_term=camp.term,
        utm_content=camp.content,
        browser=ua.browser,
        browser_major=ua.browser_major,
        os=ua.os,
        device=ua.device,
        screen=screen_class(params.get("res")),
        language=primary_language(params.get("lang") or hit.headers.accept_language),
        country=country.lower() if country and len(country) == 2 else None,
        pv_id=_pv_id(params.get("pv_id")),
        new_visit=params.get("new_visit") == "1",
    )
    if kind is not Kind.PAGEVIEW:
        for name, value in kind_fields(kind, params).items():
            setattr(event, name, value)
    hit.event = event


def put_country(hit: Hit, env: PipelineEnv) -> None:
    """``event.country``, when the authenticated ``country`` parameter gave none and the
    site collects countries: the country of the *masked* address's block, or unknown
    (``collector/geo/``; the full address is gone since ``put_masked_ip``)."""
    event = hit.event
    assert event is not None, "the put_event step comes first"
    if event.country is None and env.geo is not None and hit.site.settings.collect_country:
        event.country = env.geo.country(hit.masked_ip)


def put_visitor(hit: Hit, env: PipelineEnv) -> None:
    """``event.visitor``: the keyed daily visitor id (of the masked IP, never the full one)."""
    event = hit.event
    assert event is not None, "the put_event step comes first"
    event.visitor = visitor_id(hit.salt, hit.site.id, hit.masked_ip, hit.user_agent, event.language or "")


STEPS: tuple[tuple[str, Step], ...] = (
    ("put_masked_ip", put_masked_ip),
    ("drop_no_rec", drop_no_rec),
    ("drop_dnt", drop_dnt),
    ("drop_gpc", drop_gpc),
    ("put_uid_hash", put_uid_hash),
    ("drop_no_consent", drop_no_consent),
    ("drop_prefetch", drop_prefetch),
    ("put_user_agent", put_user_agent),
    ("drop_bot", drop_bot),
    ("drop_library", drop_library),
    ("put_urls", put_urls),
    ("drop_foreign_host", drop_foreign_host),
    ("drop_spam", drop_spam),
    ("drop_excluded", drop_excluded),
    ("put_event", put_event),
    ("put_country", put_country),
    ("put_visitor", put_visitor),
)


def run(hit: Hit, env: PipelineEnv, steps: tuple[tuple[str, Step], ...] = STEPS) -> DropReason | None:
    """Run the steps in order; the first drop ends the run."""
    for _name, step in steps:
        reason = step(hit, env)
        if reason is not None:
            return reason
    return None
