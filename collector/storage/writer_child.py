"""The writer process itself: reads batches on stdin, commits each, answers on stdout.

Started by :class:`collector.storage.writer_process.WriterProcess` (one per server worker),
never by hand; its protocol is described there. It imports only what a commit needs (no
asyncio, no web framework), so it starts in a few tens of milliseconds.

It ignores SIGINT and SIGTERM (a Ctrl-C reaches the whole process group, and the server
still has batches to write while it stops) and ends when its stdin closes: when the server
closes the store, or when the server dies, however it dies.

A database that cannot take writes (disk full, read-only, gone: see
:func:`collector.storage.sqlite_write.unavailable`) does not end it: each batch is answered
``{"error": ..., "unavailable": "<why>"}`` and the next one is tried again, so ingest resumes
by itself once the disk has room. It opens the file it is given and never creates one, and
after each commit checks that the file is still the one it opened.

    python -m collector.storage.writer_child PATH
"""

from __future__ import annotations

import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import orjson

from collector.storage.sql import PRAGMAS
from collector.storage.sqlite_write import FileId, Row, check_file, file_id, unavailable, write_rows

HEAD_SIZE = 4  # a frame: its length (4 bytes, big-endian), then that many bytes of JSON
READY = b'{"ready":true}'


def frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(HEAD_SIZE, "big") + payload


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if len(data) == size else None


class _Database:
    """The child's one connection: opened at start, or at the next batch for as long as
    the file cannot be opened."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.conn: sqlite3.Connection | None = None
        self.opened: FileId | None = None

    def connection(self) -> sqlite3.Connection:
        if self.conn is None:
            # mode=rw: a file that is gone must stay gone, not come back empty
            conn = sqlite3.connect(Path(self.path).resolve().as_uri() + "?mode=rw", uri=True)
            try:
                for pragma in PRAGMAS:
                    conn.execute(pragma)
            except BaseException:
                conn.close()
                raise
            self.conn, self.opened = conn, file_id(self.path)
        return self.conn

    def write(self, batch: Sequence[Row]) -> list[str | None]:
        outcome = write_rows(self.connection(), batch, shares_gil=False)
        check_file(self.path, self.opened)
        return outcome

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def serve(path: str, stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Answer every batch on ``stdin`` until it closes."""
    database = _Database(path)
    try:
        try:
            database.connection()  # at once when it can: the first batch need not wait
        except sqlite3.Error as exc:
            if unavailable(exc) is None:
                raise
        stdout.write(frame(READY))
        stdout.flush()
        while (head := _read_exactly(stdin, HEAD_SIZE)) is not None:
            payload = _read_exactly(stdin, int.from_bytes(head, "big"))
            if payload is None:
                break
            answer: dict[str, object]
            try:
                answer = {"ok": database.write(orjson.loads(payload))}
            except Exception as exc:  # the batch is rolled back; the server decides
                answer = {"error": type(exc).__name__}
                reason = unavailable(exc)
                if reason is not None:
                    answer["unavailable"] = reason
            try:
                stdout.write(frame(orjson.dumps(answer)))
                stdout.flush()
            except BrokenPipeError:  # the server is gone: what was committed stays
                break
    finally:
        database.close()
    return 0


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    return serve(argv[0], sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
