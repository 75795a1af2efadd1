"""``SitesManager.*`` as Matomo's log importer calls them: a POST form to the base URL
``/`` (``module=API``, ``format=json``, ``filter_limit=-1``), and ``/`` still the dashboard."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from collector.model import Site
from collector.reporting.sites import host_of
from tests.reporting.conftest import assert_error

pytestmark = pytest.mark.both_backends


async def importer_call(
    client: httpx.AsyncClient, method: str, token: str, path: str = "/", **args: Any
) -> httpx.Response:
    """The form ``import_logs.py`` posts (its ``_call_api``)."""
    form = {
        "module": "API",
        "format": "json",
        "method": method,
        "filter_limit": "-1",
        "token_auth": token,
        **args,
    }
    return await client.post(path, data=form)


async def test_get_site_from_id_gives_the_main_url(
    client: httpx.AsyncClient, site: Site, stats_token: str
) -> None:
    reply = await importer_call(client, "SitesManager.getSiteFromId", stats_token, idSite=str(site.id))
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["idsite"] == str(site.id) and body["name"] == site.name
    assert body["main_url"] == f"https://{site.domains[0]}"
    assert body["timezone"] == site.timezone


async def test_get_site_from_id_of_another_site_is_denied(
    client: httpx.AsyncClient, site: Site, other_site: Site, admin_token: str
) -> None:
    reply = await importer_call(client, "SitesManager.getSiteFromId", admin_token, idSite=str(other_site.id))
    assert_error(reply, 401)


async def test_sites_id_from_site_url_matches_the_host_only(
    client: httpx.AsyncClient, site: Site, other_site: Site, stats_token: str
) -> None:
    domain = site.domains[0]
    for url in (domain, f"www.{domain}", f"https://{domain}:8443/x", domain.upper()):
        reply = await importer_call(client, "SitesManager.getSitesIdFromSiteUrl", stats_token, url=url)
        assert reply.status_code == 200, reply.text
        assert reply.json() == [{"idsite": str(site.id)}], url
    for url in (other_site.domains[0], "unknown.example"):
        reply = await importer_call(client, "SitesManager.getSitesIdFromSiteUrl", stats_token, url=url)
        assert reply.status_code == 200 and reply.json() == [], url
    assert_error(await importer_call(client, "SitesManager.getSitesIdFromSiteUrl", stats_token, url=""), 400)


async def test_get_all_sites_needs_admin(
    client: httpx.AsyncClient, site: Site, admin_token: str, stats_token: str
) -> None:
    reply = await importer_call(client, "SitesManager.getAllSites", admin_token)
    assert reply.status_code == 200, reply.text
    assert list(reply.json()) == [str(site.id)]
    assert reply.json()[str(site.id)]["main_url"] == f"https://{site.domains[0]}"
    assert_error(await importer_call(client, "SitesManager.getAllSites", stats_token), 401)


async def test_add_site_never_creates_a_site(client: httpx.AsyncClient, site: Site, admin_token: str) -> None:
    new = await importer_call(
        client,
        "SitesManager.addSite",
        admin_token,
        siteName="new.example",
        **{"urls[0]": "http://new.example"},
    )
    assert new.status_code == 200  # Matomo's answer: the importer logs it and skips the host
    assert new.json()["result"] == "error" and "collector site add" in new.json()["message"]
    own = site.domains[0]
    same = await importer_call(
        client, "SitesManager.addSite", admin_token, siteName=own, **{"urls[0]": f"http://{own}"}
    )
    assert same.json() == {"value": site.id}


async def test_root_serves_the_api_by_get_and_post_and_keeps_the_dashboard(
    client: httpx.AsyncClient, site: Site, admin_token: str
) -> None:
    get = await client.get(
        "/", params={"module": "API", "method": "API.getMatomoVersion", "token_auth": admin_token}
    )
    assert get.status_code == 200 and get.json() == {"value": "5.0.0"}
    post = await importer_call(client, "API.getMatomoVersion", admin_token, path="//")
    assert post.status_code == 200 and post.json() == {"value": "5.0.0"}
    before = await client.get("/index.php?module=Nothing")
    assert before.status_code == 400
    dashboard = await client.get("/")
    assert dashboard.status_code in (200, 302, 303, 307) and "application/json" not in dashboard.headers.get(
        "content-type", ""
    )
    other = await client.post("/", data={"module": "Login"})
    assert other.status_code == 405  # what the dashboard's "/" answers a POST


def test_host_of_is_what_matomo_compares() -> None:
    assert host_of("http://WWW.Example.COM:80/path?q") == "example.com"
    assert host_of("example.com") == "example.com"
    assert host_of("[::1") == ""
