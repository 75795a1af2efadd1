"""Dashboard benchmark: server time of a site's dashboard page and of the JSON calls, over
the stats benchmark's year (365 days × 100,000 page views a day).

    python -m bench.dashboard [--quick] [--db PATH] [--repeat 20] [--days 365]
                              [--pageviews 100000] [--paths 10000] [--seed 7]

1. The year of daily tables is generated as ``bench.stats`` does (``bench.stats_data``), or
   ``--db PATH`` reuses a database made by ``python -m bench.stats --db PATH`` or by an
   earlier ``python -m bench.dashboard --db PATH`` (a PATH that does not exist yet is
   generated and kept). The application's clock is frozen at noon (UTC, the site's time
   zone) of the last generated day, so "last 30 days", "last 12 months" and "this year"
   end on the data's last day.
2. The real application (``collector.app.create_app``, lifespan running) is driven in this
   process through httpx's ASGI transport: no sockets, no network, no uvicorn, so what is
   timed is the server's work (routing, session lookup, reports, templates) plus a small
   constant cost of the transport, which the baseline shows. A user is added to the
   database and logs in through the login form (CSRF token and session cookie, as a
   browser does); a ``stats`` API token is added for the JSON API.
3. Timed, in interleaved rounds (each round requests every URL once, so a noisy moment
   hits all of them alike), ``--repeat`` times after one first request each:
   the site's dashboard page (HTML) for the last 30 days, the last 12 months, this year
   and a custom range over the whole generated year; the page's own JSON call (the
   realtime count it refreshes); the stats API's JSON calls for the same periods (summary,
   timeseries at the page's interval, the top-10 breakdowns of pages, entry pages,
   referrers, browsers and devices: the reports the page is made of); and two baselines
   of the same application: ``/healthz`` (a trivial route) and the login page (a template,
   a session, no data).

The target (issue 5) is a p95 under 100 ms for the page and for each JSON call. ``--quick``
is a small scale (90 days, 10,000 page views and 2,000 paths a day) that runs in seconds.
The database is a temporary file unless ``--db`` is given; with ``--db`` the benchmark
adds a user and an API token to it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bench.stats import pct
from bench.stats_data import SITE, Scale, fill_daily_tables
from collector.app import create_app
from collector.auth.passwords import hash_password
from collector.auth.tokens import new_token, token_hash
from collector.clock import FrozenClock
from collector.dashboard import periods
from collector.settings import Settings
from collector.storage.sqlite import SqliteStore
from collector.web.services import of_app

TARGET_P95_MS = 100.0
BREAKDOWNS = ("pages", "entry_pages", "referrers", "browsers", "devices")
USER = "bench"
PASSWORD = "bench dashboard password"


@dataclass
class Sample:
    name: str
    kind: str  # "page" | "json" | "baseline"
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    first_ms: float = 0.0
    ms: list[float] = field(default_factory=list)
    size: int = 0
    signed_in: bool = True  # False: asked by a browser without a session

    @property
    def p50(self) -> float:
        return statistics.median(self.ms)

    @property
    def p95(self) -> float:
        return pct(self.ms, 95)


# -- the database ---------------------------------------------------------------------------
async def generate(path: Path, scale: Scale, seed: int) -> None:
    store = SqliteStore(path)
    await store.open()
    await store.migrate()
    await store.add_site("Bench", ["bench.example"], "UTC", time.time())
    await store.close()
    t0 = time.perf_counter()
    n = fill_daily_tables(path, scale, seed)
    with sqlite3.connect(path) as conn:
        conn.execute("ANALYZE")
    print(f"generated {scale.days} days ({n:,} daily_dimension rows) in {time.perf_counter() - t0:.1f} s")


def data_range(path: Path) -> tuple[date, date, int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        first, last, pageviews = conn.execute(
            "SELECT min(day), max(day), sum(pageviews) FROM daily_site WHERE site_id = ?", (SITE,)
        ).fetchone()
    if first is None:
        raise SystemExit(f"{path}: no daily_site rows for site {SITE} (make it with python -m bench.stats)")
    return date.fromisoformat(first), date.fromisoformat(last), int(pageviews)


async def prepare(store: SqliteStore, now: float) -> str:
    """Add the benchmark's user (once) and a new stats API token; the token."""
    if await store.get_user(USER) is None:
        await store.add_user(USER, await asyncio.to_thread(hash_password, PASSWORD), True, now)
    token = new_token()
    await store.add_token(token_hash(token), SITE, "stats", "bench.dashboard", now)
    return token


