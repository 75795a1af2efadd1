"""Reading log files: a path, ``-`` (standard input), gzip or bzip2 (by magic bytes, so
``access.log.1.gz`` and a renamed file both work), line by line with a length cap."""

from __future__ import annotations

import bz2
import gzip
import os
import sys
import zlib
from collections.abc import Iterator
from typing import BinaryIO

MAX_LINE = 64 * 1024  # longer lines are counted as unparseable, never kept whole
_CHUNK = 1 << 20


class ReadError(Exception):
    """The input cannot be read (missing, not permitted, corrupt or truncated compression)."""


class Source:
    """One input: the raw file (its position is the bytes done) and the decoded stream."""

    def __init__(self, name: str) -> None:
        self.name = name
        try:
            raw: BinaryIO = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115
        except OSError as exc:
            raise ReadError(f"{name}: {exc.strerror or exc}") from exc
        self._raw = raw
        self.total: int | None = None
        magic = b""
        if name != "-":
            try:
                self.total = os.fstat(raw.fileno()).st_size
                magic = raw.read(3)
                raw.seek(0)
            except OSError as exc:
                raw.close()
                raise ReadError(f"{name}: {exc.strerror or exc}") from exc
        self.compression = (
            "gzip"
            if magic[:2] == b"\x1f\x8b" or (not magic and name.endswith(".gz"))
            else "bzip2"
            if magic == b"BZh" or (not magic and name.endswith(".bz2"))
            else None
        )
        stream: gzip.GzipFile | bz2.BZ2File | BinaryIO
        if self.compression == "gzip":
            stream = gzip.GzipFile(fileobj=raw, mode="rb")
        elif self.compression == "bzip2":
            stream = bz2.BZ2File(raw, "rb")
        else:
            stream = raw
        self._stream = stream

    def position(self) -> int:
        """Bytes of the file read so far (compressed bytes for a compressed file)."""
        try:
            return self._raw.tell()
        except OSError:
            return 0

    def lines(self) -> Iterator[bytes | None]:
        """Each line without its end (``None``: longer than ``MAX_LINE``, skipped);
        raises :class:`ReadError` where the input breaks off."""
        read = self._stream.readline
        try:
            while True:
                line = read(MAX_LINE + 1)
                if not line:
                    return
                if len(line) > MAX_LINE and not line.endswith(b"\n"):
                    while True:  # the rest of the long line, in chunks, thrown away
                        more = read(_CHUNK)
                        if not more or more.endswith(b"\n"):
                            break
                    yield None
                    continue
                yield line.rstrip(b"\r\n")
        except (OSError, EOFError, zlib.error, ValueError) as exc:
            what = "compressed data ended early" if isinstance(exc, EOFError) else str(exc)
            raise ReadError(f"{self.name}: {what}") from exc

    def close(self) -> None:
        if self.name != "-":
            self._stream.close()
            self._raw.close()
