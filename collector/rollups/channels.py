"""The channel of a visit, from its first event's referrer host and campaign keys.

Order: email (``utm_medium`` says e-mail) → campaign (any campaign key) → direct (no
referrer) → search (a search engine) → social (a social network) → referral.
"""

from __future__ import annotations

from collector.ingest.minimise import is_campaign_key

EMAIL_MEDIUMS = frozenset({"email", "e-mail", "e_mail", "newsletter", "mail"})

# Search engines by the registrable part of their host; "google" matches google.com,
# google.co.uk, google.de, …
SEARCH_ENGINES = frozenset(
    {
        "google",
        "bing",
        "duckduckgo",
        "yahoo",
        "yandex",
        "baidu",
        "ecosia",
        "qwant",
        "startpage",
        "search.brave",
        "kagi",
        "naver",
        "seznam",
        "ask",
        "aol",
        "sogou",
        "so",
        "mojeek",
        "metager",
        "swisscows",
        "perplexity",
        "you",
        "presearch",
        "daum",
        "lilo",
    }
)
SOCIAL_NETWORKS = frozenset(
    {
        "facebook.com",
        "m.facebook.com",
        "l.facebook.com",
        "lm.facebook.com",
        "fb.me",
        "instagram.com",
        "l.instagram.com",
        "t.co",
        "twitter.com",
        "x.com",
        "linkedin.com",
        "lnkd.in",
        "reddit.com",
        "old.reddit.com",
        "out.reddit.com",
        "news.ycombinator.com",
        "youtube.com",
        "m.youtube.com",
        "youtu.be",
        "pinterest.com",
        "tiktok.com",
        "mastodon.social",
        "fosstodon.org",
        "hachyderm.io",
        "bsky.app",
        "threads.net",
        "tumblr.com",
        "vk.com",
        "ok.ru",
        "weibo.com",
        "telegram.org",
        "t.me",
        "web.telegram.org",
        "whatsapp.com",
        "discord.com",
        "quora.com",
        "snapchat.com",
        "xing.com",
        "lobste.rs",
    }
)
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu"})


def _names(host: str) -> tuple[str, str]:
    """``www.google.co.uk`` → (``google``, ``google``); ``search.brave.com`` →
    (``brave``, ``search.brave``): the label before the public suffix, and the two."""
    parts = host.lower().removeprefix("www.").split(".")
    if len(parts) >= 3 and parts[-2] in _SECOND_LEVEL and len(parts[-1]) == 2:
        parts = parts[:-2]
    else:
        parts = parts[:-1]
    return (parts[-1] if parts else "", ".".join(parts[-2:]))


def is_search_engine(host: str) -> bool:
    last, two = _names(host)
    return last in SEARCH_ENGINES or two in SEARCH_ENGINES


def is_social(host: str) -> bool:
    host = host.lower().removeprefix("www.")
    return host in SOCIAL_NETWORKS or any(host.endswith("." + s) for s in SOCIAL_NETWORKS)


def channel(
    referrer_host: str | None, utm_source: str | None, utm_medium: str | None, utm_campaign: str | None
) -> str:
    if utm_medium and utm_medium.lower() in EMAIL_MEDIUMS:
        return "email"
    if utm_source or utm_medium or utm_campaign:
        return "campaign"
    if not referrer_host:
        return "direct"
    if is_search_engine(referrer_host):
        return "search"
    if is_social(referrer_host):
        return "social"
    return "referral"


def page(path: str | None) -> str | None:
    """A stored path without its campaign keys (site-allowed keys stay)."""
    if path is None or "?" not in path:
        return path
    base, _, query = path.partition("?")
    kept = [p for p in query.split("&") if not is_campaign_key(p.partition("=")[0])]
    return base + "?" + "&".join(kept) if kept else base
