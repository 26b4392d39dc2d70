"""Prometheus metrics for /metrics, with prometheus_client.

Under gunicorn every worker is a process of its own, so counters live in prometheus_client's
multiprocess mode: each worker writes its values to files in PROMETHEUS_MULTIPROC_DIR (set up by
deploy/gunicorn.conf.py before the workers start) and a scrape, whichever worker answers it, adds
up the files of all of them. Without that variable (tests, the local dashboard beside the console)
the process's own registry is used. Gauges about complaints and the outbox are read from the
database at each scrape (web/dashboard/ops.py), so they are the same whichever worker answers.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from flask import Flask, current_app, g, request
from prometheus_client import CollectorRegistry, Histogram, disable_created_metrics, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from models.environment import Environment

# The same series in both modes, and the names /metrics always had: no `_created` timestamps.
disable_created_metrics()  # type: ignore[no-untyped-call]
# The exposition format's content type.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One app's metrics: request latency per blueprint (webhooks: twilio, telegram)."""

    def __init__(self, environment: Environment) -> None:
        self.multiprocess_directory = environment.prometheus_multiproc_dir
        # Not in the library's global registry: several apps in one process (tests) keep their own counts.
        self.request_seconds = Histogram("aduan_http_request_seconds",
                                         "Request latency by blueprint (webhooks: twilio, telegram)",
                                         ["blueprint"], buckets=BUCKETS, registry=None)

    def observe(self, blueprint: str, seconds: float) -> None:
        self.request_seconds.labels(blueprint=blueprint).observe(seconds)

    def exposition(self, collectors: Iterable[Collector] = ()) -> bytes:
        """Everything for one scrape: every worker's counters, and the given collectors' values."""
        registry = CollectorRegistry(auto_describe=False)
        if self.multiprocess_directory is not None:
            MultiProcessCollector(registry, path=str(self.multiprocess_directory))  # type: ignore[no-untyped-call]
        else:
            registry.register(self.request_seconds)
        for collector in collectors:
            registry.register(collector)
        return generate_latest(registry)


def init_metrics(app: Flask, environment: Environment) -> Metrics:
    metrics = Metrics(environment)
    app.extensions["aduan.metrics"] = metrics

    @app.before_request
    def _start() -> None:
        g.aduan_started = time.perf_counter()

    @app.teardown_request
    def _stop(_error: BaseException | None = None) -> None:
        started = g.pop("aduan_started", None)
        if started is not None:
            metrics.observe(request.blueprint or "app", time.perf_counter() - started)

    return metrics


def app_metrics() -> Metrics:
    metrics: Metrics = current_app.extensions["aduan.metrics"]
    return metrics
