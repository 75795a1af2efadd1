"""The opt-out widget script, Matomo's optOutJS script and the /demo/ site, over ASGI:
content types, caching, parameter validation, escaping, languages, the demo backend."""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
from pathlib import Path

import httpx
import pytest

from collector.app import create_app
from collector.clock import FrozenClock
from collector.demo.site import is_demo_domain
from collector.model import Site
from collector.optout import matomo_js as optout_js
from collector.optout.keyed import user_ref_hash
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from tests.conftest import BROWSER_HEADERS

OPT_OUT_JS = "/index.php"
BASE = {"module": "CoreAdminHome", "action": "optOutJS"}


def settings_of(script: str) -> dict[str, object]:
    """The JSON the script was given (the argument of its final call)."""
    match = re.search(r"\}\)\((\{.*\})\);\s*$", script, re.S)
    assert match, script[-300:]
    return json.loads(match.group(1))  # type: ignore[no-any-return]


# -- /js/optout-widget.js -----------------------------------------------------------------
async def test_the_widget_script_is_served_as_cacheable_javascript(client: httpx.AsyncClient) -> None:
    reply = await client.get("/js/optout-widget.js", headers={"Accept-Encoding": "identity"})
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/javascript; charset=utf-8"
    assert reply.headers["cache-control"] == "public, max-age=3600"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in reply.headers
    assert "data-collector-optout" in reply.text and "role" in reply.text
    assert "document.cookie" not in reply.text and "innerHTML" not in reply.text
    again = await client.get(
        "/js/optout-widget.js",
        headers={"If-None-Match": reply.headers["etag"], "Accept-Encoding": "identity"},
    )
    assert again.status_code == 304


async def test_the_widget_script_is_gzipped_when_accepted(client: httpx.AsyncClient) -> None:
    reply = await client.get("/js/optout-widget.js", headers={"Accept-Encoding": "gzip"})
    assert reply.headers["content-encoding"] == "gzip"
    plain = await client.get("/js/optout-widget.js", headers={"Accept-Encoding": "identity"})
    assert reply.content == plain.content  # httpx decodes
    assert int(reply.headers["content-length"]) == len(gzip.compress(plain.content, 9, mtime=0))


async def test_the_widget_has_english_and_norwegian_texts(client: httpx.AsyncClient) -> None:
    text = (await client.get("/js/optout-widget.js")).text
    assert "Include my visits in usage statistics" in text
    assert "Ta med besøkene mine i bruksstatistikken" in text


# -- optOutJS -----------------------------------------------------------------------------
async def test_opt_out_js_defaults(client: httpx.AsyncClient) -> None:
    reply = await client.get(OPT_OUT_JS, params=BASE)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/javascript; charset=utf-8"
    assert reply.headers["cache-control"] == "public, max-age=3600"
    assert "accept-language" in reply.headers["vary"].lower()
    assert "set-cookie" not in reply.headers
    settings = settings_of(reply.text)
    assert settings["divId"] == "matomo-opt-out" and settings["showIntro"] is True
    texts = settings["texts"]
    assert isinstance(texts, dict)
    assert texts["notOptedOut"] == "You are not opted out. Uncheck this box to opt-out."
    assert "optUserOut" in reply.text and "forgetUserOptOut" in reply.text
    assert "document.cookie" not in reply.text and "innerHTML" not in reply.text


async def test_opt_out_js_parameters(client: httpx.AsyncClient) -> None:
    reply = await client.get(
        OPT_OUT_JS,
        params={
            **BASE,
            "divId": "my-optout",
            "language": "nb",
            "backgroundColor": "FFF",
            "fontColor": "1d232b",
            "fontSize": "1.2em",
            "fontFamily": "'Helvetica Neue', Arial, sans-serif",
            "showIntro": "0",
        },
    )
    assert reply.status_code == 200
    settings = settings_of(reply.text)
    assert settings["divId"] == "my-optout" and settings["showIntro"] is False
    assert settings["style"] == {
        "backgroundColor": "#FFF",
        "color": "#1d232b",
        "fontSize": "1.2em",
        "fontFamily": "'Helvetica Neue', Arial, sans-serif",
    }
    assert settings["texts"] == optout_js.TEXTS["nb"]


