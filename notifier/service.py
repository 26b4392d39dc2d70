"""The notifier process: what one pass does, and the scheduler that repeats it."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import Session, sessionmaker

from models.config import Settings
from notifier.dispatcher import Dispatcher, PassReport
from notifier.transports import LogTransport, Transport

log = logging.getLogger("aduan.notifier")


def build_transports(settings: Settings) -> dict[str, Transport]:
    """channel -> transport. Only the log transport exists so far; unknown names fail fast."""
    known: dict[str, Callable[[], Transport]] = {"log": LogTransport}
    transports: dict[str, Transport] = {}
    for channel, name in settings.notifier.transports.items():
        if name not in known:
            raise ValueError(f"notifier.transports.{channel}: unknown transport {name!r} (known: log)")
        transports[channel] = known[name]()
    return transports


class Notifier:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session], clock: Callable[[], datetime],
                 transports: dict[str, Transport] | None = None, fallback: Transport | None = None) -> None:
        self.settings = settings
        owner = f"{socket.gethostname()}:{os.getpid()}"
        self.dispatcher = Dispatcher(
            sessions, transports if transports is not None else build_transports(settings),
            fallback or LogTransport(), settings.notifier, owner, clock,
        )

    def run_once(self) -> PassReport:
        report = self.dispatcher.run_pass()
        log.info("pass done sent=%d retried=%d failed=%d", report.sent, report.retried, report.failed)
        return report

    def scheduler(self) -> BlockingScheduler:
        """Code-defined jobs only; the state they act on lives in the database."""
        scheduler = BlockingScheduler(timezone=self.settings.region.timezone)
        scheduler.add_job(
            self.run_once, "interval", seconds=self.settings.notifier.tick_seconds, id="dispatch",
            coalesce=True, max_instances=1, misfire_grace_time=3600,
        )
        return scheduler
