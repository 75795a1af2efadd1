"""The SQLite writer process: pipelined batches, and what happens when the child dies, is
interrupted or is closed (a real child process and a real database file each time)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from collector.model import DropReason, Event, Kind
from collector.storage.base import WriteItem
from collector.storage.sqlite import SqliteStore
from collector.storage.writer_process import WriterProcessError

NOW = 1795348800.0
DAY = "2026-11-22"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    backend = SqliteStore(tmp_path / "c.sqlite3", writer_process=True)
    await backend.open()
    await backend.migrate()
    await backend.add_site("Shop", ["shop.example"], "UTC", NOW)
    yield backend
    await backend.close()


def _event(path: str) -> WriteItem:
    event = Event(site_id=1, ts_ms=int(NOW * 1000), day=DAY, visitor=7, kind=Kind.PAGEVIEW, path=path)
    return WriteItem(1, DAY, event, None)


def _paths(store: SqliteStore) -> list[str]:
    conn = sqlite3.connect(store.path)
    try:
        return [r[0] for r in conn.execute("SELECT path FROM events ORDER BY id")]
    finally:
        conn.close()


def _child_pid(store: SqliteStore) -> int:
    transport = store._process._transport if store._process else None
    assert transport is not None
    pid = transport.get_pid()
    assert isinstance(pid, int)
    return pid


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


async def test_pipelined_batches_are_all_committed_in_order(store: SqliteStore) -> None:
    assert store.batches_in_flight == 3
    answers: list[list[DropReason | None] | BaseException] = []
    done = asyncio.Event()

    def collect(outcome: list[DropReason | None] | BaseException) -> None:
        answers.append(outcome)
        if len(answers) == 20:
            done.set()

    for n in range(20):  # sent at once: the child reads the next while it commits one
        store.send_batch(
            [_event(f"/{n}/a"), WriteItem(1, DAY, None, DropReason.GPC), _event(f"/{n}/b")], collect
        )
    await asyncio.wait_for(done.wait(), 10)
    assert answers == [[None, DropReason.GPC, None]] * 20
    assert _paths(store) == [f"/{n}/{x}" for n in range(20) for x in "ab"]


async def test_a_dead_child_fails_its_batches_and_the_next_write_starts_a_new_one(store: SqliteStore) -> None:
    await store.write_batch([_event("/before")])
    first = _child_pid(store)
    os.kill(first, signal.SIGKILL)
    for _ in range(100):  # until the server side has seen the pipe close
        if not store._process or not store._process.running:
            break
        await asyncio.sleep(0.05)
    assert store._process is not None
    with pytest.raises(WriterProcessError):  # a batch sent to a dead child is never acknowledged
        await store._process.write([])
    assert await store.write_batch([_event("/after")]) == [None]
    assert _child_pid(store) != first
    assert _paths(store) == ["/before", "/after"]


async def test_ctrl_c_does_not_stop_the_child_before_the_server_is_done(store: SqliteStore) -> None:
    pid = _child_pid(store)
    os.kill(pid, signal.SIGINT)  # what a Ctrl-C sends the whole process group
    os.kill(pid, signal.SIGTERM)
    await asyncio.sleep(0.2)
    assert _alive(pid) and store._process is not None and store._process.running
    assert await store.write_batch([_event("/still")]) == [None]
    assert _child_pid(store) == pid  # the same child: write_batch would quietly start a new one
    assert _paths(store) == ["/still"]


async def test_closing_the_store_ends_the_child(tmp_path: Path) -> None:
    backend = SqliteStore(tmp_path / "c.sqlite3", writer_process=True)
    await backend.open()
    await backend.migrate()
    pid = _child_pid(backend)
    assert _alive(pid)
    await backend.close()
    assert not _alive(pid)


async def test_a_failed_commit_is_rolled_back_and_named_without_its_values(store: SqliteStore) -> None:
    assert store._process is not None
    short = (1, DAY, "dnt", None, None), (1, DAY, None, None, ["/secret-value", "too", "few"])
    with pytest.raises(WriterProcessError) as failed:  # the message would hold row values
        await store._process.write(short)
    assert str(failed.value).isidentifier() and "secret" not in str(failed.value)
    assert await store.write_batch([_event("/next")]) == [None]  # the child goes on
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("SELECT count(*) FROM dropped").fetchone() == (0,)  # rolled back
    finally:
        conn.close()
    assert _paths(store) == ["/next"]


async def test_a_batch_the_pipe_cannot_carry_leaves_the_answers_in_step(store: SqliteStore) -> None:
    assert store._process is not None
    with pytest.raises(TypeError):  # orjson refuses it before anything is sent
        await store._process.write([(1, DAY, None, None, [object()])])
    assert await store.write_batch([_event("/after")]) == [None]
    assert _paths(store) == ["/after"]
