#!/usr/bin/env python3
"""Deliver the outbox, climb the escalation ladder, send digests and recaps.

    python run_notifier.py --once [--now 2026-11-23T08:00:00+08:00]   one pass of everything due, then exit
    python run_notifier.py --check                                     transport self-checks, then exit
    python run_notifier.py                                             run on a schedule (SIGTERM stops it)
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
from types import FrameType

from models.clock import FixedClock, parse_instant, system_clock
from models.config import ConfigError, load_settings
from models.runtime import open_database
from notifier.service import Notifier


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="config.yaml")
    parser.add_argument("--once", action="store_true", help="one pass of everything due, then exit")
    parser.add_argument("--check", action="store_true", help="run the transports' self-checks, then exit")
    parser.add_argument("--now", help="ISO-8601 instant to act at (default: the wall clock)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # Our dispatcher logs one line per send with the complaint code; the provider libraries'
    # per-request INFO lines (twilio, httpx) only double the log and cost time.
    for noisy in ("alembic", "twilio.http_client", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = load_settings(args.config)
    except ConfigError as error:
        print(f"config error:\n{error}", file=sys.stderr)
        return 2
    clock = FixedClock(parse_instant(args.now, settings.region.timezone)) if args.now else system_clock
    database = open_database(settings)
    notifier = Notifier(settings, database.sessions, clock)
    if args.check:
        results = notifier.self_check()
        if not results:
            print("no transport configured: every channel uses the log transport")
        for result in results:
            print(f"{result.transport}: {'OK' if result.ok else 'FAILED'} {result.detail}")
        return 0 if all(result.ok for result in results) else 1
    if args.once:
        notifier.run_once()
        return 0
    notifier.self_check()
    notifier.run_once()  # catch up on anything missed while stopped (all steps are idempotent)
    scheduler = notifier.scheduler()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
