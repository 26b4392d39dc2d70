"""Request latency per blueprint (webhooks included), kept in this process for /metrics.

A Prometheus histogram: each process reports its own counts, as usual for multi-worker servers.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from flask import Flask, g, request

BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Latency:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self._sums: dict[str, float] = defaultdict(float)

    def observe(self, name: str, seconds: float) -> None:
        with self._lock:
            counts = self._counts[name]
            for index, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[index] += 1
            counts[-1] += 1
            self._sums[name] += seconds

    def lines(self) -> list[str]:
        metric = "aduan_http_request_seconds"
        lines = [f"# HELP {metric} Request latency by blueprint (webhooks: twilio, telegram)\n",
                 f"# TYPE {metric} histogram\n"]
        with self._lock:
            for name in sorted(self._counts):
                counts = self._counts[name]
                for bound, count in zip(BUCKETS, counts, strict=False):
                    lines.append(f'{metric}_bucket{{blueprint="{name}",le="{bound}"}} {count}\n')
                lines.append(f'{metric}_bucket{{blueprint="{name}",le="+Inf"}} {counts[-1]}\n')
                lines.append(f'{metric}_sum{{blueprint="{name}"}} {self._sums[name]:.6f}\n')
                lines.append(f'{metric}_count{{blueprint="{name}"}} {counts[-1]}\n')
        return lines


def init_latency(app: Flask) -> Latency:
    latency = Latency()
    app.extensions["aduan.latency"] = latency

    @app.before_request
    def _start() -> None:
        g.aduan_started = time.perf_counter()

    @app.teardown_request
    def _stop(_error: BaseException | None = None) -> None:
        started = g.pop("aduan_started", None)
        if started is not None:
            latency.observe(request.blueprint or "app", time.perf_counter() - started)

    return latency
