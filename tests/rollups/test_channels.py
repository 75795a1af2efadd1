"""Channels of a visit (from its first event) and pages without campaign keys."""

from __future__ import annotations

import pytest

from collector.rollups.channels import channel, is_search_engine, is_social, page


@pytest.mark.parametrize("host", [None, ""])
def test_no_referrer_and_no_campaign_is_direct(host: str | None) -> None:
    assert channel(host, None, None, None) == "direct"


@pytest.mark.parametrize(
    "host",
    [
        "google.com",
        "www.google.com",
        "google.co.uk",
        "www.google.co.uk",
        "google.de",
        "google.com.au",
        "images.google.com",
        "bing.com",
        "www.bing.com",
        "duckduckgo.com",
        "search.yahoo.com",
        "yandex.ru",
        "ecosia.org",
        "search.brave.com",
        "startpage.com",
        "qwant.com",
        "baidu.com",
        "Google.COM",
    ],
)
def test_search_engines(host: str) -> None:
    assert is_search_engine(host)
    assert channel(host, None, None, None) == "search"


@pytest.mark.parametrize(
    "host",
    [
        "t.co",
        "facebook.com",
        "m.facebook.com",
        "l.facebook.com",
        "www.facebook.com",
        "x.com",
        "twitter.com",
        "linkedin.com",
        "www.linkedin.com",
        "reddit.com",
        "old.reddit.com",
        "news.ycombinator.com",
        "youtube.com",
        "instagram.com",
        "bsky.app",
        "mastodon.social",
        "LinkedIn.com",
    ],
)
def test_social_networks(host: str) -> None:
    assert is_social(host)
    assert channel(host, None, None, None) == "social"


@pytest.mark.parametrize(
    "host",
    [
        "news.unknown-host.net",
        "blog.partner.org",
        "example.org",
        "notfacebook.com",
        "googleusercontent.com",
        "google.example.org",
        "t.com",
        "co",
        "localhost",
    ],
)
def test_other_hosts_are_referrals(host: str) -> None:
    assert not is_search_engine(host) and not is_social(host)
    assert channel(host, None, None, None) == "referral"


@pytest.mark.parametrize("medium", ["email", "Email", "EMAIL", "e-mail", "newsletter"])
def test_utm_medium_email_is_email(medium: str) -> None:
    assert channel(None, None, medium, None) == "email"
    assert channel("google.com", "news", medium, "nov") == "email"  # email wins over everything


@pytest.mark.parametrize(
    "source, medium, name",
    [
        ("partner", None, None),
        (None, "cpc", None),
        (None, None, "launch"),
        ("news", "social", "nov"),
    ],
)
def test_any_campaign_key_is_campaign_even_with_a_referrer(
    source: str | None, medium: str | None, name: str | None
) -> None:
    assert channel(None, source, medium, name) == "campaign"
    assert channel("google.com", source, medium, name) == "campaign"
    assert channel("t.co", source, medium, name) == "campaign"
    assert channel("blog.partner.org", source, medium, name) == "campaign"


def test_empty_campaign_values_are_no_campaign() -> None:
    assert channel(None, "", "", "") == "direct"
    assert channel("google.com", "", "", "") == "search"


@pytest.mark.parametrize(
    "path, expected",
    [
        (None, None),
        ("/", "/"),
        ("/pricing", "/pricing"),
        ("/pricing?utm_source=news", "/pricing"),
        ("/pricing?utm_source=news&utm_medium=email&utm_campaign=nov", "/pricing"),
        ("/p?mtm_campaign=x&pk_kwd=y&matomo_campaign=z&piwik_kwd=w", "/p"),
        ("/p?UTM_Source=news", "/p"),
        ("/p?plan=pro&utm_source=news", "/p?plan=pro"),
        ("/p?utm_source=news&plan=pro&utm_medium=email&page=2", "/p?plan=pro&page=2"),
        ("/p?plan=pro", "/p?plan=pro"),
        ("/p?utm=1&utmost=2", "/p?utm=1&utmost=2"),  # not campaign keys: no "utm_" prefix
    ],
)
def test_page_drops_campaign_keys_only(path: str | None, expected: str | None) -> None:
    assert page(path) == expected
