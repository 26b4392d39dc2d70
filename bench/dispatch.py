"""Dispatch throughput under a provider's limits, without provoking a single 429.

    python bench/dispatch.py [--provider telegram|whatsapp] [--latency-ms 0] [--messages 3000]
                             [--recipients 1000] [--json]

A fake provider enforces the published limits (Telegram: 30 messages in any sliding second overall,
1 per second per chat; a Twilio WhatsApp sender: 80 in any sliding second) and answers 429 when
exceeded; with --latency-ms it answers each request that much later, as Telegram and Twilio do from
Indonesia (150-400 ms). The notifier's token buckets must keep it under the limits, its lanes must
keep enough sends in flight to reach them. Prints the achieved rate as a share of the limit (target
>= 0.9) and the 429s caused (target 0). Wall-clock run: about messages / limit seconds.
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
from sqlalchemy import insert

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
# name -> (messages per sliding second, seconds between two messages to one chat or None)
PROVIDERS: dict[str, tuple[int, float | None]] = {"telegram": (30, 1.0), "whatsapp": (80, None)}


class LimitedProvider:
    """Answers 429 exactly when the provider would (sliding one-second windows), each answer after
    `latency` seconds; a request counts against the limits when it arrives, as at the provider."""

    def __init__(self, name: str, latency: float = 0.0) -> None:
        self.name = name
        self.per_second, self.per_chat_seconds = PROVIDERS[name]
        self.latency = latency
        self.sent: collections.deque[float] = collections.deque()
        self.last_by_chat: dict[str, float] = {}
        self.delivered = 0
        self.too_many = 0
        self.lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> SendResult:
        try:
            return self._arrive(message)
        finally:
            if self.latency:
                time.sleep(self.latency)

    def _arrive(self, message: OutgoingMessage) -> SendResult:
        with self.lock:
            now = time.monotonic()
            while self.sent and now - self.sent[0] >= 1.0:
                self.sent.popleft()
            last = self.last_by_chat.get(message.address)
            chat_busy = (self.per_chat_seconds is not None and last is not None
                         and now - last < self.per_chat_seconds)
            if len(self.sent) >= self.per_second or chat_busy:
                self.too_many += 1
                raise TransportError("429 Too Many Requests", retry_after=1)
            self.sent.append(now)
            self.last_by_chat[message.address] = now
            self.delivered += 1
            return SendResult(f"{self.name}-{message.notification_id}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--provider", choices=sorted(PROVIDERS), default="telegram")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="the fake provider's answer time")
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
                 "channel": args.provider, "address": str(8_190_000_000 + rng.randrange(args.recipients)),
                 "purpose": "bench", "level": 0, "payload": {"text": f"pesan {n}"}, "status": "queued",
                 "attempts": 0, "next_attempt_at": now, "created_at": now} for n in range(args.messages)]
        with transaction(database.sessions) as session:
            session.execute(insert(Notification), rows)
        provider = LimitedProvider(args.provider, args.latency_ms / 1000)
        dispatcher = Dispatcher(database.sessions, {args.provider: provider}, LogTransport(), settings.notifier,
                                "bench", system_clock, limiter=RateLimiter(rate_limits(settings)))
        started = time.monotonic()
        while provider.delivered < args.messages:
            report = dispatcher.run_pass()
            if not report.sent:
                time.sleep(0.05)  # only deferred rows left: the notifier's wake tick would pick them up
        elapsed = time.monotonic() - started
        lanes = getattr(dispatcher, "lanes", None)  # absent before the dispatcher had lanes (profiling old code)
        widest = lanes.width(args.provider) if lanes else 1
        if lanes:
            lanes.close()
    rate = provider.delivered / elapsed
    limit = provider.per_second
    say(f"delivered {provider.delivered} messages to {args.recipients} chats in {elapsed:.1f} s "
        f"({args.provider}, {args.latency_ms:.0f} ms per request, {widest} sends in flight at the end)")
    say(f"achieved rate {rate:.2f}/s = {rate / limit:.3f} of the {limit}/s limit (target >= 0.9)")
    say(f"429s caused: {provider.too_many} (target 0)")
    if args.json:
        print(json.dumps({"provider": args.provider, "latency_ms": args.latency_ms, "messages": args.messages,
                          "recipients": args.recipients, "delivered": provider.delivered,
                          "seconds": round(elapsed, 2), "per_second": round(rate, 2), "in_flight": widest,
                          "limit_per_second": limit, "share_of_limit": round(rate / limit, 3),
                          "too_many_requests": provider.too_many}))
    return 0 if provider.too_many == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