@pytest.mark.parametrize(
    ("language", "accept", "expected"),
    [
        ("en", "nb", "en"),
        ("nb", "", "nb"),
        ("nb-NO", "", "nb"),
        ("no", "", "nb"),
        ("nn", "", "nb"),
        ("fr", "nb", "en"),  # an unsupported language falls back to English
        ("xx-<script>", "", "en"),
        ("auto", "nb-NO,nb;q=0.9,en;q=0.8", "nb"),
        ("auto", "de-DE, en;q=0.5, nb;q=0.7", "nb"),
        ("auto", "de-DE,fr;q=0.8", "en"),
        ("", "nb", "nb"),
        ("auto", "", "en"),
        ("auto", "nb;q=0, en", "en"),
        ("auto", "nb;q=bogus", "en"),
    ],
)
async def test_opt_out_js_language(
    client: httpx.AsyncClient, language: str, accept: str, expected: str
) -> None:
    reply = await client.get(
        OPT_OUT_JS, params={**BASE, "language": language}, headers={"Accept-Language": accept}
    )
    assert reply.status_code == 200
    assert settings_of(reply.text)["texts"] == optout_js.TEXTS[expected]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("backgroundColor", "#fff"),
        ("backgroundColor", "red"),
        ("backgroundColor", "ffff"),
        ("fontColor", "fff;background:url(x)"),
        ("fontColor", "12345g"),
        ("fontSize", "12"),
        ("fontSize", "12px;color:red"),
        ("fontSize", "expression(alert(1))"),
        ("fontSize", "1e3px"),
        ("fontFamily", "Arial;background:url(https://evil.example/)"),
        ("fontFamily", "</script><script>"),
        ("fontFamily", "Arial\\22"),
        ("fontFamily", "x" * 101),
        ("divId", "x" * 129),
        ("divId", "a\nb"),
    ],
)
async def test_opt_out_js_rejects_bad_parameters(client: httpx.AsyncClient, name: str, value: str) -> None:
    reply = await client.get(OPT_OUT_JS, params={**BASE, name: value})
    assert reply.status_code == 400
    assert reply.headers["content-type"] == "application/json"
    body = reply.json()
    assert body["error"] == "bad request" and name in body["detail"]
    assert value not in reply.text or value.isalnum()


@pytest.mark.parametrize(
    "div_id",
    [
        '"</script><script>alert(1)</script>',
        "');alert(1);//",
        '"}); alert(1); ({"',
        "a b & <b>",
    ],
)
async def test_hostile_div_ids_are_only_json_encoded(client: httpx.AsyncClient, div_id: str) -> None:
    reply = await client.get(OPT_OUT_JS, params={**BASE, "divId": div_id})
    assert reply.status_code == 200
    text = reply.text
    settings = settings_of(text)
    assert settings["divId"] == div_id  # the value survives, as data
    # the script is the template with one JSON value put in: nothing else changed
    assert text == optout_js.template().replace(optout_js.PLACEHOLDER, optout_js.script_json(settings))
    json_part = text[text.rindex("})(") + 3 :]
    assert "<" not in json_part and ">" not in json_part and "&" not in json_part
    assert "</script" not in text


async def test_font_family_with_quotes_is_data_not_code(client: httpx.AsyncClient) -> None:
    family = "\"Open Sans\", 'Times New Roman', serif"
    reply = await client.get(OPT_OUT_JS, params={**BASE, "fontFamily": family})
    assert reply.status_code == 200
    style = settings_of(reply.text)["style"]
    assert isinstance(style, dict) and style["fontFamily"] == family
    assert '"Open Sans"' not in reply.text  # the double quotes arrive escaped


async def test_other_index_php_requests_still_get_400(client: httpx.AsyncClient) -> None:
    reply = await client.get("/index.php?module=CoreAdminHome&action=optOut")
    assert reply.status_code == 400


def test_script_json_escapes_what_could_end_a_script() -> None:
    text = optout_js.script_json({"a": "</script>&\u2028\u2029"})
    assert text == '{"a":"\\u003c/script\\u003e\\u0026\\u2028\\u2029"}'
    assert json.loads(text) == {"a": "</script>&\u2028\u2029"}


# -- /demo/ -------------------------------------------------------------------------------
@pytest.fixture
async def demo_site(store: SqliteStore, clock: FrozenClock) -> Site:
    """What `collector bootstrap` makes."""
    return await store.add_site("Demo site", ["localhost", "127.0.0.1", "demo.example"], "UTC", clock())


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("/demo/", "Welcome to the demo shop"),
        ("/demo/blog.html", "Why we count visits without cookies"),
        ("/demo/pricing.html", "price-list.csv"),
        ("/demo/app/", "data-route"),
        ("/demo/app/features", "data-route"),
        ("/demo/account.html", "data-collector-optout"),
    ],
)
async def test_demo_pages(client: httpx.AsyncClient, path: str, needle: str) -> None:
    reply = await client.get(path)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert needle in reply.text
    assert "_paq.push(['setSiteId', '1'])" in reply.text and "matomo.js" in reply.text
    assert not re.search(r"\son[a-z]+=", reply.text), "no inline event handlers"
    assert "set-cookie" not in reply.headers


