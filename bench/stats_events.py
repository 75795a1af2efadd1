"""One day of raw events for the rollup benchmarks (``bench.stats``, ``bench.pg_stats``,
``bench.backup``): visits of the catalogues in :mod:`bench.stats_data`, as ``events`` rows."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.stats_data import (
    BROWSERS,
    CHANNELS,
    DEVICES,
    EVENT_NAMES,
    HOURLY,
    LANGS,
    OSES,
    SCREENS,
    SEARCH_HOSTS,
    SITE,
    SOCIAL_HOSTS,
    UTM_SOURCES,
    Scale,
    bulk_connection,
    path_name,
    zipf,
)

# -- one day of raw events ----------------------------------------------------------------

EVENT_COLUMNS = (
    "site_id",
    "ts_ms",
    "day",
    "visitor",
    "kind",
    "path",
    "title",
    "referrer_host",
    "referrer_path",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "browser",
    "browser_major",
    "os",
    "device",
    "screen",
    "language",
    "country",
    "event_category",
    "event_action",
    "target",
    "search_query",
    "new_visit",
)
EVENT_SQL = f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"


class Picker:
    """Fast weighted draws: a pool drawn in bulk, served one by one."""

    def __init__(self, rng: random.Random, values: Sequence[Any], weights: Sequence[float]) -> None:
        self._rng, self._values, self._cum = rng, list(values), list(_cumulative(weights))
        self._pool: list[Any] = []

    def __call__(self) -> Any:
        if not self._pool:
            self._pool = self._rng.choices(self._values, cum_weights=self._cum, k=65536)
        return self._pool.pop()


def _cumulative(weights: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def raw_events(day: date, scale: Scale, seed: int) -> list[tuple[Any, ...]]:
    """``scale.events`` events of one day, visitor by visitor, sorted by time."""
    rng = random.Random(seed)
    start_ms = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
    end_ms = start_ms + 86_400_000
    dayiso = day.isoformat()
    paths = [path_name(r) for r in range(scale.paths)]
    page = Picker(rng, paths, zipf(len(paths)))
    hour = Picker(rng, range(24), HOURLY)
    channel = Picker(rng, [c for c, _ in CHANNELS], [w for _, w in CHANNELS])
    search = Picker(rng, SEARCH_HOSTS, zipf(len(SEARCH_HOSTS), 1.5))
    social = Picker(rng, SOCIAL_HOSTS, zipf(len(SOCIAL_HOSTS)))
    referral = Picker(rng, [f"blog{n}.example.org" for n in range(2000)], zipf(2000, 1.1))
    browser = Picker(rng, BROWSERS, zipf(len(BROWSERS), 1.3))
    os_ = Picker(rng, OSES, zipf(len(OSES), 1.3))
    device = Picker(rng, DEVICES, zipf(len(DEVICES), 1.5))
    screen = Picker(rng, SCREENS, zipf(len(SCREENS)))
    lang = Picker(rng, LANGS, zipf(len(LANGS), 1.4))
    country = Picker(rng, [f"{chr(97 + n // 26)}{chr(97 + n % 26)}" for n in range(150)], zipf(150, 1.2))
    source = Picker(rng, UTM_SOURCES, zipf(len(UTM_SOURCES)))
    action = Picker(rng, ["event", "outlink", "download", "search"], [5, 2, 1, 2])
    event_name = Picker(rng, EVENT_NAMES, zipf(len(EVENT_NAMES), 1.2))
    query_text = Picker(rng, [f"query {n}" for n in range(5000)], zipf(5000))
    rows: list[tuple[Any, ...]] = []
    while len(rows) < scale.events:
        visitor = rng.getrandbits(62)
        ua = (
            browser(),
            str(rng.randint(100, 131)),
            os_(),
            device(),
            screen(),
            lang(),
            country() if rng.random() < 0.3 else None,
        )
        t = start_ms + hour() * 3_600_000 + rng.randrange(3_600_000)
        for _ in range(1 if rng.random() < 0.85 else rng.randint(2, 3)):
            ch = channel()
            ref = {"search": search, "social": social, "referral": referral}.get(ch)
            host = ref() if ref is not None else None
            utm: tuple[str | None, str | None, str | None] = (None, None, None)
            entry = page()
            if ch in ("campaign", "email"):
                utm = (
                    "newsletter" if ch == "email" else source(),
                    "email" if ch == "email" else "social",
                    f"promo-{rng.randrange(30):02d}",
                )
                entry += f"?utm_source={utm[0]}&utm_medium={utm[1]}&utm_campaign={utm[2]}"
            bounce = rng.random() < 0.45
            views = 1 if bounce else 2 + min(int(rng.expovariate(0.6)), 30)
            first = True
            for n in range(views):
                if t >= end_ms:
                    break
                path = entry if n == 0 else page()
                rows.append(
                    (
                        SITE,
                        t,
                        dayiso,
                        visitor,
                        "pageview",
                        path,
                        None,
                        host if first else None,
                        "/" if first and host else None,
                        *(utm if first else (None, None, None)),
                        *ua,
                        None,
                        None,
                        None,
                        None,
                        0,
                    )
                )
                first = False
                stay = 5_000 + int(rng.expovariate(1 / 60_000))
                for k in range(min(stay // 30_000, 4)):  # a heartbeat every 30 s of the stay
                    if t + (k + 1) * 30_000 < end_ms:
                        rows.append(
                            (
                                SITE,
                                t + (k + 1) * 30_000,
                                dayiso,
                                visitor,
                                "ping",
                                path,
                                None,
                                None,
                                None,
                                None,
                                None,
                                None,
                                *ua,
                                None,
                                None,
                                None,
                                None,
                                0,
                            )
                        )
                if not bounce and rng.random() < 0.35:
                    kind = action()
                    category = act = target = text = None
                    if kind == "event":
                        category, act = event_name().split(" / ")
                    elif kind == "outlink":
                        target = f"https://{referral()}/x"
                    elif kind == "download":
                        target = f"https://cdn.example.com/files/report-{rng.randrange(60):03d}.pdf"
                    else:
                        text = query_text()
                    rows.append(
                        (
                            SITE,
                            t + stay // 2,
                            dayiso,
                            visitor,
                            kind,
                            path,
                            None,
                            None,
                            None,
                            None,
                            None,
                            None,
                            *ua,
                            category,
                            act,
                            target,
                            text,
                            0,
                        )
                    )
                t += stay
            t += 1_900_000 + rng.randrange(7_200_000)  # the next visit: after 30 minutes
            if t >= end_ms:
                break
    rows = [r for r in rows if r[1] < end_ms][: scale.events]
    rows.sort(key=lambda r: r[1])
    return rows


def fill_events(path: Path, rows: list[tuple[Any, ...]]) -> None:
    conn = bulk_connection(path)
    try:
        conn.execute("BEGIN")
        conn.executemany(EVENT_SQL, rows)
        conn.execute("COMMIT")
    finally:
        conn.close()
