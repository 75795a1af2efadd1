"""The writer process itself: reads batches on stdin, commits each, answers on stdout.

Started by :class:`collector.storage.writer_process.WriterProcess` (one per server worker),
never by hand; its protocol is described there. It imports only what a commit needs (no
asyncio, no web framework), so it starts in a few tens of milliseconds.

It ignores SIGINT and SIGTERM (a Ctrl-C reaches the whole process group, and the server
still has batches to write while it stops) and ends when its stdin closes: when the server
closes the store, or when the server dies, however it dies.

    python -m collector.storage.writer_child PATH
"""

from __future__ import annotations

import signal
import sqlite3
import sys
from collections.abc import Sequence
from typing import BinaryIO

import orjson

from collector.storage.sql import PRAGMAS
from collector.storage.sqlite_write import write_rows

HEAD_SIZE = 4  # a frame: its length (4 bytes, big-endian), then that many bytes of JSON
READY = b'{"ready":true}'


def frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(HEAD_SIZE, "big") + payload


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if len(data) == size else None


def serve(path: str, stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Answer every batch on ``stdin`` until it closes."""
    conn = sqlite3.connect(path)
    try:
        for pragma in PRAGMAS:
            conn.execute(pragma)
        stdout.write(frame(READY))
        stdout.flush()
        while (head := _read_exactly(stdin, HEAD_SIZE)) is not None:
            payload = _read_exactly(stdin, int.from_bytes(head, "big"))
            if payload is None:
                break
            answer: dict[str, object]
            try:
                answer = {"ok": write_rows(conn, orjson.loads(payload), shares_gil=False)}
            except Exception as exc:  # the batch is rolled back; the server decides
                answer = {"error": type(exc).__name__}
            try:
                stdout.write(frame(orjson.dumps(answer)))
                stdout.flush()
            except BrokenPipeError:  # the server is gone: what was committed stays
                break
    finally:
        conn.close()
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
