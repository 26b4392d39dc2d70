#!/usr/bin/env python3
"""Benchmark: signed WhatsApp complaint conversations under wrk, against a bare endpoint of the same app.

    .venv/bin/python bench/webhook_wrk.py [--seconds 6] [--connections 4,16] [--workers sync,gthread]
                                          [--no-postgres] [--json]

Starts `gunicorn -w 2 'web:app_from_environment()'` on 127.0.0.1 (sync workers, then gthread workers
with 4 threads each) on a fresh SQLite file and, when one answers, a fresh PostgreSQL database. wrk
(Debian's package, /usr/bin/wrk; C and epoll, so the load generator is not what saturates) posts
pre-signed realistic complaint conversations (bench/conversations.py: the complaint, a place, no photo,
a privacy choice, "ya": the router, the dialog, the filing and the outbox on the path) from a Lua
script, every MessageSid new; then the bare `/livez` of the same app at the same connection counts.
Prints requests/s and p50/p99 per level, and per backend and worker class the best webhook level whose
p99 stays within 50 ms (the fastest level if none does) as a ratio of the best bare level.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# ruff: noqa: E402  (path set up above so the script runs from anywhere)
from bench.conversations import PATH, interleaved, signed
from bench.support import child_pids, peak_rss_mb, postgres_admin_url, private_postgres_database, progress_printer
from bench.webhook import free_port, prepare_schema
from bench.webhook import start_gunicorn as start_app

TOKEN = "bench-auth-token"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
WRK_THREADS = 2
P99_TARGET_MS = 50.0
# Conversations generated per wrk thread and level: more than a level can post, so no MessageSid repeats.
CONVERSATIONS_PER_THREAD = 900

LUA = r"""
local requests, counter, total = {}, 0, 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1] .. "." .. id, "r"))
  for line in file:lines() do
    local signature, body = line:match("^([^\t]+)\t(.*)$")
    table.insert(requests, wrk.format("POST", args[2], {["Content-Type"] = "application/x-www-form-urlencoded",
                                                          ["X-Twilio-Signature"] = signature}, body))
  end
  file:close()
end

function request()
  counter = counter + 1
  if counter > #requests then counter = 1 end
  return requests[counter]
end

