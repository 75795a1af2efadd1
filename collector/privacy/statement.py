"""A privacy statement generated from a site's real settings, in English and Norwegian
Bokmål: text a site can paste into its privacy policy, true because it is derived from
the configuration (``GET /privacy/{site}``, ``?lang=nb``, ``?format=text``)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from collector.model import Site
from collector.rollups.runner import raw_retention_days
from collector.settings import Settings
from collector.web.apiutil import json_response
from collector.web.ids import parse_id
from collector.web.services import services

LANGUAGES = ("en", "nb")
_OCTETS = {
    "en": {
        1: "the last part of an IPv4 address is",
        2: "the last two parts of an IPv4 address are",
        3: "the last three parts of an IPv4 address are",
    },
    "nb": {1: "den siste delen", 2: "de to siste delene", 3: "de tre siste delene"},
}
_V6_BITS = {1: 64, 2: 48, 3: 24}


@dataclass(frozen=True)
class Facts:
    """Everything the statement says, from settings."""

    site_name: str
    mask_bytes: int
    honour_dnt: bool
    honour_gpc: bool
    raw_days: int
    aggregate_months: int
    kept_query_keys: tuple[str, ...]
    consent_required: bool = False
    collect_country: bool = False  # the country derived from the shortened address

    @property
    def signals(self) -> list[str]:
        pairs = (("Do Not Track", self.honour_dnt), ("Global Privacy Control", self.honour_gpc))
        return [name for name, on in pairs if on]


def facts(site: Site, settings: Settings) -> Facts:
    return Facts(
        site_name=site.name,
        mask_bytes=settings.ip_mask_bytes,
        honour_dnt=site.settings.honour_dnt,
        honour_gpc=site.settings.honour_gpc,
        raw_days=raw_retention_days(site, settings),
        aggregate_months=site.settings.aggregate_retention_months,
        kept_query_keys=site.settings.allowed_query_keys,
        consent_required=site.settings.consent_mode == "consent_required",
        collect_country=site.settings.collect_country,
    )


def _en(f: Facts) -> list[tuple[str, str]]:
    signals = f.signals
    keys = ", ".join(f.kept_query_keys)
    return [
        (
            "Usage statistics",
            f"{f.site_name} counts visits with a self-hosted, cookie-less analytics "
            "collector. No third party receives any of this data.",
        ),
        (
            "What is collected",
            "The page address (without query string, except campaign tags such as "
            "utm_source" + (f" and the parameters {keys}" if keys else "") + "), the page title, the "
            "referring site (host and path only), the browser and its major version, the operating "
            "system, the device type, a screen size class, the primary browser language, and "
            "interactions such as clicks on outgoing links and downloads. E-mail addresses and "
            "long codes in addresses and titles are removed before storage."
            + (
                " The country is derived from the shortened address (never a town or region), "
                "and only where nearly all of that shortened address's range lies in one country."
                if f.collect_country
                else ""
            ),
        ),
        (
            "What is not collected",
            "No cookies are set and none are read. Your full IP address is "
            "never stored: " + _OCTETS["en"][f.mask_bytes] + " "
            f"removed (IPv6: only the first {_V6_BITS[f.mask_bytes]} bits are kept) before anything "
            "else happens, and even the shortened address is not stored. No user ids, no full "
            "referrer URLs, no raw browser identification strings.",
        ),
        (
            "Counting visitors",
            "A visitor is recognised for one day at most, by a one-way keyed hash "
            "of the shortened IP address, the browser identification and language, and a random "
            "key per day that is destroyed 48 hours after it was made. Visits cannot be linked "
            "across days.",
        ),
        (
            "Consent",
            "Your visits are counted only after you have given your consent, and not before."
            if f.consent_required
            else "Nothing is stored on your device and no visitor "
            "can be followed from one day to the next, so counting does not ask for your consent; "
            "you can still say no, as described below.",
        ),
        (
            "Your choices",
            (
                "Requests from browsers that send " + " or ".join(signals) + " are not stored. "
                if signals
                else ""
            )
            + "You can opt out in your account settings (this applies "
            "on every device where you are logged in) or on this device, and nothing of your visits "
            "is stored from then on.",
        ),
        (
            "Retention",
            f"Individual page views are deleted after {f.raw_days} days. Daily totals, "
            "which contain no data about individual visitors, are "
            + (f"deleted after {f.aggregate_months} months." if f.aggregate_months else "kept."),
        ),
    ]


def _nb(f: Facts) -> list[tuple[str, str]]:
    signals = f.signals
    keys = ", ".join(f.kept_query_keys)
    return [
        (
            "Bruksstatistikk",
            f"{f.site_name} teller besøk med et selvdrevet analyseverktøy uten "
            "informasjonskapsler. Ingen tredjepart mottar disse dataene.",
        ),
        (
            "Hva som samles inn",
            "Sideadressen (uten spørreparametere, unntatt kampanjemerker som "
            "utm_source" + (f" og parameterne {keys}" if keys else "") + "), sidetittelen, den "
            "henvisende siden (kun vertsnavn og sti), nettleser og hovedversjon, operativsystem, "
            "enhetstype, en skjermstørrelsesklasse, nettleserens hovedspråk, og handlinger som klikk "
            "på utgående lenker og nedlastinger. E-postadresser og lange koder i adresser og titler "
            "fjernes før lagring."
            + (
                " Landet utledes fra den forkortede adressen (aldri by eller region), og bare der "
                "nesten hele adresseområdet den forkortede adressen står for, ligger i ett land."
                if f.collect_country
                else ""
            ),
        ),
        (
            "Hva som ikke samles inn",
            "Ingen informasjonskapsler settes eller leses. Den fullstendige "
            "IP-adressen din lagres aldri: " + _OCTETS["nb"][f.mask_bytes] + " av en "
            f"IPv4-adresse fjernes (IPv6: bare de første {_V6_BITS[f.mask_bytes]} bitene beholdes) før "
            "noe annet skjer, og selv den forkortede adressen lagres ikke. Ingen bruker-ID-er, ingen "
            "fullstendige henvisningsadresser, ingen rå nettleseridentifikasjon.",
        ),
        (
            "Telling av besøkende",
            "En besøkende gjenkjennes i høyst ett døgn, ved en enveis nøkkelbasert "
            "hash av den forkortede IP-adressen, nettleseridentifikasjonen og språket, og en tilfeldig "
            "nøkkel per dag som slettes 48 timer etter at den ble laget. Besøk kan ikke kobles sammen på "
            "tvers av dager.",
        ),
        (
            "Samtykke",
            "Besøkene dine telles først etter at du har gitt samtykke, og ikke før."
            if f.consent_required
            else "Ingenting lagres på enheten din, og ingen besøkende kan følges "
            "fra én dag til den neste, så tellingen ber ikke om samtykke; du kan likevel si nei, som "
            "beskrevet nedenfor.",
        ),
        (
            "Dine valg",
            (
                "Forespørsler fra nettlesere som sender " + " eller ".join(signals) + " lagres ikke. "
                if signals
                else ""
            )
            + "Du kan reservere deg i kontoinnstillingene dine (gjelder "
            "alle enheter der du er logget inn) eller på denne enheten, og da lagres ingenting om "
            "besøkene dine fra da av.",
        ),
        (
            "Lagringstid",
            f"Enkeltvise sidevisninger slettes etter {f.raw_days} dager. Daglige "
            "summer, som ikke inneholder data om enkeltbesøkende, "
            + (f"slettes etter {f.aggregate_months} måneder." if f.aggregate_months else "beholdes."),
        ),
    ]


def sections(f: Facts, lang: str) -> list[tuple[str, str]]:
    return _nb(f) if lang == "nb" else _en(f)


def as_text(parts: list[tuple[str, str]]) -> str:
    return "\n\n".join(f"{title}\n{body}" for title, body in parts) + "\n"


def as_html(parts: list[tuple[str, str]], lang: str) -> str:
    body = "\n".join(f"<h2>{html.escape(t)}</h2>\n<p>{html.escape(b)}</p>" for t, b in parts)
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(parts[0][0])}</title></head>\n<body>\n{body}\n</body></html>\n"
    )


async def statement(request: Request) -> Response:
    site_id = parse_id(request.path_params["site_id"])
    site: Site | None = await services(request).store.get_site(site_id) if site_id is not None else None
    if site is None:
        return json_response({"error": "not found", "detail": "no such site"}, 404)
    lang = request.query_params.get("lang", "en")
    if lang not in LANGUAGES:
        return json_response({"error": "bad request", "detail": "lang must be en or nb"}, 400)
    parts = sections(facts(site, services(request).settings), lang)
    if request.query_params.get("format") == "text":
        return PlainTextResponse(as_text(parts))
    return HTMLResponse(as_html(parts, lang), headers={"Content-Security-Policy": "default-src 'none'"})
