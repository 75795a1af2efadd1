"""Matomo's JavaScript opt-out: ``/index.php?module=CoreAdminHome&action=optOutJS``.

Sites that embed Matomo's opt-out (``<div id="matomo-opt-out"></div><script
src=".../index.php?module=CoreAdminHome&action=optOutJS&divId=matomo-opt-out&language=auto
&showIntro=1"></script>``) keep working: the script renders the same checkbox into the
element with id ``divId``, in English or Norwegian Bokmål (``language``, ``auto`` = the
browser's ``Accept-Language``, anything else falls back to English), styled by
``backgroundColor``, ``fontColor`` (hex without ``#``), ``fontSize`` (``12px``, ``1.2em``…)
and ``fontFamily``. The choice is kept by the tracker (``optUserOut``/``forgetUserOptOut``:
one localStorage key, never a cookie, unlike Matomo's ``mtm_consent_removed``).

Parameters are validated as Matomo does (a bad one is a 400, not silently reflected), and
the script gets them only as one JSON value with ``<``, ``>``, ``&`` and the JavaScript line
separators escaped, so no input can end a string or the script."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from collector.web.apiutil import json_response
from collector.web.tracker import read_static

TEMPLATE = "optout-matomo.js"
PLACEHOLDER = "__SETTINGS__"
MEDIA_TYPE = "application/javascript; charset=utf-8"
CACHE_CONTROL = "public, max-age=3600"
DEFAULT_DIV = "matomo-opt-out"
MAX_DIV_ID = 128

HEX_COLOR = re.compile(r"[0-9a-fA-F]{3}|[0-9a-fA-F]{6}")
FONT_SIZE = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3})?(px|pt|em|rem|%)")
FONT_FAMILY = re.compile(r"[A-Za-z0-9 ,'\"-]{1,100}")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "intro": "This website counts visits without cookies and without storing your IP address. "
        "You may choose not to have your visits counted at all.",
        "optedOutIntro": "Your visits to this website are not counted. The choice is kept in this "
        "browser only (no cookie): clearing this site's data undoes it.",
        "notOptedOut": "You are not opted out. Uncheck this box to opt-out.",
        "optedOut": "You are currently opted out. Check this box to opt-in.",
    },
    "nb": {
        "intro": "Dette nettstedet teller besøk uten informasjonskapsler og uten å lagre IP-adressen "
        "din. Du kan velge at besøkene dine ikke skal telles i det hele tatt.",
        "optedOutIntro": "Besøkene dine på dette nettstedet telles ikke. Valget er lagret bare i denne "
        "nettleseren (ingen informasjonskapsel): sletter du nettstedets data, "
        "oppheves det.",
        "notOptedOut": "Besøkene dine telles. Fjern haken for å reservere deg.",
        "optedOut": "Du har reservert deg. Sett en hake for å bli telt igjen.",
    },
}
ALIASES = {"no": "nb", "nn": "nb"}


class BadParameter(ValueError):
    pass


def pick_language(wanted: str, accept_language: str) -> str:
    """``en`` or ``nb``: the ``language`` parameter, or for ``auto`` (or none) the first
    supported entry of ``Accept-Language``; English when nothing matches."""
    if wanted and wanted.lower() != "auto":
        candidates = [wanted]
    else:
        ranked = []
        for position, item in enumerate(accept_language.split(",")):
            tag, _, params = item.strip().partition(";")
            try:
                quality = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
            except ValueError:
                quality = 0.0
            if tag and quality > 0:
                ranked.append((-quality, position, tag))
        candidates = [tag for _, _, tag in sorted(ranked)]
    for candidate in candidates:
        base = candidate.strip().lower().replace("_", "-").split("-")[0]
        code = ALIASES.get(base, base)
        if code in TEXTS:
            return code
    return "en"


def _checked(params: dict[str, str], name: str, pattern: re.Pattern[str], example: str) -> str | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    if not pattern.fullmatch(value):
        raise BadParameter(f"{name} is not valid; expected for example {example}")
    return value


def settings_for(params: dict[str, str], accept_language: str) -> dict[str, Any]:
    """The script's settings from the query, validated (``BadParameter`` names the culprit)."""
    div_id = params.get("divId", "").strip() or DEFAULT_DIV
    if len(div_id) > MAX_DIV_ID or not div_id.isprintable():
        raise BadParameter(f"divId must be 1 to {MAX_DIV_ID} printable characters")
    background = _checked(params, "backgroundColor", HEX_COLOR, "'ffffff' or 'fff'")
    color = _checked(params, "fontColor", HEX_COLOR, "'000000' or '000'")
    show_intro = params.get("showIntro", "1").strip().lower() not in ("0", "false", "no")
    return {
        "divId": div_id,
        "showIntro": show_intro,
        "texts": TEXTS[pick_language(params.get("language", ""), accept_language)],
        "style": {
            "backgroundColor": f"#{background}" if background else None,
            "color": f"#{color}" if color else None,
            "fontSize": _checked(params, "fontSize", FONT_SIZE, "'15pt', '1.2em' or '13px'"),
            "fontFamily": _checked(params, "fontFamily", FONT_FAMILY, "'sans-serif' or 'Monaco, monospace'"),
        },
    }


def script_json(value: Any) -> str:
    """JSON that is safe anywhere in a script, even inside an HTML ``<script>`` element."""
    text = orjson.dumps(value).decode()
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


@cache
def template() -> str:
    text = read_static(TEMPLATE).decode("utf-8")
    assert text.count(PLACEHOLDER) == 1, "the opt-out template needs exactly one placeholder"
    return text


async def opt_out_js(request: Request) -> Response:
    try:
        settings = settings_for(dict(request.query_params), request.headers.get("accept-language", ""))
    except BadParameter as exc:
        return json_response({"error": "bad request", "detail": str(exc)}, 400)
    body = template().replace(PLACEHOLDER, script_json(settings))
    return Response(
        body,
        media_type=MEDIA_TYPE,
        headers={
            "Cache-Control": CACHE_CONTROL,
            "Vary": "Accept-Language",
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "cross-origin",
            "Access-Control-Allow-Origin": "*",
        },
    )
