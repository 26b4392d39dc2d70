#!/usr/bin/env python3
"""Benchmark: signed Twilio webhooks against the app under gunicorn on loopback.

    .venv/bin/python bench/webhook.py [--seconds 3] [--levels 1,4,16,32] [--no-postgres] [--json]

Starts `gunicorn -w 2 'web:app_from_environment()'` on 127.0.0.1 with a fresh SQLite file (and a
fresh PostgreSQL database when one answers on 127.0.0.1:5432 or DATABASE_URL_TEST is set), posts
signed inbound WhatsApp messages at increasing concurrency, then the bare /livez endpoint of the
same app as the ceiling, and prints requests/s, p50/p99 latency, the ratio and each gunicorn worker's
peak RSS (VmHWM) after the run; --json prints all of it as one object. Loopback only; every
level is bounded by --seconds, and the whole run by --deadline.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from twilio.request_validator import RequestValidator  # noqa: E402

from bench.support import (  # noqa: E402
    child_pids,
    peak_rss_mb,
    postgres_admin_url,
    private_postgres_database,
    progress_printer,
)

TOKEN = "bench-auth-token"
PATH = "/webhooks/twilio/whatsapp"
SENDERS = 500


@dataclass
class Level:
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    def summary(self, endpoint: str) -> dict[str, Any]:
        return {"endpoint": endpoint, "concurrency": self.concurrency, "requests": self.requests,
                "errors": self.errors, "per_second": round(self.rate, 1),
                "p50_ms": round(self.percentile(0.50), 2), "p99_ms": round(self.percentile(0.99), 2)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def signed_form(port: int, counter: itertools.count[int]) -> tuple[bytes, str]:
    number = next(counter)
    form = {"MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": "AC" + "0" * 32,
            "From": f"whatsapp:+62812{number % SENDERS:07d}", "To": "whatsapp:+6281100009999",
            "Body": "halo", "NumMedia": "0", "ProfileName": "Warga Bench"}
    signature = RequestValidator(TOKEN).compute_signature(f"http://127.0.0.1:{port}{PATH}", form)
    return urlencode(form).encode(), signature


def one_request(port: int, method: str, path: str, body: bytes | None, signature: str | None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    if signature:
        headers["X-Twilio-Signature"] = signature
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def run_level(port: int, concurrency: int, seconds: float, webhook: bool) -> Level:
    counter = itertools.count()
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker() -> None:
        mine: list[float] = []
        while time.perf_counter() < stop_at:
            body, signature = signed_form(port, counter) if webhook else (None, None)
            started = time.perf_counter()
            try:
                status = one_request(port, "POST" if webhook else "GET", PATH if webhook else "/livez",
                                     body, signature)
            except OSError:
                status = 0
            mine.append(time.perf_counter() - started)
            if status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Level(concurrency, len(latencies), errors[0], time.perf_counter() - started, latencies)


def start_gunicorn(port: int, database_url: str, workdir: Path, worker_args: tuple[str, ...] = (),
                   log_name: str = "gunicorn.log") -> subprocess.Popen[bytes]:
    """gunicorn -w 2 serving the app on `port` (with `worker_args`, e.g. a worker class), once /livez answers."""
    env = {**os.environ, "DATABASE_URL": database_url, "TWILIO_AUTH_TOKEN": TOKEN,
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "ADUAN_CONFIG": str(ROOT / "config.yaml"),
           "SECRET_KEY": secrets.token_hex(32)}  # the app refuses to start without a strong key
    env.pop("TRUST_PROXY", None)
    command = [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", *worker_args, "-b", f"127.0.0.1:{port}",
               "--log-level", "warning", "--backlog", "2048", "web:app_from_environment()"]
    log = workdir / log_name
    # The app logs one INFO line per message; the bench measures the work, not the terminal.
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=open(log, "ab"))  # noqa: SIM115
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if one_request(port, "GET", "/livez", None, None) == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    process.terminate()
    process.wait(timeout=20)
    log_lines = log.read_text(errors="replace").strip().splitlines() or ["(empty log)"]
    raise RuntimeError(f"gunicorn did not answer /livez (exit {process.poll()}): {log_lines[-1][:200]}")


def prepare_schema(database_url: str) -> None:
    from models.config import load_settings
    from models.environment import Environment
    from models.runtime import prepare_database

    prepare_database(load_settings(ROOT / "config.yaml"), Environment.of({}), database_url).engine.dispose()


def bench_backend(name: str, database_url: str, levels: list[int], seconds: float, workdir: Path,
                  say: Callable[..., None] = print) -> dict[str, Any]:
    prepare_schema(database_url)
    port = free_port()
    process = start_gunicorn(port, database_url, workdir)
    try:
        run_level(port, 4, 1.0, webhook=True)  # warm both workers (imports, routing table, connections)
        say(f"\n{name}: gunicorn -w 2 (sync) on 127.0.0.1:{port}")
        say(f"{'endpoint':<10} {'conc':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
        best: dict[bool, Level] = {}
        measured: list[dict[str, Any]] = []
        for webhook in (True, False):
            for concurrency in levels:
                level = run_level(port, concurrency, seconds, webhook)
                label = "webhook" if webhook else "bare"
                say(f"{label:<10} {concurrency:>4} {level.rate:>8.0f} {level.percentile(0.50):>8.1f} "
                    f"{level.percentile(0.99):>8.1f} {level.errors:>6}")
                measured.append(level.summary(label))
                if webhook not in best or level.rate > best[webhook].rate:
                    best[webhook] = level
        ratio = best[True].rate / best[False].rate if best[False].rate else float("nan")
        say(f"{name}: best webhook {best[True].rate:.0f} req/s (p99 {best[True].percentile(0.99):.1f} ms at "
            f"concurrency {best[True].concurrency}), bare ceiling {best[False].rate:.0f} req/s, "
            f"ratio {ratio:.2f}")
        workers = [peak for pid in child_pids(process.pid) if (peak := peak_rss_mb(pid)) is not None]
        say(f"{name}: gunicorn workers' peak RSS: {', '.join(f'{mb:.1f} MB' for mb in workers)}")
        return {"levels": measured, "best_webhook": best[True].summary("webhook"),
                "best_bare": best[False].summary("bare"), "ratio": round(ratio, 3),
                "worker_peak_rss_mb": [round(mb, 1) for mb in workers]}
    finally:
        process.terminate()
        process.wait(timeout=20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each level")
    parser.add_argument("--levels", default="1,4,16,32", help="client concurrency levels")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--deadline", type=float, default=300.0, help="abort the whole run after this many s")
    parser.add_argument("--json", action="store_true", help="print one JSON object (progress goes to stderr)")
    args = parser.parse_args()
    levels = [int(part) for part in args.levels.split(",")]
    say = progress_printer(args.json)
    watchdog = threading.Timer(args.deadline, lambda: os._exit(3))
    watchdog.daemon = True
    watchdog.start()
    say(f"{os.cpu_count()} CPUs; {args.seconds:.0f} s per level; signed inbound 'halo' from {SENDERS} senders")
    report: dict[str, Any] = {"seconds_per_level": args.seconds, "levels": levels, "backends": {}}
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp:
        workdir = Path(tmp)
        report["backends"]["sqlite"] = bench_backend("SQLite", f"sqlite:///{workdir / 'bench.db'}", levels,
                                                     args.seconds, workdir, say)
        admin = None if args.no_postgres else postgres_admin_url()
        if admin:
            with private_postgres_database(admin, "webhook") as url:
                report["backends"]["postgresql"] = bench_backend("PostgreSQL", url, levels, args.seconds, workdir,
                                                                 say)
        else:
            say("\nPostgreSQL: not reachable, skipped")
            report["backends"]["postgresql"] = {"skipped": "not reachable" if not args.no_postgres
                                                else "--no-postgres"}
    if args.json:
        print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
