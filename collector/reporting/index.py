"""``/index.php``: Matomo's one front door for everything that is not tracking.

Matomo clients reach two features through it, told apart by ``module``:

- ``module=API&method=…`` — the Reporting API subset (``collector.reporting``);
- ``module=CoreAdminHome&action=optOutJS`` — the embeddable opt-out script
  (``collector.optout.matomo_js``).

Anything else gets a plain 400 naming what is supported, never a 5xx.

``/`` is Matomo's base URL too: its log importer posts its API calls there (a form with
``module=API``). :class:`AtRoot` hands those to the Reporting API and everything else at
``/`` (the dashboard's overview, and its answer to other methods) to the dashboard as
before."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.types import Message, Receive, Scope, Send

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


def _is_api(query: bytes | str) -> bool:
    text = query.decode("latin-1") if isinstance(query, bytes) else query
    fields = parse_qsl(text, keep_blank_values=True)
    return any(name == "module" and value.lower() == "api" for name, value in fields)


class AtRoot:
    """``/``: ``module=API`` (in the query, or in a POST's form body) → the Reporting API;
    anything else → ``dashboard`` (the mount the route table ends with), unchanged. A POST
    body is read (at most ``MAX_BODY`` bytes) to tell, then replayed to whichever answers."""

    def __init__(self, dashboard: Mount) -> None:
        self.dashboard = dashboard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _is_api(scope.get("query_string", b"")):
            await self._api(scope, receive, send)
            return
        if scope["method"] != "POST":
            await self._dashboard(scope, receive, send)
            return
        messages, body, more = [], b"", True
        while more and len(body) <= MAX_BODY:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            more = message.get("more_body", False)
        replay = _replay(messages, receive)
        content_type = dict(scope.get("headers", ())).get(b"content-type", b"")
        if not more and b"multipart/" not in content_type and _is_api(body.decode("utf-8", "replace")):
            await self._api(scope, replay, send)
        else:
            await self._dashboard(scope, replay, send)

    async def _api(self, scope: Scope, receive: Receive, send: Send) -> None:
        from collector import reporting

        response = await reporting.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def _dashboard(self, scope: Scope, receive: Receive, send: Send) -> None:
        _, child = self.dashboard.matches(scope)
        await self.dashboard.handle({**scope, **child}, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` that gives the messages already read first, then the rest."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
