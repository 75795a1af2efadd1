"""PostgreSQL for the suites: the server CI started (``COLLECTOR_TEST_POSTGRES``, an
admin URL), or a throw-away cluster started here once per test run
(:mod:`collector.storage.pg_cluster`), with a fresh database per test.

Without PostgreSQL the PostgreSQL cases are skipped with the reason (``make test`` says
so in its summary); with ``COLLECTOR_EXPECT_POSTGRES=1`` (CI) they fail instead."""

from __future__ import annotations

import asyncio
import atexit
import itertools
import os
import uuid

import asyncpg
import pytest

from collector.storage import pg_cluster

_state: dict[str, object] = {}
_numbers = itertools.count(1)


def _server() -> str:
    if "url" in _state:
        return str(_state["url"])
    if "error" in _state:
        unavailable(str(_state["error"]))
    url = os.environ.get("COLLECTOR_TEST_POSTGRES", "")
    if not url:
        try:
            cluster = pg_cluster.start()
        except pg_cluster.ClusterError as exc:
            _state["error"] = str(exc)
            unavailable(str(exc))
        atexit.register(cluster.remove)
        _state["cluster"] = cluster
        url = cluster.url()
    _state["url"] = url
    return url


def unavailable(why: str) -> None:
    message = f"PostgreSQL suites skipped: {why}"
    if os.environ.get("COLLECTOR_EXPECT_POSTGRES") == "1":
        pytest.fail(message + " (COLLECTOR_EXPECT_POSTGRES=1)", pytrace=False)
    pytest.skip(message)


def cluster() -> pg_cluster.Cluster | None:
    """The cluster started here (None when CI's server is used)."""
    found = _state.get("cluster")
    return found if isinstance(found, pg_cluster.Cluster) else None


def new_database() -> str:
    """The URL of a new, empty database on the test server."""
    admin = _server()
    name = f"t{os.getpid()}_{next(_numbers)}_{uuid.uuid4().hex[:6]}"

    async def make() -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(make()) if not _loop_running() else _in_thread(make)
    return admin.rpartition("/")[0] + "/" + name


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _in_thread(make: object) -> None:
    import threading

    errors: list[BaseException] = []

    def go() -> None:
        try:
            asyncio.run(make())  # type: ignore[operator]
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=go)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
