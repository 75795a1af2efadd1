"""What kind of client a User-Agent is, as Matomo tells them apart: a browser, an app, an
HTTP library, or a bot.

The rules, in order (the first that matches decides):

1. Control characters, or text that is not valid Unicode: no client sends these, a bot.
2. ``collector/data/user_agents.txt``'s ``[bot:…]`` sections (headless and automation
   browsers, uptime checkers and scanners Matomo does not name, injection attempts): a bot.
3. Its ``[library]`` section: a library (Node's own ``fetch`` sends ``node``, which
   Matomo's list calls a bot).
4. Matomo's bot list (device-detector's ``bots.yml``: crawlers, AI crawlers, monitors,
   security checkers, its generic ``bot|crawler|spider|…`` rule): a bot.
5. Matomo's library list (``libraries.yml``: python-requests, curl, okhttp, Go-http-client,
   Java, …), unless the string is a browser's (it starts with ``Mozilla/`` or ``Opera/``
   and ua-parser names a browser family), as Matomo looks for browsers before libraries:
   a library.
6. ``[bot:not_a_client]``: a contact (an e-mail or web address) where a client should be,
   a single word, a bare ``Mozilla/5.0``: a bot.
7. ua-parser's ``Spider`` device (uap-core's bot rules), again unless the string is a
   browser's (uap-core's rule takes ``MSIE 8.0; …; Banca Caboto`` for a bot): a bot.
8. A browser when it starts with ``Mozilla/`` or ``Opera/``; but a bot (``imitation``)
   when neither ua-parser nor Matomo's browser list names a browser in it and it holds
   no engine's token (``[engine]``: ``AppleWebKit``, ``Gecko``, ``Trident``…):
   ``Mozilla/5.0 (compatible; Name/1.0)`` is how crawlers dress up, no browser since
   the 1990s sends it.
9. An *unnamed program* when ua-parser names no family and the string holds no
   ``(…)`` comment nor a word of the ``[platform]`` section (``CFNetwork``, ``Android``,
   ``Windows``, ``MIDP``…): a client that says neither what it is nor where it runs
   (``Monit/5.23``, ``Datafeedwatch/2.1``) is a program, not a person's app; it is counted
   as a library (kept, unless the site drops libraries).
10. Otherwise an app (``Reeder/3.2 CFNetwork/672 Darwin/14``, ``Dalvik/2.1.0 (Linux; U;
    Android 11)``).

An empty User-Agent is not classified here: it stays a counted request of an unknown
client, as in Matomo (server-side SDKs and old Node clients send none).

All matching runs on ua-parser's Rust engine (``collector.ingest.uarules``): one linear scan
per list, so a hostile string costs what a normal one does. The lists are read once per
process (:func:`classifier`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from collector.ingest import uarules

BROWSER, APP, LIBRARY, BOT = "browser", "app", "library", "bot"
UNKNOWN = "unknown"  # an empty User-Agent: no client named, counted
KINDS = (BROWSER, APP, LIBRARY, BOT, UNKNOWN)
LATE_SECTION = "bot:not_a_client"
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_BROWSER_PREFIXES = ("Mozilla/", "Opera/")
# the list a match comes from (uarules.Rule.tag)
_OUR_BOT, _OUR_LIBRARY, _MATOMO_BOT = "our-bot", "our-library", "matomo-bot"
_MATOMO_LIBRARY, _LATE_BOT = "matomo-library", "late-bot"


@dataclass(frozen=True, slots=True)
class Client:
    """A User-Agent's kind and, for libraries and bots, which one."""

    kind: str  # one of KINDS
    name: str | None = None  # the library's or bot's name
    version: str | None = None  # a library's major version
    rule: str = ""  # what decided: "matomo:<category>", "collector:<class>", "uap", ...


BROWSER_CLIENT = Client(BROWSER)
APP_CLIENT = Client(APP)
NOT_TEXT = Client(BOT, None, None, "collector:not_a_client")
UNNAMED_PROGRAM = Client(LIBRARY, None, None, "collector:unnamed")
IMITATION = Client(BOT, None, None, "collector:imitation")


def bot_class(client: Client) -> str:
    """The bot's class for reports and tests: ``headless``, ``monitor``, ``scanner``,
    ``attack``, ``not_a_client``, ``ai``, ``crawler``…; empty for a non-bot."""
    if client.kind != BOT:
        return ""
    source, _, label = client.rule.partition(":")
    if source == "collector":
        return label
    if source == "uap":
        return "crawler"
    low = label.lower()
    if "monitor" in low:
        return "monitor"
    if "security" in low:
        return "scanner"
    if low.startswith("ai ") or " ai " in f" {low} ":
        return "ai"
    return "crawler"


