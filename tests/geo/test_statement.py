"""The privacy statement says the country is derived from the shortened address when the
site collects countries, in both languages, and says nothing of it when it does not."""

from __future__ import annotations

import dataclasses

import httpx

from collector.model import Site
from collector.storage.sqlite import SqliteStore

EN = "The country is derived from the shortened address"
NB = "Landet utledes fra den forkortede adressen"


async def statement(client: httpx.AsyncClient, site: Site, lang: str) -> str:
    reply = await client.get(f"/privacy/{site.id}", params={"format": "text", "lang": lang})
    assert reply.status_code == 200
    return reply.text


async def test_on_by_default_in_both_languages(client: httpx.AsyncClient, site: Site) -> None:
    assert site.settings.collect_country
    assert EN in await statement(client, site, "en")
    assert NB in await statement(client, site, "nb")


async def test_off_it_is_not_said(client: httpx.AsyncClient, site: Site, store: SqliteStore) -> None:
    quiet = dataclasses.replace(site.settings, collect_country=False)
    await store.update_site(site.id, site.name, site.domains, site.timezone, quiet)
    assert EN not in await statement(client, site, "en")
    assert NB not in await statement(client, site, "nb")
    assert "city" not in (await statement(client, site, "en")).lower()
