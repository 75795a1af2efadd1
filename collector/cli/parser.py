"""The ``collector`` command (also ``python -m collector``): the argument parser."""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap
from collections.abc import Sequence

from collector.auth.tokens import SCOPES
from collector.cli import backup as b
from collector.cli import commands as c
from collector.cli import copy as cp
from collector.cli import logimport as li
from collector.cli import privacy as p
from collector.settings import Settings, SettingsError
from collector.site_settings import SITE_KEYS
from collector.storage.base import StoreUnavailable
from collector.storage.schema import SchemaTooNew

DESCRIPTION = """\
A cookie-less, consent-aware web analytics collector that speaks the Matomo tracking API.
Settings come from COLLECTOR_* environment variables (see the README's settings table)."""


def site_keys_help() -> str:
    """``site set``'s keys, from the site keys table (``collector.site_settings``)."""
    lines = ["Keys:", ""]
    for key in SITE_KEYS:
        default = "none" if key.default is None else (key.default or "empty")
        text = f"{key.help} Default: {default}.".replace("`", "")
        lines += textwrap.wrap(text, width=88, initial_indent=f"  {key.name:<28}", subsequent_indent=" " * 30)
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="collector", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser(
        "serve",
        help="run the HTTP server (tracking endpoint, API)",
        description="Migrate the database, then serve with uvicorn.",
    )
    serve.add_argument("--host", help="listen address (default COLLECTOR_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (default COLLECTOR_PORT, 8000)")
    serve.add_argument("--workers", type=int, help="worker processes (default COLLECTOR_WORKERS, 1)")
    serve.set_defaults(func=c.cmd_serve)

    sub.add_parser("migrate", help="create or upgrade the database schema").set_defaults(func=c.cmd_migrate)

    site = sub.add_parser("site", help="add, list, show and change sites")
    site_sub = site.add_subparsers(dest="site_command", required=True, metavar="ACTION")
    add = site_sub.add_parser("add", help="add a site and print its id")
    add.add_argument("name")
    add.add_argument(
        "--domain",
        action="append",
        default=[],
        metavar="D",
        help="a domain the site is served on (repeat; subdomains included); "
        "requests from other hosts are dropped as foreign_host",
    )
    add.add_argument("--timezone", default="UTC", help="IANA time zone for days (default UTC)")
    add.set_defaults(func=c.cmd_site_add)
    site_sub.add_parser("list", help="one line a site: id, name, domains, time zone").set_defaults(
        func=c.cmd_site_list
    )
    show = site_sub.add_parser("show", help="a site's settings as JSON")
    show.add_argument("id", type=int)
    show.set_defaults(func=c.cmd_site_show)
    set_ = site_sub.add_parser(
        "set",
        help="change a site: KEY=VALUE …",
        description=site_keys_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    set_.add_argument("id", type=int)
    set_.add_argument("pairs", nargs="+", metavar="KEY=VALUE")
    set_.set_defaults(func=c.cmd_site_set)

    user = sub.add_parser("user", help="dashboard users")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    uadd = user_sub.add_parser("add", help="add a user (asks for the password)")
    uadd.add_argument("name")
    uadd.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    uadd.add_argument("--admin", action="store_true", help="make the user an administrator")
    uadd.set_defaults(func=c.cmd_user_add)

    token = sub.add_parser("token", help="API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    tcreate = token_sub.add_parser(
        "create",
        help="create a token and print it once",
        description="stats: read the stats API; optout: the opt-out API; admin: also "
        "unlocks cip and back-dated cdt on the tracking endpoint (token_auth).",
    )
    tcreate.add_argument("--site", type=int, required=True, help="the site id")
    tcreate.add_argument("--scope", choices=SCOPES, required=True)
    tcreate.add_argument("--label", default="", help="a note to recognise the token by")
    tcreate.set_defaults(func=c.cmd_token_create)

    roll = sub.add_parser(
        "rollup",
        help="recompute daily tables from raw events",
        description="Without options: the days that received events since the "
        "last rollup (what `serve` does every COLLECTOR_ROLLUP_INTERVAL_S). With "
        "--site and/or --day: every such day that still has raw events.",
    )
    roll.add_argument("--site", type=int, help="only this site")
    roll.add_argument("--day", help="only this day (YYYY-MM-DD, in the site's time zone)")
    roll.set_defaults(func=c.cmd_rollup)

    optout = sub.add_parser("optout", help="per-user opt-outs")
    optout_sub = optout.add_subparsers(dest="optout_command", required=True, metavar="ACTION")
    oimport = optout_sub.add_parser(
        "import",
        help="opt out many users at once (a site migrating existing preferences)",
        description="FILE holds one user reference a line (CSV: the first column; a header "
        "named user_ref is skipped) or a JSON list; - reads standard input. Only "
        "keyed hashes are stored.",
    )
    oimport.add_argument("--site", type=int, required=True, help="the site id")
    oimport.add_argument("file", metavar="FILE")
    oimport.set_defaults(func=c.cmd_optout_import)

    export = sub.add_parser(
        "export",
        help="a site's aggregates for a period, as JSON or a zip of CSVs",
        description="Every report (summary, daily timeseries, every breakdown, "
        "dropped requests) from the daily tables.",
    )
    export.add_argument("--site", type=int, required=True, help="the site id")
    export.add_argument(
        "--from", dest="date_from", help="first day, YYYY-MM-DD (default: 29 days before --to)"
    )
    export.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD (default: today)")
    export.add_argument(
        "--format",
        choices=("csv", "json"),
        default="json",
        help="json, or csv: a zip of CSV files (default json)",
    )
    export.add_argument("--output", "-o", default="-", help="file to write (default: standard output)")
    export.set_defaults(func=c.cmd_export)

    exclude = sub.add_parser(
        "exclude",
        help="list, add or remove a site's exclusion rules; --apply removes stored matches",
        description="Rules are kind:pattern — path:/admin/* (glob on the path), referrer:intranet.example "
        "(host or subdomain), ua:*UptimeRobot* (glob on the User-Agent), ip:10.20.0.0/16 (masked address). "
        "New requests that match are dropped (reason 'excluded'). Path and referrer rules also match "
        "stored raw events: the command prints how many, and --apply removes them and rolls their days "
        "up again.",
    )
    exclude.add_argument("--site", type=int, required=True, help="the site id")
    exclude.add_argument("--add", action="append", default=[], metavar="RULE", help="add a rule (repeatable)")
    exclude.add_argument(
        "--remove", action="append", default=[], metavar="RULE", help="remove a rule (repeatable)"
    )
    exclude.add_argument(
        "--apply", action="store_true", help="remove stored events the rules match and recompute their days"
    )
    exclude.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    exclude.set_defaults(func=p.cmd_exclude)

    erase = sub.add_parser(
        "erase",
        help="delete everything collected for a site (or a period of it)",
        description="Raw events, daily tables and drop counters of the site's days "
        "from --from to --to (default: all). The site, its tokens and opt-outs stay. "
        "Asks for the site id as confirmation unless --yes.",
    )
    erase.add_argument("--site", type=int, required=True, help="the site id")
    erase.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD (default: the first)")
    erase.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD (default: the last)")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(func=p.cmd_erase)

    backup = sub.add_parser(
        "backup",
        help="copy the database to PATH while the collector runs, and check the copy",
        description="A consistent copy of the SQLite database (as of one commit), made while "
        "the collector goes on ingesting, checked with PRAGMA integrity_check before it says done. "
        "Restore: stop the collector, put the copy in the database's place, start it. "
        "PostgreSQL: use pg_dump or pg_basebackup.",
    )
    backup.add_argument("path", metavar="PATH", help="the file to write (refused if it exists)")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    backup.set_defaults(func=b.cmd_backup)

    copy = sub.add_parser(
        "copy",
        help="move an installation from SQLite to PostgreSQL (everything, with counts)",
        description="Copy everything from a SQLite database (read as of one commit, while the "
        "collector goes on running) into a PostgreSQL database (migrated, then written in one "
        "transaction): sites, settings, users, grants, tokens, opt-outs, shared links, sessions, "
        "raw events, the daily and monthly tables, the audit log, the secret key. Then point "
        "COLLECTOR_DATABASE at PostgreSQL and restart.",
    )
    copy.add_argument("--from", dest="source", required=True, metavar="URL", help="sqlite:///PATH")
    copy.add_argument(
        "--to", dest="target", required=True, metavar="URL", help="postgresql://USER:PASSWORD@HOST:PORT/DB"
    )
    copy.add_argument("--replace", action="store_true", help="empty a target that holds data first")
    copy.set_defaults(func=cp.cmd_copy)

    li.add_parser(sub)

    sub.add_parser(
        "purge", help="delete raw events, daily rows and audit entries past retention, and old salts, now"
    ).set_defaults(func=c.cmd_purge)
    sub.add_parser(
        "bootstrap", help="create a demo site and an 'admin' user if none exist (prints the password once)"
    ).set_defaults(func=c.cmd_bootstrap)

    demo = sub.add_parser(
        "demo",
        help="fill a site with realistic traffic through the real pipeline (bots and DNT requests included)",
    )
    demo.add_argument("--site", type=int, default=1, help="site id (default 1)")
    demo.add_argument("--days", type=int, default=30, help="days back from today (default 30)")
    demo.add_argument("--visits", type=int, default=200, help="visits a day (default 200)")
    demo.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    demo.set_defaults(func=c.cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        logging.basicConfig(
            level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        # aiosqlite's debug lines carry statement arguments (salts, stored rows): never log them
        logging.getLogger("aiosqlite").setLevel(logging.WARNING)
        return int(args.func(args, settings))
    except (c.CliError, SettingsError, SchemaTooNew, StoreUnavailable) as exc:
        print(f"collector: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