function done(summary, latency, requests_)
  io.write(string.format('WRKJSON {"requests": %d, "seconds": %.3f, "errors_status": %d, "errors_other": %d, ' ..
    '"p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""

BARE_LUA = LUA[LUA.index("function done"):]


def write_requests(prefix: Path, port: int, first_conversation: int) -> int:
    """One file of signed requests per wrk thread, each thread its own citizens; returns the count."""
    url = f"http://127.0.0.1:{port}{PATH}"
    count = 0
    for thread in range(1, WRK_THREADS + 1):
        start = first_conversation + thread * CONVERSATIONS_PER_THREAD
        with open(f"{prefix}.{thread}", "w", encoding="utf-8") as out:
            for form in interleaved(CONVERSATIONS_PER_THREAD, 25, seed=start, first=start):
                body, signature = signed(form, url, TOKEN)
                out.write(f"{signature}\t{body.decode()}\n")
                count += 1
    return count


def run_wrk(port: int, connections: int, seconds: float, script: Path, args: list[str], path: str) -> dict[str, Any]:
    duration = f"{max(1, round(seconds))}s"  # wrk takes whole seconds
    command = [WRK, "-t", str(WRK_THREADS), "-c", str(max(connections, WRK_THREADS)), "-d", duration,
               "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}{path}", "--", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {(done.stderr or done.stdout)[-500:]}")
    output = done.stdout
    line = next(line for line in output.splitlines() if line.startswith("WRKJSON "))
    result: dict[str, Any] = json.loads(line.removeprefix("WRKJSON "))
    result["connections"] = connections
    result["per_second"] = round(result["requests"] / result["seconds"], 1) if result["seconds"] else 0.0
    return result


def start_gunicorn(port: int, database_url: str, workdir: Path, worker_class: str) -> subprocess.Popen[bytes]:
    threads = ("--threads", "4") if worker_class == "gthread" else ()
    return start_app(port, database_url, workdir, ("-k", worker_class, *threads), f"gunicorn-{worker_class}.log")


def headline(levels: list[dict[str, Any]]) -> dict[str, Any]:
    within = [level for level in levels if level["p99_ms"] <= P99_TARGET_MS and not level["errors_status"]]
    return max(within or levels, key=lambda level: level["per_second"])


def bench_server(name: str, database_url: str, worker_class: str, connections: list[int], seconds: float,
                 workdir: Path, say: Callable[..., None]) -> dict[str, Any]:
    port = free_port()
    process = start_gunicorn(port, database_url, workdir, worker_class)
    script, bare_script = workdir / "conversations.lua", workdir / "bare.lua"
    script.write_text(LUA)
    bare_script.write_text(BARE_LUA)
    try:
        say(f"\n{name}, gunicorn -w 2 -k {worker_class}{' --threads 4' if worker_class == 'gthread' else ''}")
        say(f"{'endpoint':<8} {'conn':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>7} {'sent/made':>10}")
        prefix = workdir / f"requests-{worker_class}"
        write_requests(prefix, port, 0)
        run_wrk(port, 4, 2.0, script, [str(prefix), PATH], PATH)  # warm: imports, holidays, routing table
        measured: dict[str, list[dict[str, Any]]] = {"webhook": [], "bare": []}
        for number, count in enumerate(connections, start=1):
            made = write_requests(prefix, port, number * 10 * CONVERSATIONS_PER_THREAD)
            level = run_wrk(port, count, seconds, script, [str(prefix), PATH], PATH)
            level["generated"] = made
            measured["webhook"].append(level)
            say(f"{'webhook':<8} {count:>4} {level['per_second']:>8.0f} {level['p50_ms']:>8.1f} "
                f"{level['p99_ms']:>8.1f} {level['errors_status']:>7} {level['requests']:>5}/{made}")
        for count in connections:
            level = run_wrk(port, count, seconds, bare_script, [], "/livez")
            measured["bare"].append(level)
            say(f"{'bare':<8} {count:>4} {level['per_second']:>8.0f} {level['p50_ms']:>8.1f} {level['p99_ms']:>8.1f} "
                f"{level['errors_status']:>7}")
        best_webhook, best_bare = headline(measured["webhook"]), headline(measured["bare"])
        ratio = best_webhook["per_second"] / best_bare["per_second"] if best_bare["per_second"] else float("nan")
        say(f"{name} {worker_class}: webhook {best_webhook['per_second']:.0f} req/s "
            f"(p99 {best_webhook['p99_ms']:.1f} ms, {best_webhook['connections']} connections), "
            f"bare {best_bare['per_second']:.0f} req/s: ratio {ratio:.3f}")
        workers = [peak for pid in child_pids(process.pid) if (peak := peak_rss_mb(pid)) is not None]
        return {"levels": measured, "best_webhook": best_webhook, "best_bare": best_bare, "ratio": round(ratio, 3),
                "worker_peak_rss_mb": [round(mb, 1) for mb in workers]}
    finally:
        process.terminate()
        process.wait(timeout=20)


def bench_backend(name: str, database_url: str, workers: list[str], connections: list[int], seconds: float,
                  workdir: Path, say: Callable[..., None]) -> dict[str, Any]:
    prepare_schema(database_url)
    return {worker: bench_server(name, database_url, worker, connections, seconds, workdir, say)
            for worker in workers}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=6.0, help="duration of each level")
    parser.add_argument("--connections", default="4,16", help="wrk connection counts")
    parser.add_argument("--workers", default="sync,gthread", help="gunicorn worker classes")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--deadline", type=float, default=900.0, help="abort the whole run after this many s")
    parser.add_argument("--json", action="store_true", help="print one JSON object (progress goes to stderr)")
    args = parser.parse_args()
    say = progress_printer(args.json)
    if not Path(WRK).exists():
        say("wrk is not installed (apt-get install wrk)")
        return 2
    watchdog = threading.Timer(args.deadline, lambda: os._exit(3))
    watchdog.daemon = True
    watchdog.start()
    connections = [int(part) for part in args.connections.split(",")]
    workers = args.workers.split(",")
    say(f"{os.cpu_count()} CPUs; wrk -t{WRK_THREADS}; {args.seconds:.0f} s per level; realistic conversations")
    report: dict[str, Any] = {"seconds_per_level": args.seconds, "connections": connections, "backends": {}}
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        workdir = Path(tmp)
        report["backends"]["sqlite"] = bench_backend("SQLite", f"sqlite:///{workdir / 'bench.db'}", workers,
                                                     connections, args.seconds, workdir, say)
        admin = None if args.no_postgres else postgres_admin_url()
        if admin:
            with private_postgres_database(admin, "webhookwrk") as url:
                report["backends"]["postgresql"] = bench_backend("PostgreSQL", url, workers, connections,
                                                                 args.seconds, workdir, say)
        else:
            report["backends"]["postgresql"] = {"skipped": "not reachable" if not args.no_postgres
                                                else "--no-postgres"}
    if args.json:
        print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
