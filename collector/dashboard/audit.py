"""The audit log from the dashboard: who did what, from which masked address. Every
change a dashboard user makes is recorded through :func:`record`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.requests import Request

from collector.ingest.ipaddr import masked_client_ip
from collector.web.services import services


def masked_ip(request: Request) -> str:
    """The client's address, masked as tracking requests are (proxies honoured)."""
    settings = services(request).settings
    return masked_client_ip(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        settings.trusted_proxies,
        settings.ip_mask_bytes,
    )


async def record(request: Request, actor: str, action: str, detail: Mapping[str, Any]) -> None:
    await services(request).store.audit(
        actor, action, orjson.dumps(dict(detail)).decode(), services(request).clock(), masked_ip(request)
    )
