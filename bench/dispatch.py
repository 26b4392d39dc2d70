"""Dispatch throughput under Telegram's limits, without provoking a single 429.

    python bench/dispatch.py [--messages 3000] [--recipients 1000] [--json]

A fake provider enforces Telegram's published limits (30 messages in any sliding second overall,
1 per second per chat) and answers 429 when exceeded. The notifier's token buckets must keep it
under them. Prints the achieved rate as a share of the 30/s limit (target >= 0.9) and the 429s
caused (target 0). Wall-clock run: about messages / 30 seconds.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# ruff: noqa: E402  (path set up above so the script runs from anywhere)
from bench.support import progress_printer
from models.clock import system_clock
from models.config import load_settings
from models.db import transaction
from models.environment import Environment
from models.runtime import prepare_database
from models.tables import Notification
from notifier.dispatcher import Dispatcher
from notifier.ratelimit import RateLimiter
from notifier.service import rate_limits
from notifier.transports import LogTransport, OutgoingMessage, SendResult, TransportError

ROOT = Path(__file__).resolve().parents[1]
OVERALL_PER_SECOND = 30
PER_CHAT_SECONDS = 1.0


class TelegramLikeProvider:
    """Answers 429 exactly when Telegram would (sliding one-second windows)."""

    name = "telegram"

    def __init__(self) -> None:
        self.sent: collections.deque[float] = collections.deque()
        self.last_by_chat: dict[str, float] = {}
        self.delivered = 0
        self.too_many = 0
        self.lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> SendResult:
        with self.lock:
            now = time.monotonic()
            while self.sent and now - self.sent[0] >= 1.0:
                self.sent.popleft()
            last = self.last_by_chat.get(message.address)
            if len(self.sent) >= OVERALL_PER_SECOND or (last is not None and now - last < PER_CHAT_SECONDS):
                self.too_many += 1
                raise TransportError("429 Too Many Requests", retry_after=1)
            self.sent.append(now)
            self.last_by_chat[message.address] = now
            self.delivered += 1
            return SendResult(f"tg-{message.notification_id}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--json", action="store_true", help="print one JSON object (progress goes to stderr)")
    args = parser.parse_args()
    say = progress_printer(args.json)
    settings = load_settings(ROOT / "config.yaml")
    with tempfile.TemporaryDirectory() as directory:
        database = prepare_database(settings, Environment.of({}), f"sqlite:///{directory}/dispatch.db")
        now = system_clock()
        rng = random.Random(7)
        rows = [{"dedup_key": f"bench:{n}", "recipient_kind": "official", "recipient_id": "bench",
                 "channel": "telegram", "address": str(8_190_000_000 + rng.randrange(args.recipients)),
                 "purpose": "bench", "level": 0, "payload": {"text": f"pesan {n}"}, "status": "queued",
                 "attempts": 0, "next_attempt_at": now, "created_at": now} for n in range(args.messages)]
        with transaction(database.sessions) as session:
            session.execute(Notification.__table__.insert(), rows)
        provider = TelegramLikeProvider()
        dispatcher = Dispatcher(database.sessions, {"telegram": provider}, LogTransport(), settings.notifier,
                                "bench", system_clock, limiter=RateLimiter(rate_limits(settings)))
        started = time.monotonic()
        while provider.delivered < args.messages:
            report = dispatcher.run_pass()
            if not report.sent:
                time.sleep(0.05)  # only deferred rows left: the notifier's wake tick would pick them up
        elapsed = time.monotonic() - started
    rate = provider.delivered / elapsed
    say(f"delivered {provider.delivered} messages to {args.recipients} chats in {elapsed:.1f} s")
    say(f"achieved rate {rate:.2f}/s = {rate / OVERALL_PER_SECOND:.3f} of Telegram's {OVERALL_PER_SECOND}/s "
        f"limit (target >= 0.9)")
    say(f"429s caused: {provider.too_many} (target 0)")
    if args.json:
        print(json.dumps({"messages": args.messages, "recipients": args.recipients, "delivered": provider.delivered,
                          "seconds": round(elapsed, 2), "per_second": round(rate, 2),
                          "limit_per_second": OVERALL_PER_SECOND, "share_of_limit": round(rate / OVERALL_PER_SECOND, 3),
                          "too_many_requests": provider.too_many}))
    return 0 if provider.too_many == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
