"""`aduan notifier [--once] [--check] [--now T]`: deliver the outbox, climb the escalation ladder, send
digests and recaps, and run background jobs (WhatsApp photo downloads).

    aduan notifier --once [--now 2026-11-23T08:00:00+08:00]   one pass of everything due, then exit
    aduan notifier --check                                     transport self-checks, then exit
    aduan notifier                                             run on a schedule (SIGTERM stops it)

This is where the notifier meets the wings: the transports it delivers through and the job handlers
it runs are built here and handed over, so `notifier/` itself imports no wing.
"""

from __future__ import annotations

import contextlib
import signal
from datetime import datetime
from types import FrameType
from typing import TYPE_CHECKING

import click

from bot.cli.common import config_option, invocation

if TYPE_CHECKING:
    from collections.abc import Callable

    from notifier.service import Notifier

# Our dispatcher logs one line per send with the complaint code; the provider libraries' per-request
# INFO lines (twilio, httpx) only double the log and cost time.
NOISY_LOGGERS = ("alembic", "twilio.http_client", "httpx")


@click.command("notifier")
@click.option("--once", is_flag=True, help="one pass of everything due, then exit")
@click.option("--check", is_flag=True, help="run the transports' self-checks, then exit")
@click.option("--now", "instant", help="ISO-8601 instant to act at (default: the wall clock)")
@config_option
def command(once: bool, check: bool, instant: str | None) -> None:
    """Deliver the outbox, escalate, send digests; run background jobs."""
    from apscheduler.schedulers import SchedulerNotRunningError

    from models.logsafety import configure_logging

    configure_logging(invocation().environment, quiet=NOISY_LOGGERS)
    notifier = build_notifier(instant)
    if check:
        raise click.exceptions.Exit(_report_checks(notifier))
    if once:
        notifier.run_once()
        return
    scheduler = notifier.scheduler()
    stopping: list[bool] = []

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.append(True)
        with contextlib.suppress(SchedulerNotRunningError):
            scheduler.shutdown(wait=False)

    # Before the catch-up pass, which may take a while: a SIGTERM during it ends the process cleanly after it.
    signal.signal(signal.SIGTERM, stop)
    notifier.self_check()
    notifier.run_once()  # catch up on anything missed while stopped (all steps are idempotent)
    if stopping:
        return
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


def build_notifier(instant: str | None) -> Notifier:
    from bot.whatsapp.media import MediaDownloads
    from models.clock import FixedClock, parse_instant, system_clock
    from notifier.service import Notifier, build_transports

    run = invocation()
    settings = run.settings()
    clock: Callable[[], datetime] = (FixedClock(parse_instant(instant, settings.region.timezone)) if instant
                                     else system_clock)
    database = run.writing()
    transports = build_transports(settings, run.environment)
    downloads = MediaDownloads.configured(database.sessions, settings, run.environment)
    return Notifier(settings, database.sessions, clock, transports, jobs={downloads.kind: downloads})


def _report_checks(notifier: Notifier) -> int:
    results = notifier.self_check()
    if not results:
        click.echo("no transport configured: every channel uses the log transport")
    for result in results:
        click.echo(f"{result.transport}: {'OK' if result.ok else 'FAILED'} {result.detail}")
    return 0 if all(result.ok for result in results) else 1
