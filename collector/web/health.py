"""Liveness, readiness (the database answers, and takes writes) and Prometheus metrics."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from collector.web.services import services


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok\n")


async def readyz(request: Request) -> Response:
    """503 when the database does not answer, or while it refuses the tracking path's
    writes (disk full, read-only, gone: for ``RETRY_AFTER_S`` after the last refusal, so a
    load balancer that stops sending traffic brings the node back to be tried again)."""
    try:
        ready = await services(request).store.ping()
    except Exception:
        ready = False
    if services(request).ingestor.store_unavailable is not None:
        ready = False
    if ready:
        return JSONResponse({"status": "ready"})
    return JSONResponse({"error": "not ready", "detail": "database unavailable"}, status_code=503)


async def metrics(request: Request) -> Response:
    return PlainTextResponse(services(request).metrics.render(), media_type="text/plain; version=0.0.4")
