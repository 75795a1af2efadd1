"""The progress bar of ``import-logs`` on a terminal (lines/s, bytes done, ETA), and the
closing summary."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from collector.logimport.importer import Summary
from collector.logimport.reader import Source

WIDTH = 24
REASONS = (
    "static",
    "download",
    "status",
    "method",
    "bot",
    "library",
    "excluded",
    "foreign_host",
    "spam",
    "no_consent",
    "opted_out",
    "future",
    "unparseable",
    "already_imported",
)


def size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


class Progress:
    """Redrawn at most ten times a second on one terminal line."""

    def __init__(self, out: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._out = out
        self._clock = clock
        self._started = clock()
        self._drawn = 0.0
        self._shown = False

    def __call__(self, source: Source, lines: int) -> None:
        now = self._clock()
        if now - self._drawn < 0.1:
            return
        self._drawn = now
        elapsed = max(now - self._started, 1e-6)
        done = source.position()
        rate = lines / elapsed
        text = f"{lines:,} lines, {rate:,.0f} lines/s, {size(done)}"
        if source.total:
            share = min(done / source.total, 1.0)
            bar = "#" * int(share * WIDTH)
            eta = elapsed * (1 - share) / share if share > 0 else 0.0
            text = f"[{bar:<{WIDTH}}] {share:4.0%} {text} of {size(source.total)}, ETA {eta:,.0f} s"
        self._out.write(f"\r{source.name}: {text}\x1b[K")
        self._out.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self._out.write("\r\x1b[K")
            self._out.flush()


def report(summary: Summary, seconds: float, cpu: float | None = None) -> list[str]:
    """The closing summary, a line each (no line's content: numbers and line numbers)."""
    rate = summary.lines / seconds if seconds > 0 else 0.0
    out = [f"format: {name} ({fmt})" for name, fmt in summary.formats.items()]
    used = f", {cpu:.1f} s of CPU" if cpu is not None else ""
    out.append(f"lines read: {summary.lines:,} in {seconds:.1f} s ({rate:,.0f} lines/s{used})")
    out.append(f"imported: {summary.imported:,}")
    skipped = sum(summary.skipped.values())
    out.append(f"skipped: {skipped:,}")
    known = [r for r in REASONS if summary.skipped.get(r)]
    others = sorted(r for r in summary.skipped if r not in REASONS)
    for reason in known + others:
        line = f"  {reason}: {summary.skipped[reason]:,}"
        if reason == "unparseable" and summary.unparseable_at:
            more = ", …" if summary.skipped[reason] > len(summary.unparseable_at) else ""
            line += f" (at {', '.join(summary.unparseable_at)}{more})"
        out.append(line)
    days = sorted(summary.days)
    if days:
        shown = ", ".join(days) if len(days) <= 10 else f"{days[0]} … {days[-1]}"
        out.append(f"days touched: {len(days)} ({shown})")
    else:
        out.append("days touched: none")
    return out