async def test_demo_assets_and_download(client: httpx.AsyncClient) -> None:
    script = await client.get("/demo/app.js")
    assert script.headers["content-type"] == "application/javascript; charset=utf-8"
    assert (await client.get("/demo/demo.css")).headers["content-type"] == "text/css; charset=utf-8"
    csv = await client.get("/demo/files/price-list.csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    for path in ("/demo/nothing.html", "/demo/../collector.sqlite3", "/demo/files/app.js"):
        assert (await client.get(path)).status_code == 404
    redirect = await client.get("/demo")
    assert redirect.status_code == 308 and redirect.headers["location"] == "/demo/"


async def test_demo_backend_applies_the_account_opt_out(
    client: httpx.AsyncClient, demo_site: Site, store: SqliteStore, db: sqlite3.Connection
) -> None:
    url = "/demo/api/optout?user=alice"

    async def dropped_as_opted_out() -> bool:  # the drop counters: the reply does not tell
        def count() -> int:
            sql = "SELECT coalesce(sum(n), 0) FROM dropped WHERE reason = 'opted_out'"
            return int(db.execute(sql).fetchone()[0])

        before = count()
        params: dict[str, str | int] = {
            "idsite": demo_site.id,
            "rec": 1,
            "uid": "alice",
            "url": "http://localhost/demo/",
        }
        beacon = await client.get("/matomo.php", headers=BROWSER_HEADERS, params=params)
        assert beacon.status_code == 200
        return count() == before + 1

    assert (await client.get(url)).json() == {"opted_out": False}
    assert (await client.put(url)).json() == {"opted_out": True}
    assert await store.has_optout(demo_site.id, user_ref_hash(demo_site.secret, "alice"))
    assert (await client.get(url)).json() == {"opted_out": True}
    assert await dropped_as_opted_out()
    assert (await client.delete(url)).json() == {"opted_out": False}
    assert not await dropped_as_opted_out()


async def test_demo_backend_refusals(
    client: httpx.AsyncClient, store: SqliteStore, clock: FrozenClock
) -> None:
    assert (await client.get("/demo/api/optout?user=alice")).status_code == 404  # no site 1 yet
    await store.add_site("A real website", ["shop.example"], "UTC", clock())
    assert (await client.put("/demo/api/optout?user=alice")).status_code == 403  # not the demo's
    assert (await client.put("/demo/api/optout")).status_code == 400
    assert (await client.put("/demo/api/optout", params={"user": "x" * 257})).status_code == 400
    assert (await client.post("/demo/api/optout?user=alice")).status_code == 405


async def test_the_demo_backend_goes_by_site_1_not_by_the_host_header(
    client: httpx.AsyncClient, store: SqliteStore, clock: FrozenClock
) -> None:
    """The client names the Host: a real site 1 is refused whatever it says, the demo's own
    site 1 answers whatever it says."""
    real = await store.add_site("A real website", ["shop.example", "localhost"], "UTC", clock())
    for host in ("shop.example", "www.shop.example", "localhost"):
        reply = await client.put("/demo/api/optout?user=alice", headers={"Host": host})
        assert reply.status_code == 403, host
        assert "site 1 is the demo's" in reply.json()["detail"]
    assert not await store.has_optout(real.id, user_ref_hash(real.secret, "alice"))
    demo = ["localhost", "127.0.0.1", "[::1]", "demo.example"]
    await store.update_site(real.id, real.name, demo, real.timezone, real.settings)
    for host in ("192.168.1.20:8000", "shop.example"):
        reply = await client.put("/demo/api/optout?user=alice", headers={"Host": host})
        assert reply.status_code == 200 and reply.json() == {"opted_out": True}, host


def test_demo_domains() -> None:
    assert all(map(is_demo_domain, ["localhost", "app.localhost", "127.0.0.1", "127.1.2.3", "::1"]))
    assert all(map(is_demo_domain, ["[::1]", "demo.example", "LOCALHOST."]))
    assert not any(map(is_demo_domain, ["shop.example", "example.com", "localhost.shop", "10.0.0.1"]))
    assert not any(map(is_demo_domain, ["", "evil-localhost", "demo.example.com"]))


async def test_the_demo_is_not_served_unless_turned_on(tmp_path: Path) -> None:
    settings = Settings(database=f"sqlite:///{tmp_path}/c.sqlite3", access_log=False, secret_key="k")
    assert settings.demo is False
    app = create_app(settings, clock=FrozenClock(0), run_maintenance=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for path in ("/demo", "/demo/", "/demo/account.html", "/demo/api/optout?user=x"):
                assert (await client.get(path)).status_code == 404, path
            assert (await client.put("/demo/api/optout?user=x")).status_code == 404
