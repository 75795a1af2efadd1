"""Minimisation: what is kept of URLs, titles, referrers, screens and languages.

Rules (docs/privacy.md, invariant 5): no query string except campaign keys and keys the site
allows, no fragment, no e-mail address or long secret-looking token in paths and titles,
referrers reduced to host + path, screens to a size class, languages to a primary subtag.

Every function here is pure, and a site's beacons repeat the same few hundred URLs,
titles, referrers, screens and languages: the ones the pipeline calls per beacon are
memoised (bounded LRU caches, in memory only, like the User-Agent cache). A hit costs
~0.2 µs where the work costs 1–3 µs; a flood of unique values only fills the caches.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

from collector.ingest.params import parse_query

MAX_PATH = 1024
MAX_TITLE = 1024
MAX_FIELD = 250
CACHED = 4096  # entries per memoised function

CAMPAIGN_PREFIXES = ("utm_", "mtm_", "pk_", "matomo_", "piwik_")
_NULLISH = {"", "undefined", "null", "none", "nan", "(null)", "[object object]"}
_LONGEST_NULLISH = max(map(len, _NULLISH))

_EMAIL = re.compile(r"[\w.+%-]{1,64}(?:@|%40)[\w-]{1,63}(?:\.[\w-]{1,63})+", re.UNICODE)
# A run of 20+ letters/digits/-/_ holding at least one digit and one letter looks like a
# token (session ids, reset keys, JWT parts); plain long words stay.
_TOKEN = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{20,}(?![\w-])", re.ASCII)
_LONG_DIGITS = re.compile(r"\d{9,}")  # phone numbers, card and account numbers
_DIGIT = re.compile(r"\d")


def clean(value: str | None, limit: int = MAX_FIELD) -> str | None:
    """Trim, undo Python byte-string reprs (``b'…'``), map ``undefined``-like to None."""
    if value is None:
        return None
    text = value.strip()
    if len(text) >= 3 and text[0] == "b" and text[1] in "'\"" and text[-1] == text[1]:
        text = text[2:-1].strip()
    if len(text) <= _LONGEST_NULLISH and text.lower() in _NULLISH:
        return None
    return text[:limit]


def redact(text: str) -> str:
    """Replace e-mail addresses, long tokens and long digit runs."""
    if "@" in text or "%40" in text:
        text = _EMAIL.sub("[email]", text)
    if len(text) >= 9 and _DIGIT.search(text):  # both patterns below need a digit
        if len(text) >= 20:
            text = _TOKEN.sub("[token]", text)
        text = _LONG_DIGITS.sub("[number]", text)
    return text


@dataclass(frozen=True, slots=True)  # shared through the caches: immutable
class Url:
    host: str | None
    path: str
    query: str


# The usual absolute URL, in printable ASCII only: split by this pattern, it gives what
# ``urlsplit`` gives (anything else, or anything unusual, takes ``urlsplit``).
_PLAIN_URL = re.compile(
    r"https?://([A-Za-z0-9.-]+)(?::[0-9]*)?"  # host, port
    r"(/[!-\"$->@-~]*)?"  # path: no space, "#" or "?"
    r"(?:\?([!-\"$-~]*))?"  # query: no space or "#"
    r"(?:#[!-~]*)?",  # fragment
    re.ASCII,
)


_HOST = re.compile(r"[\w.:\[\]-]+")


@lru_cache(maxsize=CACHED)
def split_url(raw: str | None) -> Url | None:
    """A tolerant URL split: ports dropped, host lower-cased; None for no URL."""
    text = clean(raw, 4096)
    if text is None:
        return None
    plain = _PLAIN_URL.fullmatch(text)
    if plain is not None:
        host, path, query = plain.groups()
        return Url(host=host.lower().rstrip("."), path=path or "/", query=query or "")
    if text.startswith("//"):
        text = "http:" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return None
    path = parts.path or "/"
    if not parts.scheme and not parts.netloc:
        host = None  # a relative URL
    if host and not _HOST.fullmatch(host):
        host = None  # not a host name (e.g. "name%40example.org"): never stored
    return Url(host=host.lower().rstrip(".") if host else None, path=path, query=parts.query)


def is_campaign_key(key: str) -> bool:
    return key.lower().startswith(CAMPAIGN_PREFIXES)


def url_params(url: Url | None) -> dict[str, str]:
    """The parameters of a URL's query (parse once, pass to ``clean_path`` and ``campaign``)."""
    return parse_query(url.query) if url is not None and url.query else {}


def clean_path(url: Url, allowed_keys: tuple[str, ...], params: Mapping[str, str] | None = None) -> str:
    """The path, decoded and redacted, plus only campaign and allowed query keys.
    ``params``: ``url_params(url)`` when the caller has it already."""
    path = redact(unquote(url.path, errors="replace"))[:MAX_PATH]
    if not url.query:
        return path
    kept = [
        (k, v)
        for k, v in (url_params(url) if params is None else params).items()
        if is_campaign_key(k) or k in allowed_keys
    ]
    if not kept:
        return path
    query = "&".join(f"{_quote(k)}={_quote(redact(v))}" for k, v in kept)
    return (path + "?" + query)[:MAX_PATH]


_QUOTE_SAFE = re.compile(r"[A-Za-z0-9_.~/-]*")  # what ``quote`` leaves as it is


