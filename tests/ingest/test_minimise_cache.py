"""The memoised minimisation gives what the plain functions give: the pipeline reads a
page's path and campaign through ``page_fields`` + ``with_referral`` (cached) where it used
to call ``clean_path`` and ``campaign`` on every beacon."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.ingest.minimise import (
    campaign,
    clean_path,
    clean_title,
    page_fields,
    primary_language,
    referrer,
    screen_class,
    split_url,
    with_referral,
)

keys = st.sampled_from(
    [
        "utm_source",
        "UTM_Medium",
        "utm_campaign",
        "mtm_campaign",
        "mtm_kwd",
        "pk_cpn",
        "pk_kwd",
        "utm_term",
        "utm_content",
        "mtm_content",
        "ref",
        "q",
        "page",
        "Ref",
        "matomo_campaign",
        "piwik_kwd",
        "email",
    ]
)
values = st.one_of(
    st.text(max_size=12), st.sampled_from(["", "undefined", "x@y.example", "spring sale", "%41", "a+b"])
)
hosts = st.sampled_from(["shop.example", "www.google.com", "SHOP.example.", "", "[::1]"])
paths = st.one_of(st.text(max_size=20), st.sampled_from(["/", "/p/1", "/a%20b", "/x@y.example/z"]))


@st.composite
def urls(draw: st.DrawFn) -> str:
    pairs = draw(st.lists(st.tuples(keys, values), max_size=5))
    query = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)
    scheme = draw(st.sampled_from(["https://", "http://", "//", ""]))
    return f"{scheme}{draw(hosts)}{draw(paths)}" + (f"?{query}" if query or draw(st.booleans()) else "")


@settings(max_examples=400, deadline=None)
@given(
    urls(),
    st.one_of(st.none(), values),
    st.one_of(st.none(), values),
    st.sampled_from([(), ("q",), ("ref", "page")]),
    st.sampled_from([(), ("ref",)]),
)
def test_page_fields_with_referral_equal_clean_path_and_campaign(
    raw: str, rcn: str | None, rck: str | None, allowed: tuple[str, ...], name_keys: tuple[str, ...]
) -> None:
    url = split_url(raw)
    assert url == split_url.__wrapped__(raw)
    if url is None:
        return
    path, found = page_fields(url, allowed, name_keys)
    assert path == clean_path(url, allowed)
    assert with_referral(found, rcn, rck) == campaign(url, rcn, rck, None, name_keys)


@given(st.one_of(st.none(), st.text(max_size=30)))
def test_the_other_cached_functions_equal_their_plain_selves(text: str | None) -> None:
    for cached in (clean_title, screen_class, primary_language):
        assert cached(text) == cached.__wrapped__(text)  # type: ignore[attr-defined]
    url = split_url(text)
    assert referrer(url, ("shop.example",)) == referrer.__wrapped__(url, ("shop.example",))
