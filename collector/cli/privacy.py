"""The `exclude` and `erase` subcommands (the parser is in cli.py)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import date

import orjson

from collector.cli.commands import CliError, get_site, with_store
from collector.clock import system_clock
from collector.privacy import tools as privacy_tools
from collector.privacy.exclusions import RuleError, parse_rule
from collector.settings import Settings
from collector.storage.base import Store


def _confirm(question: str, expected: str) -> bool:
    if not sys.stdin.isatty():
        return False
    print(question, end=" ", flush=True)
    return sys.stdin.readline().strip() == expected


def cmd_exclude(args: argparse.Namespace, settings: Settings) -> int:
    try:
        added = [str(parse_rule(r)) for r in args.add]
        removed = {str(parse_rule(r)) for r in args.remove}
    except RuleError as exc:
        raise CliError(str(exc)) from exc

    async def work(store: Store) -> int:
        clock = system_clock
        site = await get_site(store, args.site)
        rules = tuple(dict.fromkeys(r for r in (*site.settings.exclusions, *added) if r not in removed))
        if rules != site.settings.exclusions:
            site = dataclasses.replace(site, settings=dataclasses.replace(site.settings, exclusions=rules))
            await store.update_site(site.id, site.name, site.domains, site.timezone, site.settings)
            await store.audit(
                "cli",
                "exclusions.set",
                orjson.dumps({"site": site.id, "rules": list(rules)}).decode(),
                clock(),
            )
        matches = await privacy_tools.preview(store, site)
        if not matches:
            print("no exclusion rules")
        for m in matches:
            if m.rule.retroactive:
                print(f"{m.rule}\t{m.total} stored raw events match, on {len(m.per_day)} days")
            else:
                print(f"{m.rule}\tapplies to new requests only (raw events keep no User-Agent or address)")
        if not args.apply:
            return 0
        if not args.yes and not _confirm(
            "remove the matching events and roll their days up again? type 'yes':", "yes"
        ):
            raise CliError("not confirmed (use --yes when not at a terminal)")
        gone = await privacy_tools.apply_exclusions(store, settings, clock, site, "cli")
        print(f"removed {sum(gone.values())} raw events; rolled up {len(gone)} days again")
        return 0

    return with_store(settings, work)


def cmd_erase(args: argparse.Namespace, settings: Settings) -> int:
    first, last = args.date_from or "0000-01-01", args.date_to or "9999-12-31"
    for name, value in (("--from", args.date_from), ("--to", args.date_to)):
        if value is not None:
            try:
                date.fromisoformat(value)
            except ValueError as exc:
                raise CliError(f"{name} must be a date, YYYY-MM-DD") from exc
    if first > last:
        raise CliError("--from is after --to")

    async def work(store: Store) -> int:
        site = await get_site(store, args.site)
        span = "all its days" if args.date_from is None and args.date_to is None else f"{first} to {last}"
        if not args.yes and not _confirm(
            f"erase everything collected for site {site.id} ({site.name}), "
            f"{span}? type the site id to confirm:",
            str(site.id),
        ):
            raise CliError("not confirmed (use --yes when not at a terminal)")
        rows = await privacy_tools.erase(store, system_clock, site, first, last, "cli")
        print(f"erased {rows} rows of site {site.id} ({span})")
        return 0

    return with_store(settings, work)
