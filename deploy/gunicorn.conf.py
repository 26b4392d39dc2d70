"""gunicorn settings for the Aduan web app (webhooks, dashboard, public pages, Open311, health).

    aduan web                                                          (reads this file)
    gunicorn -c deploy/gunicorn.conf.py 'web:app_from_environment()'   (the same, by hand)

Reasons for each value are in docs/DEPLOYMENT.md, section "gunicorn". Three variables tune it without
editing this file (all documented in deploy/env.example), read through the desk's one environment
object (models/environment.py):

    ADUAN_BIND                address to listen on (default 127.0.0.1:8000: only the reverse proxy talks to us)
    WEB_CONCURRENCY           worker processes (gunicorn's own convention; default below)
    PROMETHEUS_MULTIPROC_DIR  where the workers keep their metrics for /metrics (default: a fresh
                              temporary directory per start, removed at exit)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from models.environment import Environment

environment = Environment.read()

# --- where ------------------------------------------------------------------------------------

# Loopback only: TLS, request size limits and slow clients are the reverse proxy's job.
bind = environment.aduan_bind
# Requests waiting for a worker while every worker is busy (a burst of Twilio retries, for example).
backlog = 2048

# --- how many ---------------------------------------------------------------------------------

# gthread workers, 4 threads each: a webhook spends much of its time waiting (SQLite's writer lock,
# PostgreSQL's commits and round trips), and a thread overlaps that wait with another request's work.
# Measured with wrk on realistic complaint conversations (bench/webhook_wrk.py, docs/PERFORMANCE.md):
# at the same connection count 2 x 4 threads served 2-4 times what 2 sync workers did, on SQLite and on
# PostgreSQL, with a lower p99. Each worker's database pool (5 connections, 10 overflow) covers its
# threads. The web units run two instances (aduan-web@8000 and @8001) so that restarts never refuse a
# webhook; with one worker per core in each, the host runs two workers per core.
workers = environment.web_concurrency or max(2, os.cpu_count() or 1)
worker_class = "gthread"
threads = 4

# No preload: each worker must open its own database pool after the fork, and import prometheus_client
# only once on_starting (below) has named the metrics directory.
preload_app = False

# --- time limits ------------------------------------------------------------------------------

# Twilio waits 15 s for a webhook answer; a request still running after 30 s is stuck, not slow.
timeout = 30
# On SIGTERM/SIGHUP a worker may finish its request for this long (photos are downloaded by the notifier).
graceful_timeout = 25
# nginx keeps connections to us open between requests.
keepalive = 5

# --- behind the proxy -------------------------------------------------------------------------

# Only the local proxy may set X-Forwarded-Proto (gunicorn then reports https to the app).
# The Twilio signature check does not rely on this: it uses PUBLIC_BASE_URL (see DEPLOYMENT.md).
forwarded_allow_ips = "127.0.0.1,::1"
# Request line and headers: gunicorn's defaults, stated so that nobody raises them by accident.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# --- logs (journald picks up stderr) ----------------------------------------------------------

accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms'
proc_name = "aduan-web"


# --- metrics across workers (web/metrics.py) -----------------------------------------------------

# Every worker writes its counters to files here; a scrape, whichever worker answers it, adds them up.
_created_metrics_directory: list[Path] = []
_multiprocess: list[Any] = []


def on_starting(server: Any) -> None:
    """Before any worker starts: an empty metrics directory, named in the workers' environment."""
    directory = environment.prometheus_multiproc_dir
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="aduan-metrics-"))
        _created_metrics_directory.append(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):  # counts of an earlier run would add up with this one's
        stale.unlink()
    environment.export_metrics_directory(directory)
    # Imported now, once the directory is named (prometheus_client picks its mode on import, and the
    # workers inherit this import), and not in child_exit: that runs from a SIGCHLD handler, which could
    # interrupt this very import when two workers exit together.
    from prometheus_client import multiprocess

    _multiprocess.append(multiprocess)


def child_exit(server: Any, worker: Any) -> None:
    for multiprocess in _multiprocess:
        multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    for directory in _created_metrics_directory:
        shutil.rmtree(directory, ignore_errors=True)
