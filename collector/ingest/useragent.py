"""User-Agent parsing and bot detection, cached.

Parsing is the costliest step of a beacon (``user_agents.parse`` is ~0.5 ms of regexes)
while the same strings repeat, so results are kept in a bounded LRU per parser.
Only the reduced form (browser family + major version, OS family, device class) ever
leaves this module.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

import crawleruseragents
import user_agents

MAX_UA = 512  # longer strings are cut before parsing (and before caching)

# Automation and headless browsers that crawler lists miss or that fake a real browser.
_HEADLESS = re.compile(
    r"HeadlessChrome|PhantomJS|Lighthouse|Puppeteer|Playwright|Selenium|webdriver|"
    r"Cypress|SlimerJS|Nightmare|Electron/.*\bSpider|GPTBot|ClaudeBot|anthropic-ai|"
    r"CCBot|PerplexityBot|Bytespider|Amazonbot|Applebot|cohere-ai|Diffbot|"
    r"facebookexternalhit|Google-Extended|ImagesiftBot|Omgili|YouBot",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class UAInfo:
    browser: str | None
    browser_major: str | None
    os: str | None
    device: str  # desktop | mobile | tablet | bot | other
    is_bot: bool


EMPTY = UAInfo(browser=None, browser_major=None, os=None, device="other", is_bot=False)


def _device(ua: user_agents.parsers.UserAgent) -> str:
    if ua.is_bot:
        return "bot"
    if ua.is_tablet:
        return "tablet"
    if ua.is_mobile:
        return "mobile"
    if ua.is_pc:
        return "desktop"
    return "other"


def _known(name: str) -> str | None:
    return None if not name or name == "Other" else name


def parse_uncached(text: str) -> UAInfo:
    """Parse one User-Agent string (no cache)."""
    if not text:
        return EMPTY  # server-side SDKs send none; they are not bots for that
    ua = user_agents.parse(text)
    is_bot = bool(ua.is_bot) or bool(_HEADLESS.search(text)) or crawleruseragents.is_crawler(text)
    version = ua.browser.version
    major = str(version[0]) if version else None
    return UAInfo(
        browser=_known(ua.browser.family),
        browser_major=major,
        os=_known(ua.os.family),
        device="bot" if is_bot else _device(ua),
        is_bot=is_bot,
    )


class UAParser:
    """A bounded LRU cache in front of :func:`parse_uncached`."""

    def __init__(self, max_entries: int = 8192) -> None:
        self._max = max_entries
        self._cache: OrderedDict[str, UAInfo] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def parse(self, text: str) -> UAInfo:
        text = text[:MAX_UA]
        cache = self._cache
        info = cache.get(text)
        if info is not None:
            self.hits += 1
            cache.move_to_end(text)
            return info
        self.misses += 1
        info = parse_uncached(text)
        cache[text] = info
        if len(cache) > self._max:
            cache.popitem(last=False)
        return info
