"""What each `collector` subcommand does (the parser is in cli.py)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import secrets
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson

from collector import native
from collector import site_settings as site_changes
from collector.auth.passwords import hash_password
from collector.auth.tokens import new_token, token_hash
from collector.clock import system_clock
from collector.model import Site
from collector.rollups.maintenance import purge_aggregates, purge_raw_events
from collector.settings import Settings
from collector.storage import open_store
from collector.storage.base import Store
from collector.storage.urls import PostgresUrl


class CliError(Exception):
    """A user error: printed without a traceback, exit status 2."""


def with_store(settings: Settings, work: Callable[[Store], Awaitable[int]]) -> int:
    async def runner() -> int:
        store = open_store(settings)
        await store.open()
        try:
            await store.migrate()
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(runner())


def _check_timezone(name: str) -> str:
    try:
        return site_changes.check_timezone(name)
    except site_changes.SiteChangeError as exc:
        raise CliError(str(exc)) from exc


def _site_dict(site: Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "name": site.name,
        "domains": list(site.domains),
        "timezone": site.timezone,
        "settings": dataclasses.asdict(site.settings),
    }


async def get_site(store: Store, site_id: int) -> Site:
    site = await store.get_site(site_id)
    if site is None:
        raise CliError(f"no site with id {site_id}")
    return site


# -- commands -------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    settings = dataclasses.replace(
        settings,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers or settings.workers,
    )
    with_store(settings, lambda store: _return(0))  # migrate before workers start
    print(
        f"collector listening on http://{settings.host}:{settings.port}; {native.summary()}", file=sys.stderr
    )
    uvicorn.run(
        "collector.app:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=False,
        log_config=None,
        proxy_headers=False,
        server_header=False,
        # Slow clients: an idle connection is closed keep_alive_s after its last reply, and
        # past max_connections open ones a request gets a 503 and its connection is closed,
        # so clients that send requests are shed before the worker runs out of descriptors.
        # uvicorn still accepts every connection and has no timer for a request's headers
        # (nor for a connection that sends nothing): the front proxy bounds those (README,
        # "Behind a reverse proxy").
        timeout_keep_alive=settings.keep_alive_s,
        timeout_graceful_shutdown=settings.shutdown_timeout_s,
        limit_concurrency=connection_limit(settings.max_connections),
        # h11 only: httptools, which uvicorn[standard] installs and prefers, has no limit
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )
    return 0


MAX_HEADER_BYTES = 16 * 1024  # a request line and headers, as h11's default
MIN_SPARE_FDS = 64


def connection_limit(configured: int, nofile: int | None = None) -> int | None:
    """``configured``, or (0) the soft open-file limit less a tenth, at least
    ``MIN_SPARE_FDS``, for what else a worker opens: the listening socket, the database
    and its WAL files, the writer process's pipes, the log. None when there is no limit."""
    import resource

    if configured:
        return configured
    if nofile is None:
        nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if nofile == resource.RLIM_INFINITY or nofile <= 0:
        return None
    return max(1, nofile - max(MIN_SPARE_FDS, nofile // 10))


async def _return(value: int) -> int:
    return value


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    async def work(store: Store) -> int:
        parsed = settings.database_url
        where = (
            f"PostgreSQL at {parsed.where}"
            if isinstance(parsed, PostgresUrl)
            else f"database at {parsed.path}"
        )
        print(f"{where} is up to date")
        return 0

    return with_store(settings, work)


def cmd_site_add(args: argparse.Namespace, settings: Settings) -> int:
    timezone = _check_timezone(args.timezone)
    domains = [d.strip().lower() for d in args.domain if d.strip()]

    async def work(store: Store) -> int:
        site = await store.add_site(args.name, domains, timezone, system_clock())
        print(site.id)
        return 0

    return with_store(settings, work)


def cmd_site_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(store: Store) -> int:
        for site in await store.list_sites():
            print(f"{site.id}\t{site.name}\t{','.join(site.domains)}\t{site.timezone}")
        return 0

    return with_store(settings, work)


def cmd_site_show(args: argparse.Namespace, settings: Settings) -> int:
    async def work(store: Store) -> int:
        site = await get_site(store, args.id)
        print(orjson.dumps(_site_dict(site), option=orjson.OPT_INDENT_2).decode())
        return 0

    return with_store(settings, work)


def apply_site_changes(site: Site, pairs: Sequence[str]) -> Site:
    """``KEY=VALUE`` pairs → a changed site (name, domains, timezone or a site setting)."""
    try:
        return site_changes.apply_changes(site, site_changes.split_pairs(pairs))
    except site_changes.SiteChangeError as exc:
        raise CliError(str(exc)) from exc


def cmd_site_set(args: argparse.Namespace, settings: Settings) -> int:
    async def work(store: Store) -> int:
        site = apply_site_changes(await get_site(store, args.id), args.pairs)
        await store.update_site(site.id, site.name, site.domains, site.timezone, site.settings)
        await store.audit("cli", "site.set", orjson.dumps(args.pairs).decode(), system_clock())
        print(orjson.dumps(_site_dict(site), option=orjson.OPT_INDENT_2).decode())
        return 0

    return with_store(settings, work)


def _read_password(from_stdin: bool) -> str:
    password = sys.stdin.readline().rstrip("\n") if from_stdin else getpass.getpass("password: ")
    if len(password) < 8:
        raise CliError("the password needs at least 8 characters")
    return password


def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    password = _read_password(args.password_stdin)

    async def work(store: Store) -> int:
        if await store.get_user(args.name) is not None:
            raise CliError(f"user {args.name!r} exists")
        await store.add_user(args.name, hash_password(password), args.admin, system_clock())
        await store.audit("cli", "user.add", orjson.dumps({"name": args.name}).decode(), system_clock())
        print(f"user {args.name} added")
        return 0

    return with_store(settings, work)


def cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    async def work(store: Store) -> int:
        await get_site(store, args.site)
        token = new_token()
        await store.add_token(token_hash(token), args.site, args.scope, args.label, system_clock())
        await store.audit(
            "cli",
            "token.create",
            orjson.dumps({"site": args.site, "scope": args.scope}).decode(),
            system_clock(),
        )
        print(token)
        return 0

    return with_store(settings, work)


def cmd_rollup(args: argparse.Namespace, settings: Settings) -> int:
    from collector.rollups.runner import rollup

    if args.day is not None:
        try:
            date.fromisoformat(args.day)
        except ValueError as exc:
            raise CliError(f"--day must be YYYY-MM-DD, not {args.day!r}") from exc

    async def work(store: Store) -> int:
        if args.site is not None:
            await get_site(store, args.site)
        done = await rollup(store, settings, system_clock, args.site, args.day)
        print(f"rolled up {len(done)} site-days" + "".join(f"\n{s}\t{d}" for s, d in done))
        return 0

    return with_store(settings, work)


def cmd_optout_import(args: argparse.Namespace, settings: Settings) -> int:
    from collector.optout.api import parse_user_refs
    from collector.optout.keyed import user_ref_hash
    from collector.web.apiutil import ApiError

    try:
        body = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
        refs = parse_user_refs(body, "application/json" if args.file.endswith(".json") else "text/csv")
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from exc
    except ApiError as exc:
        raise CliError(str(exc.detail)) from exc

    async def work(store: Store) -> int:
        site = await get_site(store, args.site)
        hashes = sorted({user_ref_hash(site.secret, r) for r in refs})
        added = await store.add_optouts(site.id, hashes, system_clock())
        print(f"read {len(refs)} user references; {added} newly opted out")
        return 0

    return with_store(settings, work)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from collector.privacy import export
    from collector.stats.period import PeriodError, parse_period

    async def work(store: Store) -> int:
        site = await get_site(store, args.site)
        today = datetime.fromtimestamp(system_clock(), site.tz).date()
        try:
            period = parse_period(args.date_from, args.date_to, today)
        except PeriodError as exc:
            raise CliError(str(exc).replace("`from`", "--from").replace("`to`", "--to")) from exc
        data = await export.collect(store.stats(), site, period)
        payload = export.as_json(data) if args.format == "json" else export.as_zip(data)
        if args.output == "-":
            sys.stdout.buffer.write(payload)
        else:
            Path(args.output).write_bytes(payload)
            print(f"wrote {len(payload)} bytes to {args.output}", file=sys.stderr)
        await store.audit(
            "cli",
            "export",
            orjson.dumps({"site": site.id, "from": str(period.start), "to": str(period.end)}).decode(),
            system_clock(),
        )
        return 0

    return with_store(settings, work)


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    from collector.ingest.visitor import SaltRing

    async def work(store: Store) -> int:
        events = await purge_raw_events(store, settings, system_clock)
        aggregates = await purge_aggregates(store, system_clock)
        salts = await SaltRing(store).purge(system_clock())
        audit = await store.purge_audit(system_clock() - settings.audit_retention_days * 86400)
        print(
            f"deleted {events} raw events and {aggregates} daily rows past retention, "
            f"{salts} old salts and {audit} audit entries"
        )
        return 0

    return with_store(settings, work)


def cmd_bootstrap(args: argparse.Namespace, settings: Settings) -> int:
    """What ``make run`` does first: a demo site and an admin, each only once."""

    async def work(store: Store) -> int:
        if not await store.list_sites():
            site = await store.add_site(
                "Demo site", ["localhost", "127.0.0.1", "demo.example"], "UTC", system_clock()
            )
            print(f"created demo site {site.id} (domains localhost, 127.0.0.1, demo.example)")
        if await store.get_user("admin") is None:
            password = secrets.token_urlsafe(12)
            await store.add_user("admin", hash_password(password), True, system_clock())
            print(f"created user 'admin' with password: {password}  (shown once; keep it)")
        return 0

    return with_store(settings, work)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from collector.demo.traffic import run_demo

    async def work(store: Store) -> int:
        await get_site(store, args.site)
        counts = await run_demo(
            store, settings, args.site, days=args.days, visits_per_day=args.visits, seed=args.seed
        )
        print(", ".join(f"{k}: {v}" for k, v in counts.items()))
        return 0

    return with_store(settings, work)
