"""asyncpg next to psycopg 3 for the collector's group commit, on one throw-away cluster
with PostgreSQL's default durability (fsync and synchronous_commit on):

    python -m bench.pg_driver [--batches 200] [--rows 500]

Each way writes ``--batches`` batches of ``--rows`` page views into a table shaped like
``events`` (33 columns, mostly NULL, as a page view is), one committed transaction a
batch, one after the other on one connection: rows/s, commits/s, and the client's CPU
per batch (the CPU the collector's event loop would spend instead of answering beacons).
The ways: COPY, ``executemany`` of an INSERT, and one ``INSERT … SELECT FROM unnest()``
of one array per column (what ``collector/storage/pg_write.py`` sends for a plain batch);
then 1-row batches (a quiet site: the commit's own cost).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import psycopg

from collector.model import EVENT_COLUMNS
from collector.storage import pg_cluster
from collector.storage.pg_write import _array_type

TABLE = "bench_events"


def _rows(n: int, batch: int) -> list[tuple[Any, ...]]:
    out = []
    for i in range(n):
        values: dict[str, Any] = dict.fromkeys(EVENT_COLUMNS)
        values.update(
            site_id=1,
            ts_ms=1_795_348_800_000 + i,
            day="2026-11-22",
            visitor=(batch * 7919 + i) * 2654435761 % 2**62,
            kind="pageview",
            path=f"/products/{i % 300}",
            title="A product page",
            browser="Chrome",
            browser_major="130",
            os="Windows",
            device="desktop",
            screen="1920x1080",
            language="en-gb",
            new_visit=0,
        )
        out.append(tuple(values[c] for c in EVENT_COLUMNS))
    return out


def _create_sql() -> str:
    columns = ", ".join(f"{c} {_array_type(c).removesuffix('[]')}" for c in EVENT_COLUMNS)
    return f"DROP TABLE IF EXISTS {TABLE}; CREATE TABLE {TABLE} (id BIGSERIAL, {columns})"


def _insert_sql(style: str) -> str:
    marks = ", ".join(f"${n + 1}" if style == "$" else "%s" for n in range(len(EVENT_COLUMNS)))
    return f"INSERT INTO {TABLE} ({', '.join(EVENT_COLUMNS)}) VALUES ({marks})"


def _unnest_sql() -> str:
    arrays = ", ".join(f"${n + 1}::{_array_type(c)}" for n, c in enumerate(EVENT_COLUMNS))
    names = ", ".join(EVENT_COLUMNS)
    return f"INSERT INTO {TABLE} ({names}) SELECT * FROM unnest({arrays})"


async def _asyncpg_ways(url: str) -> dict[str, Callable[[list[tuple[Any, ...]]], Awaitable[None]]]:
    conn = await asyncpg.connect(url)
    await conn.execute(_create_sql())
    insert, unnest = _insert_sql("$"), _unnest_sql()

    async def copy(rows: list[tuple[Any, ...]]) -> None:
        async with conn.transaction():
            await conn.copy_records_to_table(TABLE, records=rows, columns=EVENT_COLUMNS)

    async def many(rows: list[tuple[Any, ...]]) -> None:
        async with conn.transaction():
            await conn.executemany(insert, rows)

    async def arrays(rows: list[tuple[Any, ...]]) -> None:
        await conn.execute(unnest, *(list(c) for c in zip(*rows, strict=True)))

    return {"asyncpg COPY": copy, "asyncpg executemany": many, "asyncpg unnest (1 statement)": arrays}


async def _psycopg_ways(url: str) -> dict[str, Callable[[list[tuple[Any, ...]]], Awaitable[None]]]:
    conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
    insert = _insert_sql("%s")
    copy_sql = f"COPY {TABLE} ({', '.join(EVENT_COLUMNS)}) FROM STDIN"

    async def copy(rows: list[tuple[Any, ...]]) -> None:
        async with conn.transaction(), conn.cursor() as cur, cur.copy(copy_sql) as copying:  # type: ignore[arg-type]
            for row in rows:
                await copying.write_row(row)

    async def many(rows: list[tuple[Any, ...]]) -> None:
        async with conn.transaction(), conn.cursor() as cur:
            await cur.executemany(insert, rows)  # type: ignore[arg-type]

    return {"psycopg COPY": copy, "psycopg executemany": many}


async def _measure(
    ways: dict[str, Callable[[list[tuple[Any, ...]]], Awaitable[None]]], batches: int, size: int
) -> list[tuple[str, float, float, float]]:
    data = [_rows(size, b) for b in range(batches)]
    results = []
    for name, way in ways.items():
        await way(data[0])  # warm: statements prepared, types known
        wall, cpu = time.perf_counter(), time.process_time()
        for rows in data:
            await way(rows)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        results.append((name, batches * size / wall, batches / wall, cpu / batches * 1e6))
    return results


async def _run(url: str, batches: int, size: int) -> None:
    ways = {**await _asyncpg_ways(url), **await _psycopg_ways(url)}
    for label, rows in ((f"batches of {size} rows", size), ("batches of 1 row", 1)):
        print(f"\n{batches} {label}, one committed transaction each, fsync on")
        print(f"{'':<30} {'rows/s':>10} {'commits/s':>10} {'client CPU/batch':>17}")
        for name, rate, commits, cpu_us in await _measure(ways, batches, rows):
            print(f"{name:<30} {rate:>10,.0f} {commits:>10,.0f} {cpu_us:>14,.0f} µs")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pg_driver",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--rows", type=int, default=500)
    args = parser.parse_args(argv)
    try:
        cluster = pg_cluster.start(durable=True)
    except pg_cluster.ClusterError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_run(cluster.url(), args.batches, args.rows))
    finally:
        cluster.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
