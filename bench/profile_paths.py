"""cProfile of the two hot paths, in one process, on a temporary SQLite file.

    .venv/bin/python bench/profile_paths.py webhook [--conversations 200] [--top 25]
    .venv/bin/python bench/profile_paths.py dispatch [--messages 2000] [--top 25]
    .venv/bin/python bench/profile_paths.py webhook --statements [--conversations 200] [--top 25]

webhook: realistic complaint conversations (bench/conversations.py, five signed posts each) through the
Flask app's test client: signature, dialog step, router, filing, TwiML. dispatch: one notifier pass
over queued Telegram messages with a provider that answers at once (what the dispatcher itself costs
per message; with a slow provider the profile is only waiting). Prints the top entries by own time and
by cumulative time, and the wall time per request or message. --statements replaces the profile by
the SQL each request sends: statements and commits per request, and per statement text its count and
time (the round trips, and what runs while SQLite's writer lock is held).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# ruff: noqa: E402  (path set up above so the script runs from anywhere, and from an older checkout)
from sqlalchemy import insert

from bench.conversations import PATH, interleaved, signed
from models.clock import system_clock
from models.config import load_settings
from models.db import transaction
from models.environment import Environment
from models.runtime import prepare_database
from models.tables import Notification

TOKEN = "profile-auth-token"
PUBLIC = "http://bench.example"


class StatementLog:
    """Counts and times every statement an engine sends, by its SQL text; and the commits."""

    def __init__(self) -> None:
        self.by_text: dict[str, list[float]] = {}
        self.commits = 0
        self.flushes = 0
        self.cpu_seconds = 0.0
        self._started: list[float] = []

    def attach(self, engine) -> None:  # type: ignore[no-untyped-def]
        from sqlalchemy import event

        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "commit", self._commit)
        if not getattr(StatementLog, "_flushes_counted", False):  # a class-wide listener: attach it once
            from sqlalchemy.orm import Session

            event.listen(Session, "after_flush", lambda *_: self._flush())
            StatementLog._flushes_counted = True  # type: ignore[attr-defined]

    def _before(self, *_args) -> None:  # type: ignore[no-untyped-def]
        self._started.append(time.perf_counter())

    def _after(self, _connection, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        key = " ".join(statement.split())[:110]
        self.by_text.setdefault(key, []).append(time.perf_counter() - self._started.pop())

    def _commit(self, _connection) -> None:  # type: ignore[no-untyped-def]
        self.commits += 1

    def _flush(self) -> None:
        self.flushes += 1

    def report(self, requests: int, top: int) -> None:
        total = sum(len(times) for times in self.by_text.values())
        seconds = sum(sum(times) for times in self.by_text.values())
        print(f"{total / requests:.1f} statements, {self.flushes / requests:.2f} ORM flushes and "
              f"{self.commits / requests:.2f} commits per request; "
              f"{seconds / requests * 1000:.2f} ms per request inside the driver")
        print(f"{'per req':>8} {'ms/req':>7}  statement")
        ranked = sorted(self.by_text.items(), key=lambda item: -len(item[1]))
        for text, times in ranked[:top]:
            print(f"{len(times) / requests:>8.2f} {sum(times) / requests * 1000:>7.3f}  {text}")


def run_webhook(conversations: int, statements: StatementLog | None) -> tuple[cProfile.Profile | None, float, int]:
    """The conversations through the app; profiled, or with every statement logged when `statements`."""
    from web import create_app

    settings = load_settings(ROOT / "config.yaml")
    with tempfile.TemporaryDirectory() as directory:
        environment = Environment.of({"TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": PUBLIC,
                                      "SECRET_KEY": secrets.token_hex(32)})
        database = prepare_database(settings, environment, f"sqlite:///{directory}/webhook.db")
        client = create_app(settings, environment, database=database).test_client()
        if statements is not None:
            statements.attach(database.engine)
        requests = [signed(form, PUBLIC + PATH, TOKEN) for form in interleaved(conversations, 25)]
        warm, measured = requests[:50], requests[50:]
        for body, signature in warm:
            post(client, body, signature)
        if statements is not None:
            statements.__init__()  # type: ignore[misc]  # forget the warm-up's statements
        profiler = None if statements is not None else cProfile.Profile()
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for body, signature in measured:
            post(client, body, signature)
        if profiler:
            profiler.disable()
        if statements is not None:
            statements.cpu_seconds = time.process_time() - cpu_started
        return profiler, time.perf_counter() - started, len(measured)


def post(client, body: bytes, signature: str) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(PATH, data=body, headers={"X-Twilio-Signature": signature,
                                                   "Content-Type": "application/x-www-form-urlencoded"})
    if answer.status_code != 200:
        raise SystemExit(f"webhook answered {answer.status_code}: {answer.get_data(as_text=True)[:200]}")


def profile_dispatch(messages: int) -> tuple[cProfile.Profile, float, int]:
    from notifier.dispatcher import Dispatcher
    from notifier.transports import LogTransport, OutgoingMessage, SendResult

    class Instant:
        name = "telegram"

        def send(self, message: OutgoingMessage) -> SendResult:
            return SendResult(f"tg-{message.notification_id}")

    settings = load_settings(ROOT / "config.yaml")
    with tempfile.TemporaryDirectory() as directory:
        database = prepare_database(settings, Environment.of({}), f"sqlite:///{directory}/dispatch.db")
        now = system_clock()
        rows = [{"dedup_key": f"profile:{n}", "recipient_kind": "official", "recipient_id": "bench",
                 "channel": "telegram", "address": str(8_190_000_000 + n), "purpose": "bench", "level": 0,
                 "payload": {"text": f"pesan {n}"}, "status": "queued", "attempts": 0, "next_attempt_at": now,
                 "created_at": now} for n in range(messages)]
        with transaction(database.sessions) as session:
            session.execute(insert(Notification), rows)
        dispatcher = Dispatcher(database.sessions, {"telegram": Instant()}, LogTransport(), settings.notifier,
                                "profile", system_clock)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        sent = dispatcher.run_pass().sent
        profiler.disable()
        return profiler, time.perf_counter() - started, sent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", choices=("webhook", "dispatch"))
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--statements", action="store_true",
                        help="webhook: count and time the SQL per request instead of profiling")
    parser.add_argument("--save", type=Path, default=None, help="also write the raw profile here (pstats)")
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)  # one log line per message would be most of the profile
    if args.path == "webhook" and args.statements:
        statements = StatementLog()
        _, seconds, count = run_webhook(args.conversations, statements)
        print(f"{count} requests in {seconds:.2f} s: {seconds / count * 1000:.2f} ms per request, "
              f"{statements.cpu_seconds / count * 1000:.2f} ms of CPU (not profiled; the CPU time moves less "
              f"with the machine's load)")
        statements.report(count, args.top)
        return 0
    if args.path == "webhook":
        profiler, seconds, count = run_webhook(args.conversations, None)
        unit = "request"
    else:
        profiler, seconds, count = profile_dispatch(args.messages)
        unit = "message"
    print(f"{count} {unit}s in {seconds:.2f} s: {seconds / count * 1000:.2f} ms per {unit} (under the profiler)")
    assert profiler is not None
    if args.save:
        profiler.dump_stats(str(args.save))
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