# -- what is requested ------------------------------------------------------------------------
def period_queries(first: date, last: date) -> list[tuple[str, dict[str, str]]]:
    """(label, dashboard query) for each period measured."""
    this_year = next((key for key, label in periods.CHOICES if label.lower() == "this year"), None)
    year_start = max(first, date(last.year, 1, 1))
    year_query = (
        {"period": this_year}
        if this_year
        else {"period": "custom", "from": year_start.isoformat(), "to": last.isoformat()}
    )
    return [
        ("last 30 days", {}),
        ("last 12 months", {"period": "12mo"}),
        ("this year", year_query),
        ("custom, whole range", {"period": "custom", "from": first.isoformat(), "to": last.isoformat()}),
    ]


def samples(first: date, last: date, token: str) -> list[Sample]:
    api = f"/api/v1/sites/{SITE}"
    bearer = {"Authorization": f"Bearer {token}"}
    out = [
        Sample("/healthz", "baseline", "/healthz"),
        Sample("login page (signed out)", "baseline", "/login", signed_in=False),
    ]
    for label, query in period_queries(first, last):
        qs = f"?{urlencode(query)}" if query else ""
        out.append(Sample(f"page, {label}", "page", f"/sites/{SITE}{qs}"))
    out.append(Sample("page's realtime JSON", "json", f"/sites/{SITE}/realtime"))
    today = last
    for label, query in period_queries(first, last):
        choice = periods.choose(query, today)
        bound = {"from": choice.period.start.isoformat(), "to": choice.period.end.isoformat()}
        out.append(Sample(f"api summary, {label}", "json", f"{api}/summary?{urlencode(bound)}", bearer))
        out.append(
            Sample(
                f"api timeseries ({choice.interval}), {label}",
                "json",
                f"{api}/timeseries?{urlencode({**bound, 'interval': choice.interval})}",
                bearer,
            )
        )
        for name in BREAKDOWNS:
            out.append(
                Sample(
                    f"api breakdown {name}, {label}",
                    "json",
                    f"{api}/breakdown/{name}?{urlencode({**bound, 'limit': 10})}",
                    bearer,
                )
            )
    return out


async def log_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, "no CSRF token on the login page"
    reply = await client.post(
        "/login", data={"csrf": found.group(1), "username": USER, "password": PASSWORD, "next": "/"}
    )
    assert reply.status_code == 303, f"login failed: {reply.status_code}"


async def fetch(clients: tuple[httpx.AsyncClient, httpx.AsyncClient], sample: Sample) -> float:
    client = clients[0] if sample.signed_in else clients[1]
    t0 = time.perf_counter()
    reply = await client.get(sample.url, headers=sample.headers)
    elapsed = (time.perf_counter() - t0) * 1000
    if reply.status_code != 200:
        raise SystemExit(f"{sample.name}: {sample.url} answered {reply.status_code}: {reply.text[:300]}")
    sample.size = len(reply.content)
    return elapsed


async def measure(path: Path, repeat: int) -> tuple[list[Sample], date, date, int]:
    first, last, pageviews = data_range(path)
    clock = FrozenClock(datetime.combine(last, datetime.min.time(), UTC).timestamp() + 12 * 3600)
    settings = Settings(database=f"sqlite:///{path}", access_log=False, secret_key="bench dashboard")
    app = create_app(settings, clock=clock, run_maintenance=False)
    async with app.router.lifespan_context(app):
        token = await prepare(of_app(app).store, clock())
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client,
            httpx.AsyncClient(transport=transport, base_url="http://bench.local") as signed_out,
        ):
            await log_in(client)
            todo = samples(first, last, token)
            for sample in todo:
                sample.first_ms = await fetch((client, signed_out), sample)
            for _ in range(repeat):
                for sample in todo:
                    sample.ms.append(await fetch((client, signed_out), sample))
    return todo, first, last, pageviews


