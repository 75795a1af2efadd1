"""User-Agent → the minimised form (browser family + major version, OS family, device
class) and the client's kind (browser, app, library, bot; unknown when empty), cached.

Families come from ua-parser 1.x on its Rust engine (``ua-parser[regex]``: uap-core's
rules, ~10 µs for a string never seen), the device class from the rules of the
``user_agents`` package that this module used before, applied to the same uap-core
results (so the stored fields are what they were: ``tests/ingest/test_useragent.py``
compares the two on a browser corpus). The kind comes from :mod:`collector.ingest.clients`
(Matomo's bot and library lists plus ``collector/data/user_agents.txt``).

What is kept of each kind:

- **browser**, **app**: family, major version, OS, device class (``desktop``, ``mobile``,
  ``tablet``, ``other``).
- **library** (python-requests, curl, okhttp…): the library's name as Matomo writes it
  (``Python Requests``, ``curl``, ``OkHttp``) as the browser family, its major version,
  the OS when the string names one, and the device class ``other``: a library runs on no
  device anybody could tell, and ``other`` is already a device class everywhere
  (``docs/privacy.md``, the Reporting API's ``Unknown``), so a library adds no new value.
- **bot**: ua-parser's family and version, device class ``bot`` (stored only with
  ``bots=1``; otherwise the request is dropped as ``bot``).

Strings are cut to :data:`MAX_UA` characters before anything else, so a 10 KB header costs
what a normal one does; text that is not valid Unicode makes a bot (``not_a_client``)
without a parse, control characters make one after it. An empty string is counted, as an
``unknown`` client. Results are kept in a bounded LRU per parser; its hits
and misses are the ``collector_ua_cache_*`` counters of ``/metrics``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import ua_parser
from ua_parser.regex import Resolver

from collector.ingest.clients import (
    BOT,
    BROWSER,
    LIBRARY,
    NOT_TEXT,
    UNKNOWN,
    Classifier,
    Client,
    classifier,
)
from collector.metrics import Metrics

MAX_UA = 512  # longer strings are cut before parsing (and before caching)
CACHE_ENTRIES = 8192


@dataclass(frozen=True, slots=True)
class UAInfo:
    browser: str | None
    browser_major: str | None
    os: str | None
    device: str  # desktop | mobile | tablet | bot | other
    is_bot: bool
    client: str = BROWSER  # browser | app | library | bot | unknown (collector.ingest.clients)

    @property
    def is_library(self) -> bool:
        return self.client == LIBRARY


EMPTY = UAInfo(browser=None, browser_major=None, os=None, device="other", is_bot=False, client=UNKNOWN)
EMPTY_CLIENT = Client(UNKNOWN)
NOT_A_CLIENT = UAInfo(browser=None, browser_major=None, os=None, device="bot", is_bot=True, client=BOT)

# -- the device class: the rules of the user_agents package (2.2), on uap-core's families --
_MOBILE_DEVICES = frozenset(
    {"iPhone", "iPod", "Generic Smartphone", "Generic Feature Phone", "PlayStation Vita", "iOS-Device"}
)
_PC_OSES = frozenset({"Windows 95", "Windows 98", "Solaris"})
_MOBILE_OSES = frozenset(
    {
        "Windows Phone",
        "Windows Phone OS",
        "Symbian OS",
        "Bada",
        "Windows CE",
        "Windows Mobile",
        "Maemo",
    }
)
_MOBILE_BROWSERS = frozenset(
    {"IE Mobile", "Opera Mobile", "Opera Mini", "Chrome Mobile", "Chrome Mobile WebView", "Chrome Mobile iOS"}
)
_TABLET_DEVICES = frozenset(
    {
        "iPad",
        "BlackBerry Playbook",
        "Blackberry Playbook",
        "Kindle",
        "Kindle Fire",
        "Kindle Fire HD",
        "Galaxy Tab",
        "Xoom",
        "Dell Streak",
    }
)


def _version(major: str | None, minor: str | None, patch: str | None) -> str:
    return ".".join(part for part in (major, minor, patch) if part is not None)


def _is_tablet(text: str, device: str, os: str, os_version: str, browser: str) -> bool:
    if device in _TABLET_DEVICES:
        return True
    if os == "Android" and "Mobile Safari" not in text and browser != "Firefox Mobile":
        return True
    if os == "Windows" and os_version.startswith("RT"):
        return True
    return os == "Firefox OS" and "Mobile" not in browser


def _is_mobile(text: str, device: str, os: str, browser: str, tablet: bool) -> bool:
    if device in _MOBILE_DEVICES or browser in _MOBILE_BROWSERS:
        return True
    if os in ("Android", "Firefox OS") and not tablet:
        return True
    if os == "BlackBerry OS" and device != "Blackberry Playbook":
        return True
    if os in _MOBILE_OSES:
        return True
    if "J2ME" in text or "MIDP" in text or "iPhone;" in text or "Googlebot-Mobile" in text:
        return True
    if device == "Spider" and "Mobile" in browser:
        return True
    return "NokiaBrowser" in text and "Mobile" in text


def _is_pc(text: str, os: str, os_version: str) -> bool:
    if "Windows NT" in text or os in _PC_OSES or (os == "Windows" and os_version == "ME"):
        return True
    if os == "Mac OS X" and "Silk" not in text:
        return True
    if "Maemo" in text:
        return False
    return "Chrome OS" in os or ("Linux" in text and "X11" in text)


def device_class(text: str, device: str, os: str, os_version: str, browser: str) -> str:
    """``desktop``, ``mobile``, ``tablet`` or ``other`` (bots are the caller's)."""
    tablet = _is_tablet(text, device, os, os_version, browser)
    if tablet:
        return "tablet"
    if _is_mobile(text, device, os, browser, tablet):
        return "mobile"
    if _is_pc(text, os, os_version):
        return "desktop"
    return "other"


def _known(name: str | None) -> str | None:
    return None if not name or name == "Other" else name


class Parser:
    """uap-core's rules on the Rust engine, and the client classifier."""

    def __init__(self, clients: Classifier | None = None) -> None:
        resolver = Resolver(ua_parser.load_lazy_builtins())
        self._ua = resolver.ua
        self._os = resolver.os
        self._device = resolver.de
        self.clients = clients if clients is not None else classifier()

    def parse(self, text: str) -> UAInfo:
        """One User-Agent (already cut to :data:`MAX_UA`), uncached."""
        return self.parse_with_client(text)[0]

    def parse_with_client(self, text: str) -> tuple[UAInfo, Client]:
        """:meth:`parse`, and the classifier's answer (which rule decided)."""
        if not text.strip():
            return EMPTY, EMPTY_CLIENT  # server-side SDKs send none; not bots for that
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:  # lone surrogates: no client's text
                return NOT_A_CLIENT, NOT_TEXT
        ua = self._ua.extract(text)
        os = self._os.extract(text)
        dev = self._device.extract(text)
        family = _known(ua.family) if ua is not None else None
        major = ua.major if ua is not None else None
        os_family = _known(os.family) if os is not None else None
        device_family = dev.family if dev is not None else "Other"
        client = self.clients.classify(text, family, device_family)
        if client.kind == LIBRARY:
            named = client.name is not None
            library = UAInfo(
                browser=client.name if named else family,
                browser_major=client.version if named else major,
                os=os_family,
                device="other",
                is_bot=False,
                client=LIBRARY,
            )
            return library, client
        if client.kind == BOT:
            return UAInfo(family, major, os_family, "bot", True, BOT), client
        os_version = _version(os.major, os.minor, os.patch) if os is not None else ""
        device = device_class(text, device_family, os_family or "Other", os_version, family or "Other")
        return UAInfo(family, major, os_family, device, False, client.kind), client


_PARSER: Parser | None = None


def default_parser() -> Parser:
    """The process's parser, built on first use (the rule lists take about a second)."""
    global _PARSER
    if _PARSER is None:
        _PARSER = Parser()
    return _PARSER


def parse_uncached(text: str) -> UAInfo:
    """Parse one User-Agent string (no cache)."""
    return default_parser().parse(text[:MAX_UA])


class UAParser:
    """A bounded LRU cache in front of :class:`Parser`; its hits and misses count in
    ``metrics`` (``collector_ua_cache_hits_total`` / ``…_misses_total``)."""

    def __init__(self, max_entries: int = CACHE_ENTRIES, metrics: Metrics | None = None) -> None:
        self._max = max_entries
        self._cache: OrderedDict[str, UAInfo] = OrderedDict()
        self._parser = default_parser()
        self.metrics = metrics if metrics is not None else Metrics()

    @property
    def hits(self) -> int:
        return self.metrics.ua_cache_hits

    @property
    def misses(self) -> int:
        return self.metrics.ua_cache_misses

    def __len__(self) -> int:
        return len(self._cache)

    def parse(self, text: str) -> UAInfo:
        text = text[:MAX_UA]
        cache = self._cache
        info = cache.get(text)
        if info is not None:
            self.metrics.ua_cache_hits += 1
            cache.move_to_end(text)
            return info
        self.metrics.ua_cache_misses += 1
        info = self._parser.parse(text)
        cache[text] = info
        if len(cache) > self._max:
            cache.popitem(last=False)
        self.metrics.ua_cache_entries = len(cache)
        return info
