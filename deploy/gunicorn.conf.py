"""gunicorn settings for the Aduan web app (webhooks, dashboard, public pages, Open311, health).

    gunicorn -c deploy/gunicorn.conf.py 'web:app_from_environment()'

Reasons for each value are in docs/DEPLOYMENT.md, section "gunicorn". Two variables tune it without
editing this file (both documented in deploy/env.example):

    ADUAN_BIND        address to listen on (default 127.0.0.1:8000: only the reverse proxy talks to us)
    WEB_CONCURRENCY   worker processes (gunicorn's own convention; default below)
"""

from __future__ import annotations

import os

# --- where ------------------------------------------------------------------------------------

# Loopback only: TLS, request size limits and slow clients are the reverse proxy's job.
bind = os.environ.get("ADUAN_BIND", "127.0.0.1:8000")
# Requests waiting for a worker while every worker is busy (a burst of Twilio retries, for example).
backlog = 2048

# --- how many ---------------------------------------------------------------------------------

# Sync workers: a request is one short database transaction (about ten SQL statements). The web
# units run two instances (aduan-web@8000 and @8001) so that restarts never refuse a webhook; with
# one worker per core in each, the host runs two workers per core, the shape the benchmarks measured
# (2 workers on 2 cores). On SQLite every writer queues on one file lock, so more workers add
# waiting, not throughput.
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, os.cpu_count() or 1)))
worker_class = "sync"

# No preload: each worker must open its own database pool and media download threads after the fork.
preload_app = False

# --- time limits ------------------------------------------------------------------------------

# Twilio waits 15 s for a webhook answer; a request still running after 30 s is stuck, not slow.
timeout = 30
# On SIGTERM/SIGHUP a worker may finish its request and its photo downloads for this long.
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


def worker_exit(server: object, worker: object) -> None:
    """Let photo downloads that were started after a reply finish before the worker goes away."""
    app = getattr(worker, "wsgi", None)
    fetcher = getattr(app, "extensions", {}).get("aduan.media") if app is not None else None
    if fetcher is not None:
        fetcher.drain(timeout=graceful_timeout - 5)