def _major(version: str | None) -> str | None:
    if not version:
        return None
    head = version.split(".", 1)[0].strip()
    return head if head.isdigit() else None


class Classifier:
    """The compiled rule lists; :meth:`classify` is the decision above."""

    def __init__(self, data_file: Path | None = None) -> None:
        ours = uarules.collector_rules(data_file)
        early = [
            rule
            for name, rules in ours.items()
            if name.startswith("bot:") and name != LATE_SECTION
            for rule in rules
        ]
        late = uarules.tagged(ours.get(LATE_SECTION, []), _LATE_BOT)
        # Lists that follow one another in the order above are merged, each rule telling
        # which list it comes from: the lists' first match is the merged set's first match,
        # for fewer scans of the string (each scan costs more than the matching in it).
        self.first = uarules.RuleSet(
            uarules.tagged(early, _OUR_BOT)
            + uarules.tagged(ours.get("library", []), _OUR_LIBRARY)
            + uarules.tagged(uarules.matomo_bots(), _MATOMO_BOT)
        )
        self.then = uarules.RuleSet(uarules.tagged(uarules.matomo_libraries(), _MATOMO_LIBRARY) + late)
        self.then_for_browsers = uarules.RuleSet(late)
        self.platforms = uarules.RuleSet(ours.get("platform", []))
        self.engines = uarules.RuleSet(ours.get("engine", []))
        self.matomo_browsers = uarules.RuleSet(uarules.matomo_browsers())

    @property
    def skipped(self) -> dict[str, list[str]]:
        """Patterns that could not be compiled, by list (a test keeps all but the browser
        list's empty; a browser pattern left out only narrows the ``imitation`` rule's list
        of browsers, which a string with an engine's token never reaches)."""
        lists = {
            "rules 2 to 4": self.first,
            "rules 5 and 6": self.then,
            "platforms": self.platforms,
            "engines": self.engines,
            "matomo browsers": self.matomo_browsers,
        }
        return {name: rules.skipped for name, rules in lists.items()}

    def classify(self, text: str, family: str | None = None, device_family: str | None = None) -> Client:
        """``text``: the User-Agent (not empty); ``family``, ``device_family``: what
        ua-parser found in it (``None`` for nothing)."""
        if _CONTROL.search(text) is not None:
            return NOT_TEXT
        try:
            return self._classify(text, family, device_family)
        except UnicodeEncodeError:  # a lone surrogate: not text any client sends
            return NOT_TEXT

    def _classify(self, text: str, family: str | None, device_family: str | None) -> Client:
        hit = self.first.match(text)  # rules 2, 3, 4
        if hit is not None:
            return _client(hit)
        looks_like_browser = text.startswith(_BROWSER_PREFIXES)
        browser = looks_like_browser and family is not None
        hit = (self.then_for_browsers if browser else self.then).match(text)  # rules 5, 6
        if hit is not None:
            return _client(hit)
        if device_family == "Spider" and not browser:
            return Client(BOT, family, None, "uap:spider")
        if looks_like_browser:
            if (
                family is None
                and self.engines.match(text) is None
                and self.matomo_browsers.match(text) is None
            ):
                return IMITATION  # "Mozilla/5.0 (compatible; Name)": no engine, no browser named
            return BROWSER_CLIENT
        if family is None and self.platforms.match(text) is None:
            return UNNAMED_PROGRAM
        return APP_CLIENT


def _client(hit: uarules.Hit) -> Client:
    if hit.tag == _OUR_LIBRARY:
        return Client(LIBRARY, hit.name, _major(hit.label), "collector:library")
    if hit.tag == _MATOMO_LIBRARY:
        return Client(LIBRARY, hit.name, _major(hit.label), "matomo:library")
    if hit.tag == _MATOMO_BOT:
        return Client(BOT, hit.name, None, f"matomo:{hit.label}")
    return Client(BOT, hit.name, None, f"collector:{hit.label}")  # ours: early or late


_CLASSIFIER: Classifier | None = None


def classifier() -> Classifier:
    """The process's classifier, built on first use (about a second: the lists are read
    and compiled)."""
    global _CLASSIFIER
    if _CLASSIFIER is None:
        _CLASSIFIER = Classifier()
    return _CLASSIFIER