# -- the report ---------------------------------------------------------------------------------
def report(todo: list[Sample]) -> bool:
    """Print the table; True when every page and JSON call meets the target."""
    base = next(s for s in todo if s.url == "/healthz")
    print(
        f"\n  {'request':<52}{'bytes':>9}{'first':>9}{'p50':>9}{'p95':>9}{'max':>9}"
        f"   target p95 < {TARGET_P95_MS:.0f} ms"
    )
    ok = True
    for kind, title in (
        ("baseline", "baselines (same app)"),
        ("page", "dashboard page (HTML)"),
        ("json", "JSON calls"),
    ):
        print(f"  {title}")
        for s in (s for s in todo if s.kind == kind):
            verdict = ""
            if kind != "baseline":
                met = s.p95 < TARGET_P95_MS
                ok &= met
                verdict = "ok" if met else "MISSED"
            print(
                f"    {s.name:<50}{s.size:>9,}{s.first_ms:9.1f}{s.p50:9.1f}{s.p95:9.1f}{max(s.ms):9.1f}"
                f"   {verdict}"
            )
    pages = [s for s in todo if s.kind == "page"]
    calls = [s for s in todo if s.kind == "json"]
    print("\nsummary (ms)")
    print(f"  baseline /healthz                 p50 {base.p50:7.1f}  p95 {base.p95:7.1f}")
    worst_page = max(pages, key=lambda s: s.p95)
    worst_call = max(calls, key=lambda s: s.p95)
    print(
        f"  dashboard page, worst period      p50 {worst_page.p50:7.1f}  p95 {worst_page.p95:7.1f}"
        f"  ({worst_page.name}; target p95 < {TARGET_P95_MS:.0f})"
    )
    print(
        f"  JSON call, worst                  p50 {worst_call.p50:7.1f}  p95 {worst_call.p95:7.1f}"
        f"  ({worst_call.name}; target p95 < {TARGET_P95_MS:.0f})"
    )
    print(f"  verdict: {'ok' if ok else 'MISSED'}")
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--pageviews", type=int, default=100_000, help="page views a day")
    parser.add_argument("--paths", type=int, default=10_000, help="distinct paths a day")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per URL after the first")
    parser.add_argument(
        "--quick", action="store_true", help="small scale: 90 days, 10,000 page views and 2,000 paths a day"
    )
    parser.add_argument(
        "--db",
        type=Path,
        help="reuse this database (from bench.stats or an earlier run); made here if missing",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.quick:
        args.days, args.pageviews, args.paths = (
            min(args.days, 90),
            min(args.pageviews, 10_000),
            min(args.paths, 2_000),
        )
    scale = Scale(args.days, args.pageviews, args.paths, 3 * args.paths, 0)
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}"
    )
    print("server: the application in this process through httpx.ASGITransport (no network, no uvicorn)")
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        path = args.db or Path(tmp) / "dashboard.sqlite3"
        if path.exists():
            print(f"database: {path} (reused)")
        else:
            print(
                f"database: {path} (generating {scale.days} days × {scale.pageviews:,} page views/day, "
                f"{scale.paths:,} distinct paths/day)"
            )
            asyncio.run(generate(path, scale, args.seed))
        t0 = time.perf_counter()
        todo, first, last, pageviews = asyncio.run(measure(path, args.repeat))
        print(
            f"data: {first} .. {last} (the custom range), {pageviews:,} page views; "
            f"the app's clock: {last} 12:00 UTC"
        )
        print(f"timed {len(todo)} URLs × (1 + {args.repeat}) requests in {time.perf_counter() - t0:.1f} s")
        report(todo)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