def _quote(text: str) -> str:
    """``urllib.parse.quote``, without its cost for the usual text that needs none."""
    return text if _QUOTE_SAFE.fullmatch(text) else quote(text)


@lru_cache(maxsize=CACHED)
def page_fields(url: Url, allowed_keys: tuple[str, ...], name_keys: tuple[str, ...]) -> tuple[str, Campaign]:
    """The stored path and the URL's campaign of a page (query parsed once for both)."""
    params = url_params(url)
    return clean_path(url, allowed_keys, params), campaign(url, None, None, params, name_keys)


def with_referral(found: Campaign, rcn: str | None, rck: str | None) -> Campaign:
    """``found`` (the page URL's campaign) completed by the tracker's ``_rcn``/``_rck`` (the
    campaign it saw on the first page of the visit): the same as :func:`campaign` with them."""
    if not rcn and not rck:
        return found
    name = found.name or _first({"c": rcn or ""}, ("c",))
    term = found.term or _first({"k": rck or ""}, ("k",))
    if name == found.name and term == found.term:
        return found
    return Campaign(source=found.source, medium=found.medium, name=name, term=term, content=found.content)


@lru_cache(maxsize=CACHED)
def clean_title(title: str | None) -> str | None:
    text = clean(title, MAX_TITLE * 2)
    return redact(text)[:MAX_TITLE] if text else None


def host_matches(host: str, domains: tuple[str, ...]) -> bool:
    """True when ``host`` is one of ``domains`` or a subdomain of one."""
    return any(host == domain or host.endswith("." + domain) for domain in domains)


@lru_cache(maxsize=CACHED)
def referrer(url: Url | None, own_domains: tuple[str, ...]) -> tuple[str | None, str | None]:
    """Host and path of an external referrer; nothing for the site itself or no host."""
    if url is None or url.host is None or host_matches(url.host, own_domains):
        return None, None
    host = url.host[4:] if url.host.startswith("www.") else url.host
    path = redact(unquote(url.path, errors="replace"))[:MAX_FIELD]
    return host, path


@dataclass(frozen=True, slots=True)  # shared through the caches: immutable
class Campaign:
    source: str | None = None
    medium: str | None = None
    name: str | None = None
    term: str | None = None
    content: str | None = None


_NO_CAMPAIGN = Campaign()
_NAME_KEYS = ("mtm_campaign", "matomo_campaign", "pk_campaign", "pk_cpn", "piwik_campaign", "utm_campaign")
_TERM_KEYS = ("mtm_keyword", "matomo_keyword", "pk_keyword", "pk_kwd", "piwik_kwd", "utm_term")
_SOURCE_KEYS = ("mtm_source", "pk_source", "utm_source")
_MEDIUM_KEYS = ("mtm_medium", "pk_medium", "utm_medium")
_CONTENT_KEYS = ("mtm_content", "pk_content", "utm_content")


def _first(lowered: Mapping[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        raw = lowered.get(key)
        if raw is not None:
            value = clean(raw)
            if value:
                return redact(value)[:MAX_FIELD]
    return None


def campaign(
    url: Url | None,
    rcn: str | None,
    rck: str | None,
    params: Mapping[str, str] | None = None,
    name_keys: tuple[str, ...] = (),
) -> Campaign:
    """Campaign fields from the page URL's keys (case-insensitive), else ``_rcn``/``_rck``.
    ``params``: ``url_params(url)`` when the caller has it already; ``name_keys``: the
    site's own campaign-name keys (lower case), read after the standard ones."""
    query = url_params(url) if params is None else params
    # Every key looked up below is a campaign key: the others need not be lowered.
    lowered = (
        {
            k.lower(): v
            for k, v in query.items()
            if is_campaign_key(k) or (name_keys and k.lower() in name_keys)
        }
        if query
        else {}
    )
    if not lowered and not rcn and not rck:
        return _NO_CAMPAIGN
    name = (
        _first(lowered, _NAME_KEYS)
        or (_first(lowered, name_keys) if name_keys else None)
        or _first({"c": rcn or ""}, ("c",))
    )
    return Campaign(
        source=_first(lowered, _SOURCE_KEYS),
        medium=(_first(lowered, _MEDIUM_KEYS) or "").lower() or None,
        name=name,
        term=_first(lowered, _TERM_KEYS) or _first({"k": rck or ""}, ("k",)),
        content=_first(lowered, _CONTENT_KEYS),
    )


@lru_cache(maxsize=256)
def screen_class(res: str | None) -> str | None:
    """``1920x1080`` → a width class; the exact resolution is not kept."""
    text = clean(res)
    if not text or "x" not in text:
        return None
    try:
        width = int(float(text.lower().split("x", 1)[0]))
    except ValueError:
        return None
    if width <= 0:
        return None
    if width < 576:
        return "mobile"
    if width < 992:
        return "tablet"
    if width < 1440:
        return "laptop"
    return "desktop"


_LANG = re.compile(r"[a-zA-Z]{2,3}(?=$|[-_;,\s])")


@lru_cache(maxsize=256)
def primary_language(value: str | None) -> str | None:
    """``nb-NO,nb;q=0.9,en;q=0.8`` → ``nb``."""
    text = clean(value, 200)
    if not text:
        return None
    match = _LANG.match(text.strip())
    return match.group(0).lower() if match else None
