"""``create_app``: the Starlette application, with what varies injected (settings, store,
clock). The lifespan opens the store, migrates it, starts the group-commit writer and
the maintenance tasks, and drains the writer on shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from collector.clock import Clock, system_clock
from collector.dashboard.auth import make_state as dashboard_state
from collector.geo.locator import open_locator
from collector.ingest import endpoint
from collector.ingest.buffer import GroupCommitWriter
from collector.ingest.pipeline import PipelineEnv
from collector.ingest.service import Ingestor
from collector.ingest.spam import SpamList
from collector.ingest.useragent import UAParser
from collector.metrics import Metrics
from collector.rollups.maintenance import run_tasks, task_table
from collector.routes import ROUTES
from collector.secrets_file import ensure_secret_key
from collector.settings import Settings
from collector.storage import open_store
from collector.storage.base import Store
from collector.web.accesslog import AccessLog, BeaconTally, log_to_file
from collector.web.services import Lazy, Services

log = logging.getLogger("collector")


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else None
    return JSONResponse(
        {"error": _PHRASES.get(status, "error"), "detail": detail},
        status_code=status,
        headers=getattr(exc, "headers", None),
    )


async def _client_gone(request: Request, exc: Exception) -> Response:
    """The client went away mid-body: nobody to answer, nothing to log but the access line."""
    return Response(status_code=400)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled %s on %s", type(exc).__name__, request.url.path)
    return JSONResponse({"error": "internal error", "detail": None}, status_code=500)


_PHRASES = {404: "not found", 405: "method not allowed", 400: "bad request"}


class CollectorApp(Starlette):
    """Starlette with one short cut: a GET beacon (the request that comes thousands of times
    a second) goes straight to the tracking endpoint, behind only the access log when that
    is on, instead of through the two exception middlewares and the route table: ~10 µs
    less per beacon (ruled by ``collector.ingest.endpoint.beacon``, which answers anything).
    Everything else takes the usual way."""

    short_cut: ASGIApp  # set by create_app: the endpoint, or the access log around it

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("//"):
            # Matomo's importer joins `--url=http://host/` and "/piwik.php" into "//piwik.php"
            scope = {**scope, "path": "/" + scope["path"].lstrip("/")}
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] in endpoint.BEACON_PATHS:
            scope["app"] = self
            await self.short_cut(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    clock: Clock = system_clock,
    run_maintenance: bool = True,
) -> Starlette:
    settings = settings or Settings.from_env()
    store = store or open_store(settings, serving=True)
    metrics = Metrics()
    writer = GroupCommitWriter(store, metrics)
    env = PipelineEnv(
        trusted_proxies=settings.trusted_proxies,
        ip_mask_bytes=settings.ip_mask_bytes,
        ua_parser=UAParser(metrics=metrics),  # the rule lists load here, once per process
        spam=SpamList(settings.referrer_spam_file),
        geo=open_locator(settings.geo_database, settings.ip_mask_bytes),
    )
    ingestor = Ingestor(store, writer, env, clock, metrics)
    secret: list[str] = []  # the instance secret, once the lifespan has it

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.open()
        await store.migrate()
        # the session-signing key: configured, or shared by every node through the
        # database (PostgreSQL), or a file next to the database (SQLite)
        shared = None if settings.secret_key else await store.instance_secret("secret_key", clock())
        secret.append(shared or ensure_secret_key(settings.secret_key, settings.data_dir))
        store.subscribe(ingestor.changed)
        writer.start()
        tasks: asyncio.Task[None] | None = None
        if run_maintenance:
            tasks = asyncio.create_task(run_tasks(task_table(store, ingestor.salts, settings, clock)))
        try:
            yield
        finally:
            if tasks is not None:
                tasks.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await tasks
            await writer.stop()
            await store.close()
            tally.flush()

    tally = BeaconTally()
    middleware = []
    if settings.access_log:
        if settings.access_log_file:
            log_to_file(Path(settings.access_log_file))
        middleware.append(
            Middleware(
                AccessLog, proxies=settings.trusted_proxies, mask_bytes=settings.ip_mask_bytes, tally=tally
            )
        )
    app = CollectorApp(
        routes=ROUTES,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={
            HTTPException: _http_error,
            ClientDisconnect: _client_gone,
            Exception: _server_error,
        },
    )
    # No redirect to the path with or without a trailing slash: Starlette builds it from the
    # request's Host header (an open redirect); a path that is not ours is a 404.
    app.router.redirect_slashes = False
    app.short_cut = (
        AccessLog(
            endpoint.beacon, proxies=settings.trusted_proxies, mask_bytes=settings.ip_mask_bytes, tally=tally
        )
        if settings.access_log
        else endpoint.beacon
    )
    app.state.services = Services(
        settings=settings,
        store=store,
        stats=store.stats(),
        metrics=metrics,
        ingestor=ingestor,
        clock=clock,
        dashboard=Lazy(lambda: dashboard_state(settings, store, secret[-1] if secret else None)),
    )
    return app


def app_from_env() -> Starlette:
    """The factory ``collector serve`` hands to uvicorn (one per worker process)."""
    app = create_app(Settings.from_env())
    # What is alive now (modules, routes, the app) lives as long as the process: the cyclic
    # garbage collector need not scan it again in every full collection (measured: ~10% of
    # the event loop's CPU under load without this).
    gc.freeze()
    return app
