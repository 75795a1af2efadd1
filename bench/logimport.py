"""``python -m bench.logimport``: lines per second of ``collector import-logs`` on a
generated combined log (half of it static assets), one process, a fresh SQLite file.

Options: ``--lines N`` (100,000), ``--days N`` (3: back-dated days, the newest 3 days
ago), ``--keep DIR`` (write the log and database there and leave them).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]
PAGES = [
    "/",
    "/pricing",
    "/features",
    "/blog/",
    "/blog/post-{n}",
    "/docs/install",
    "/about",
    "/search?q=x&utm_source=news",
]
ASSETS = ["/css/site.css", "/js/app.js?v=3", "/img/logo.png", "/fonts/a.woff2", "/favicon.ico"]
REFS = ["-", "-", "https://www.google.com/", "https://example.com/", "https://duckduckgo.com/"]


def generate(path: Path, lines: int, days: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    last = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=3)
    start = last - timedelta(days=days - 1)
    span = days * 86400
    with path.open("w") as out:
        for i in range(lines):
            when = start + timedelta(seconds=span * i // lines)
            ip = f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            static = i % 2 == 1
            target = rng.choice(ASSETS) if static else rng.choice(PAGES).format(n=rng.randrange(500))
            status = 200 if rng.random() < 0.93 else rng.choice([301, 304, 404])
            stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
            out.write(
                f'{ip} - - [{stamp}] "GET {target} HTTP/1.1" {status} {rng.randrange(100, 90000)} '
                f'"{rng.choice(REFS)}" "{rng.choice(AGENTS)}"\n'
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-logimport-"))
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "access.log"
    generate(log, args.lines, args.days)
    env = {
        **os.environ,
        "COLLECTOR_DATABASE": f"sqlite:///{folder}/c.sqlite3",
        "COLLECTOR_SECRET_KEY": "bench",
    }
    run = [sys.executable, "-m", "collector"]
    subprocess.run(
        [*run, "site", "add", "Bench", "--domain", "example.com"], env=env, check=True, capture_output=True
    )
    for label in ("first import", "the same file again"):
        started = time.monotonic()
        done = subprocess.run(
            [*run, "import-logs", "--site", "1", str(log)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - started
        rate = args.lines / seconds
        print(f"{label}: {args.lines:,} lines in {seconds:.2f} s = {rate:,.0f} lines/s (the whole command)")
        print("  " + "\n  ".join(done.stdout.strip().splitlines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
