""""Reaksi cepat": from the citizen's confirmation to the agency admin's alert handed to a transport.

    python bench/relay.py [--complaints 60] [--latency-ms 0] [--backlog 0] [--json]

Runs the real notifier scheduler (code-defined jobs, `wake_seconds` peek) in a thread on a temp SQLite
file, files complaints at random intervals the way the dialog's confirming turn does (one Desk
transaction), and times until the first admin alert of each reaches the transport. Prints p50/p95/max
(target p95 <= 5 s; <= 1 s with a backlog) and the wake interval it ran with.

With --latency-ms every fake provider answers that much later (Telegram and Twilio take 150-400 ms from
Indonesia); with --backlog N, N morning digests per channel (Telegram and WhatsApp, each to its own
chat) are queued before the first complaint, so the alerts must overtake a busy outbox. The complaints
then come faster (every 0.1-0.7 s) so that all of them are filed while the digests are still going out.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# ruff: noqa: E402  (path set up above so the script runs from anywhere)
from sqlalchemy import insert

from bench.support import progress_printer
from models.clock import system_clock
from models.config import load_settings
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.environment import Environment
from models.runtime import Database, prepare_database
from models.tables import Notification
from notifier.service import Notifier
from notifier.transports import OutgoingMessage, SendResult

ROOT = Path(__file__).resolve().parents[1]


class Stopwatch:
    name = "stopwatch"

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.first_alert: dict[str, float] = {}
        self.digests = 0
        self.lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> SendResult:
        code = str(message.payload.get("variables", {}).get("code", ""))
        with self.lock:
            if message.purpose == "new_complaint":
                self.first_alert.setdefault(code, time.monotonic())
            elif message.purpose == "digest":
                self.digests += 1
        if self.latency:
            time.sleep(self.latency)
        return SendResult(None)


def queue_digests(database: Database, count: int) -> None:
    """`count` digests on Telegram and as many on WhatsApp, each to its own chat, due now."""
    now = system_clock()
    rows = [{"dedup_key": f"digest:bench:{channel}:{n}", "recipient_kind": "official", "recipient_id": "bench",
             "channel": channel, "address": str(8_290_000_000 + n) if channel == "telegram" else f"+6281{n:09d}",
             "purpose": "digest", "level": 0, "payload": {"text": f"Ringkasan pagi {n}"}, "status": "queued",
             "attempts": 0, "next_attempt_at": now, "created_at": now}
            for n in range(count) for channel in ("telegram", "whatsapp")]
    if rows:
        with transaction(database.sessions) as session:
            session.execute(insert(Notification), rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=int, default=60)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="every fake provider's answer time")
    parser.add_argument("--backlog", type=int, default=0, help="digests queued per channel before the complaints")
    parser.add_argument("--json", action="store_true", help="print one JSON object (progress goes to stderr)")
    args = parser.parse_args()
    say = progress_printer(args.json)
    settings = load_settings(ROOT / "config.yaml")
    calendar = calendar_for(settings)
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as directory:
        database = prepare_database(settings, Environment.of({}), f"sqlite:///{directory}/relay.db")
        stopwatch = Stopwatch(args.latency_ms / 1000)
        queue_digests(database, args.backlog)
        gap = (0.1, 0.7) if args.backlog else (0.1, 1.5)
        transports = {"whatsapp": stopwatch, "telegram": stopwatch, "email": stopwatch}
        notifier = Notifier(settings, database.sessions, system_clock, transports=transports, fallback=stopwatch)
        scheduler = notifier.scheduler()
        worker = threading.Thread(target=scheduler.start, daemon=True)
        worker.start()
        confirmed: dict[str, float] = {}
        for number in range(args.complaints):
            time.sleep(rng.uniform(*gap))
            with transaction(database.sessions) as session:
                desk = Desk(session, settings, calendar, system_clock())
                reporter = desk.reporter_for("whatsapp", f"+62812000{number:05d}", None, None)
                complaint = desk.file(NewComplaint(reporter=reporter, text="jalan berlubang di depan SDN 2",
                                                   channel="whatsapp", agency_code="PUPR"), dispatch=True)
                code = complaint.code
            confirmed[code] = time.monotonic()
        deadline = time.monotonic() + 30
        while len(stopwatch.first_alert) < len(confirmed) and time.monotonic() < deadline:
            time.sleep(0.05)
        digests_sent = stopwatch.digests
        gave_up = time.monotonic()
        scheduler.shutdown(wait=False)
    handed = sum(1 for code in confirmed if code in stopwatch.first_alert)
    # An alert still not handed over counts with the time waited for it: a lower bound, never a flattering gap.
    latencies = sorted(stopwatch.first_alert.get(code, gave_up) - at for code, at in confirmed.items())
    p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
    say(f"{handed}/{len(confirmed)} alerts handed over; wake every {settings.notifier.wake_seconds} s; "
        f"{args.latency_ms:.0f} ms per request; {digests_sent}/{2 * args.backlog} digests sent by the last alert")
    say(f"confirm -> admin alert: p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, "
        f"max {latencies[-1]:.2f} s (target p95 <= 5 s; ratio p95/target {p95 / 5:.2f})")
    if args.json:
        print(json.dumps({"complaints": len(confirmed), "handed_over": handed,
                          "latency_ms": args.latency_ms, "backlog_per_channel": args.backlog,
                          "digests_sent_by_last_alert": digests_sent,
                          "wake_seconds": settings.notifier.wake_seconds,
                          "p50_seconds": round(statistics.median(latencies), 3), "p95_seconds": round(p95, 3),
                          "max_seconds": round(latencies[-1], 3)}))
    return 0 if handed == len(confirmed) else 1


if __name__ == "__main__":
    raise SystemExit(main())
