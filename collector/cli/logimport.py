"""``collector import-logs``: server access logs through the ingest pipeline, in-process
against the store the settings name."""

from __future__ import annotations

import argparse
import sys
import time

from collector.cli.commands import CliError, get_site, with_store
from collector.clock import system_clock
from collector.ingest.pipeline import PipelineEnv
from collector.ingest.spam import SpamList
from collector.ingest.useragent import UAParser
from collector.logimport.filters import Choice
from collector.logimport.formats import FORMATS
from collector.logimport.importer import Importer
from collector.logimport.progress import Progress, report
from collector.secrets_file import ensure_secret_key
from collector.settings import Settings
from collector.storage.base import Store

FORMAT_CHOICES = ("auto", *FORMATS)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser(
        "import-logs",
        help="count page views from web-server access logs (through the same privacy pipeline)",
        description="Read access logs (a path, - for standard input; .gz and .bz2 as they are) "
        "and count what Matomo's log importer counts by default: page views of documents, "
        "not static assets, HTTP errors, redirects or bots. Each line goes through the same "
        "pipeline as a live beacon (the address masked first and never stored), at the "
        "line's time. A line already imported is never counted again. The imported days are "
        "rolled up at the end.",
    )
    cmd.add_argument("files", nargs="+", metavar="FILE", help="log files; - reads standard input")
    cmd.add_argument("--site", type=int, required=True, help="the site id")
    cmd.add_argument(
        "--format",
        choices=FORMAT_CHOICES,
        default="auto",
        help="the log format (default auto: detected from the first lines)",
    )
    cmd.add_argument("--downloads", action="store_true", help="count downloads (pdf, zip…) as downloads")
    cmd.add_argument(
        "--enable-static",
        action="store_true",
        help="count static assets (css, js, images, fonts) as downloads too (Matomo's option)",
    )
    cmd.add_argument("--enable-http-errors", action="store_true", help="count requests answered 4xx or 5xx")
    cmd.add_argument(
        "--enable-http-redirects", action="store_true", help="count requests answered 3xx (but 304)"
    )
    cmd.add_argument("--no-rollup", action="store_true", help="leave the rollup to the server")
    cmd.set_defaults(func=cmd_import_logs)


def cmd_import_logs(args: argparse.Namespace, settings: Settings) -> int:
    if args.files.count("-") > 1:
        raise CliError("standard input (-) can be read once")
    choice = Choice(
        static=args.enable_static,
        downloads=args.downloads or args.enable_static,
        errors=args.enable_http_errors,
        redirects=args.enable_http_redirects,
    )
    env = PipelineEnv(
        settings.trusted_proxies, settings.ip_mask_bytes, UAParser(), SpamList(settings.referrer_spam_file)
    )

    async def work(store: Store) -> int:
        site = await get_site(store, args.site)
        shared = None if settings.secret_key else await store.instance_secret("secret_key", system_clock())
        key = (shared or ensure_secret_key(settings.secret_key, settings.data_dir)).encode()
        progress = Progress(sys.stderr) if sys.stderr.isatty() else None
        fmt = None if args.format == "auto" else args.format
        importer = Importer(store, site, env, key, choice, system_clock, fmt, progress)
        started, cpu = time.monotonic(), time.process_time()
        try:
            for name in args.files:
                await importer.import_file(name)
        finally:
            if progress is not None:
                progress.close()
        seconds, cpu = time.monotonic() - started, time.process_time() - cpu
        rolling = time.monotonic()
        rolled = [] if args.no_rollup else await importer.roll_up(settings)
        summary = importer.summary
        for line in report(summary, seconds, cpu):
            print(line)
        if rolled:
            print(f"rolled up {len(rolled)} site-days in {time.monotonic() - rolling:.1f} s")
        for error in summary.errors:
            print(f"collector: {error}", file=sys.stderr)
        return 1 if summary.errors else 0

    return with_store(settings, work)
