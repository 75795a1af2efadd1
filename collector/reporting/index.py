"""``/index.php``: Matomo's one front door for everything that is not tracking.

Matomo clients reach two features through it, told apart by ``module``:

- ``module=API&method=…`` — the Reporting API subset (``collector.reporting``);
- ``module=CoreAdminHome&action=optOutJS`` — the embeddable opt-out script
  (``collector.optout.matomo_js``).

Anything else gets a plain 400 naming what is supported, never a 5xx."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

MAX_BODY = 64 * 1024
Handler = Callable[[Request], Awaitable[Response]]


def _handlers() -> dict[tuple[str, str | None], Handler]:
    # Imported here so each feature's module stays importable on its own.
    from collector import reporting
    from collector.optout import matomo_js as optout_js

    return {
        ("api", None): reporting.handle,
        ("coreadminhome", "optoutjs"): optout_js.opt_out_js,
    }


async def _form(request: Request) -> dict[str, str]:
    """A urlencoded body's fields (the body stays cached for the handler)."""
    body = await request.body()
    if len(body) > MAX_BODY or b"multipart/" in request.headers.get("content-type", "").encode():
        return {}
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


async def index(request: Request) -> Response:
    query = request.query_params
    module, action = query.get("module", ""), query.get("action", "")
    if not module and request.method == "POST":  # Matomo clients may put everything in the body
        form = await _form(request)
        module, action = form.get("module", ""), form.get("action", "")
    module, action_or_none = module.lower(), action.lower() or None
    handlers = _handlers()
    handler = handlers.get((module, None)) or handlers.get((module, action_or_none))
    if handler is None:
        return PlainTextResponse(
            "unsupported request: /index.php serves module=API (Reporting API) and "
            "module=CoreAdminHome&action=optOutJS\n",
            status_code=400,
        )
    return await handler(request)
