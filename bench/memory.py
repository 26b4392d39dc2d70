"""Peak memory (RSS) of each kind of process, against a bare interpreter measured in the same run.

    python bench/memory.py [--data PATH] [--notifications 1600] [--json]

Each process runs as a child of this script on a fresh SQLite file with the channel secrets removed
(every message goes to the log transport; nothing leaves the machine). Its peak resident set comes from
wait4's rusage (ru_maxrss, through a small launcher so this script's own memory does not leak into the
figure) once it has exited, or from /proc/PID/status (VmHWM) while it still runs:

- baseline: `python -c "import sqlalchemy, flask"`, the floor any of our processes starts from;
- console bot: `run_bot.py --console` filing complaints through the whole dialog;
- router CLI: `python -m bot.classifier classify`, and `evaluate` on the dev set when --data is given;
- notifier: `run_notifier.py` (the scheduler, looping) delivering --notifications queued WhatsApp rows;
  also gives the sends per second of one notifier process (log transport, WhatsApp's 80/s bucket).

The web worker's figure comes from bench/webhook.py (VmHWM of each gunicorn worker after its run).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# ruff: noqa: E402  (path set up above so the script runs from anywhere)
from sqlalchemy import func, select

from bench.support import bulk_insert, measured_command, peak_rss_mb, progress_printer, read_measured
from models.config import load_settings
from models.environment import Environment
from models.runtime import Database, prepare_database
from models.tables import Notification

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SECRET_PREFIXES = ("TELEGRAM_", "TWILIO_", "SMTP_", "OPEN311_")
COMPLAINTS = ["jln rusak dpn sdn 2 udh 3 bln", "lampu pju mati di gang mawar", "sampah numpuk dkt pasar",
              "air pdam keruh sdh seminggu", "banjir di jalan ahmad yani, drainase tersumbat"]


def clean_environment(database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(SECRET_PREFIXES)}
    env.update(DATABASE_URL=database_url, CONSOLE_CHAT_ID="bench-memory", PYTHONUNBUFFERED="1")
    return env


def run_to_exit(command: list[str], env: dict[str, str], workdir: Path, stdin_text: str = "",
                timeout: float = 120.0) -> dict[str, Any]:
    """Run a child to completion and return its exit code, wall time and peak RSS (its own wait4 rusage)."""
    report = workdir / f"rss-{time.monotonic_ns()}.txt"
    started = time.monotonic()
    try:
        subprocess.run(measured_command(command, report), cwd=ROOT, env=env, input=stdin_text.encode(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, check=False)
        code, peak = read_measured(report)
    except (subprocess.TimeoutExpired, OSError, ValueError) as error:
        return {"exit": -1, "error": type(error).__name__, "peak_rss_mb": float("nan"), "command": shown(command)}
    return {"exit": code, "seconds": round(time.monotonic() - started, 2), "peak_rss_mb": round(peak, 1),
            "command": shown(command)}


def shown(command: list[str]) -> str:
    return " ".join("python" if part == PYTHON else part for part in command)


def console_script(complaints: int) -> str:
    """One whole filing per complaint: text, location, no photo, privacy 1, confirm, then a status check."""
    turns = []
    for number in range(complaints):
        turns += [COMPLAINTS[number % len(COMPLAINTS)], f"RT {number} Marabahan", "LEWATI", "1", "YA", "CEK"]
    return "\n".join(turns) + "\n"


def measure_simple_processes(directory: Path, data: Path | None) -> dict[str, Any]:
    env = clean_environment(f"sqlite:///{directory}/console.db")
    prepare_database(load_settings(ROOT / "config.yaml"), Environment.of({}),
                     f"sqlite:///{directory}/console.db").engine.dispose()  # as `make run` does first
    figures = {
        "baseline": run_to_exit([PYTHON, "-c", "import sqlalchemy, flask"], env, directory),
        "console_bot": run_to_exit([PYTHON, "run_bot.py", "--console"], env, directory, console_script(10)),
        "router_cli": run_to_exit([PYTHON, "-m", "bot.classifier", "classify", COMPLAINTS[0]], env, directory),
    }
    if data is not None:
        figures["router_evaluate"] = run_to_exit([PYTHON, "-m", "bot.classifier", "evaluate", str(data),
                                                  "--json"], env, directory)
    return figures


def queue_notifications(database: Database, count: int) -> None:
    now = datetime.now(UTC)
    rows = ({"dedup_key": f"bench-memory:{n}", "recipient_kind": "official", "recipient_id": "bench",
             "channel": "whatsapp", "address": f"+62812{n:07d}", "purpose": "bench", "level": 0,
             "payload": {"text": f"pesan {n}"}, "status": "queued", "attempts": 0, "next_attempt_at": now,
             "created_at": now} for n in range(count))
    bulk_insert(database.engine, Notification.__table__, rows)


def delivery_progress(database: Database) -> tuple[int, int, Any, Any]:
    """(rows still to deliver, rows sent, first and last sent_at)."""
    with database.sessions() as session:
        queued = session.scalar(select(func.count())
                                .where(Notification.status.in_(("queued", "sending")))) or 0
        sent, first, last = session.execute(select(func.count(), func.min(Notification.sent_at),
                                                   func.max(Notification.sent_at))
                                            .where(Notification.status == "sent")).one()
    return int(queued), int(sent), first, last


def measure_notifier(directory: Path, count: int, timeout: float) -> dict[str, Any]:
    """run_notifier.py in its looping mode until the queue is empty; peak RSS and sends per second."""
    url = f"sqlite:///{directory}/notifier.db"
    database = prepare_database(load_settings(ROOT / "config.yaml"), Environment.of({}), url)
    queue_notifications(database, count)
    process = subprocess.Popen([PYTHON, "run_notifier.py"], cwd=ROOT, env=clean_environment(url),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    running_peak = None
    queued = count
    while queued and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.5)
        running_peak = peak_rss_mb(process.pid) or running_peak
        queued, sent, first, last = delivery_progress(database)
    running_peak = peak_rss_mb(process.pid) or running_peak  # VmHWM of its own memory, just before stopping
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    queued, sent, first, last = delivery_progress(database)
    database.engine.dispose()
    span = (last - first).total_seconds() if sent > 1 else 0.0
    return {"command": "run_notifier.py (scheduler loop)", "notifications": count, "sent": sent,
            "left_queued": queued, "send_seconds": round(span, 2),
            "sends_per_second": round((sent - 1) / span, 1) if span else None,
            "peak_rss_mb": round(running_peak or float("nan"), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None, help="labelled CSV for the router evaluate run")
    parser.add_argument("--notifications", type=int, default=1600, help="queued rows the notifier delivers")
    parser.add_argument("--timeout", type=float, default=180.0, help="give the notifier at most this many s")
    parser.add_argument("--json", action="store_true", help="print one JSON object (progress goes to stderr)")
    args = parser.parse_args()
    say = progress_printer(args.json)
    data = args.data if args.data is not None and args.data.is_file() else None
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as directory:
        figures = measure_simple_processes(Path(directory), data)
        figures["notifier"] = measure_notifier(Path(directory), args.notifications, args.timeout)
    baseline = figures["baseline"]["peak_rss_mb"]
    for name, figure in figures.items():
        figure["ratio_to_baseline"] = round(figure["peak_rss_mb"] / baseline, 2)
        say(f"{name:<16} {figure['peak_rss_mb']:7.1f} MB  x{figure['ratio_to_baseline']:.2f}  {figure['command']}")
    notifier = figures["notifier"]
    say(f"notifier delivered {notifier['sent']}/{notifier['notifications']} at {notifier['sends_per_second']}/s")
    if args.json:
        print(json.dumps(figures))
    failed = [name for name, figure in figures.items() if figure.get("exit", 0) != 0 or figure.get("left_queued")]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
