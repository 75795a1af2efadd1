"""Process-local counters and histograms, rendered as Prometheus text at ``/metrics``.
With several workers each process reports its own (scrape them through the same port
and sum, or run one worker per container)."""

from __future__ import annotations

import bisect
from collections import Counter

BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
LATENCY_BUCKETS_S = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1.0)


class Histogram:
    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets = buckets
        self.counts = [0] * (len(buckets) + 1)
        self.sum = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.sum += value
        self.count += 1

    def render(self, name: str) -> list[str]:
        lines = [f"# TYPE {name} histogram"]
        running = 0
        for bound, n in zip(self.buckets, self.counts, strict=False):
            running += n
            lines.append(f'{name}_bucket{{le="{bound}"}} {running}')
        lines.append(f'{name}_bucket{{le="+Inf"}} {self.count}')
        lines.append(f"{name}_sum {self.sum:.6f}")
        lines.append(f"{name}_count {self.count}")
        return lines


class Metrics:
    def __init__(self) -> None:
        self.accepted = 0
        self.invalid = 0
        self.dropped: Counter[str] = Counter()
        self.batch_size = Histogram(BATCH_BUCKETS)
        self.commit_seconds = Histogram(LATENCY_BUCKETS_S)
        self.write_errors = 0
        # the User-Agent cache (collector.ingest.useragent.UAParser)
        self.ua_cache_hits = 0
        self.ua_cache_misses = 0
        self.ua_cache_entries = 0
        self.store_unavailable = 0

    def render(self) -> str:
        lines = [
            "# HELP collector_accepted_total Tracking requests stored as events.",
            "# TYPE collector_accepted_total counter",
            f"collector_accepted_total {self.accepted}",
            "# HELP collector_invalid_total Tracking requests refused with a 4xx.",
            "# TYPE collector_invalid_total counter",
            f"collector_invalid_total {self.invalid}",
            "# HELP collector_dropped_total Valid requests not stored, by reason.",
            "# TYPE collector_dropped_total counter",
        ]
        lines += [f'collector_dropped_total{{reason="{r}"}} {n}' for r, n in sorted(self.dropped.items())]
        lines += [
            "# HELP collector_write_errors_total Batches that failed to commit.",
            "# TYPE collector_write_errors_total counter",
            f"collector_write_errors_total {self.write_errors}",
            "# HELP collector_store_unavailable_total Tracking requests answered 503: the store "
            "could not take writes (disk full, read-only or missing database).",
            "# TYPE collector_store_unavailable_total counter",
            f"collector_store_unavailable_total {self.store_unavailable}",
            "# HELP collector_batch_size Requests per group commit.",
        ]
        lines += self.batch_size.render("collector_batch_size")
        lines.append("# HELP collector_commit_seconds Time to write and commit one batch.")
        lines += self.commit_seconds.render("collector_commit_seconds")
        lookups = self.ua_cache_hits + self.ua_cache_misses
        lines += [
            "# HELP collector_ua_cache_hits_total User-Agent lookups answered by the cache.",
            "# TYPE collector_ua_cache_hits_total counter",
            f"collector_ua_cache_hits_total {self.ua_cache_hits}",
            "# HELP collector_ua_cache_misses_total User-Agent lookups parsed (not in the cache).",
            "# TYPE collector_ua_cache_misses_total counter",
            f"collector_ua_cache_misses_total {self.ua_cache_misses}",
            "# HELP collector_ua_cache_hit_ratio Share of User-Agent lookups answered by the cache.",
            "# TYPE collector_ua_cache_hit_ratio gauge",
            f"collector_ua_cache_hit_ratio {self.ua_cache_hits / lookups if lookups else 0.0:.4f}",
            "# HELP collector_ua_cache_entries User-Agents in the cache (its size is capped).",
            "# TYPE collector_ua_cache_entries gauge",
            f"collector_ua_cache_entries {self.ua_cache_entries}",
        ]
        return "\n".join(lines) + "\n"
