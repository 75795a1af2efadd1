"""The collector's own access log, in place of uvicorn's: masked client IP, method, path
without its query string (tracking parameters never reach a log), status, duration."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from collector.ingest.ipaddr import masked_client_ip
from collector.settings import Network

log = logging.getLogger("collector.access")

# Path segments that carry a site's user reference: never logged.
_USER_REF = re.compile(r"(/optouts/)[^/]+")


class AccessLog:
    def __init__(self, app: ASGIApp, proxies: Sequence[Network], mask_bytes: int) -> None:
        self.app = app
        self.proxies = tuple(proxies)
        self.mask_bytes = mask_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            forwarded = b",".join(v for k, v in scope["headers"] if k == b"x-forwarded-for")
            client = scope.get("client")
            masked = masked_client_ip(
                client[0] if client else None,
                forwarded.decode("latin-1") or None,
                self.proxies,
                self.mask_bytes,
            )
            path = _USER_REF.sub(r"\1-", scope.get("path", "")[:200])
            path = path.encode("ascii", "backslashreplace").decode()
            log.info(
                '%s "%s %s" %d %.1fms',
                masked,
                scope.get("method", "-"),
                path,
                status,
                (time.perf_counter() - started) * 1000,
            )
