"""The notifier process: what one pass does, and the scheduler that repeats it."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dialog.officials import button_labels
from models.config import CONTACT_CHANNELS, Settings
from models.db import transaction
from models.desk import calendar_for
from models.environment import Environment
from models.escalation import SweepReport, sweep
from models.notification import Channel, NotificationStatus
from models.reports import queue_digests, queue_monthly_recap
from models.retention import RetentionCounts, apply_retention
from models.tables import Notification
from notifier.dispatcher import Dispatcher, PassReport
from notifier.health import check_transports, queue_operations_summary
from notifier.jobs import JobHandler, JobReport, JobRunner
from notifier.lapor import LaporSteps
from notifier.ratelimit import Limits, RateLimiter
from notifier.transports import LogTransport, Transport, email, lapor, telegram, whatsapp
from notifier.transports.base import CheckResult

log = logging.getLogger("aduan.notifier")


def build_transports(settings: Settings, environment: Environment) -> dict[str, Transport]:
    """channel -> transport: each service whose secrets are present, else the log transport.

    `notifier.transports` in config can pin a channel to "log" (e.g. a staging server that must not
    message real officials); pinning one to its own transport makes a missing secret an error at start.
    """
    found: dict[str, Transport | None] = {
        Channel.EMAIL: email.from_environment(settings, environment),
        Channel.TELEGRAM: telegram.from_environment(settings, environment, alert_buttons=button_labels()),
        Channel.WHATSAPP: whatsapp.from_environment(settings, environment),
        Channel.LAPOR_API: lapor.from_environment(settings, environment),
    }
    transports: dict[str, Transport] = {channel: transport for channel, transport in found.items() if transport}
    for channel, transport in found.items():
        if transport is None:
            log.info("transport %s not configured (no secrets in the environment)", channel)
    if Channel.WHATSAPP in transports:
        # Citizens who wrote by SMS are answered through the same Twilio account.
        transports.setdefault(Channel.SMS, transports[Channel.WHATSAPP])
    for channel, name in settings.notifier.transports.items():
        if name != "log" and name != channel:
            raise ValueError(f"notifier.transports.{channel}: unknown transport {name!r} (known: log, {channel})")
        if name == "log":
            transports[channel] = LogTransport()
        elif channel not in transports:
            raise ValueError(f"notifier.transports.{channel}: {name} is not configured (missing secrets?)")
    for channel in CONTACT_CHANNELS:
        if channel not in transports:
            log.info("channel %s uses the log transport", channel)
    return transports


RETENTION_HOUR, RETENTION_MINUTE = 2, 17


class Notifier:
    """Everything the notifier does, each step idempotent, so a pass can run at any time, twice."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], clock: Callable[[], datetime],
                 transports: Mapping[str, Transport], fallback: Transport | None = None,
                 limiter: RateLimiter | None = None, owner: str | None = None,
                 jobs: Mapping[str, JobHandler] | None = None) -> None:
        """`transports` (from `build_transports`) and `jobs` (kind -> handler) come from the entry point."""
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.calendar = calendar_for(settings)
        self.transports = dict(transports)
        owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        self.dispatcher = Dispatcher(
            sessions, self.transports, fallback or LogTransport(), settings.notifier, owner, clock,
            limiter=limiter or RateLimiter(rate_limits(settings)),
        )
        self.jobs = JobRunner(sessions, jobs or {}, owner, clock)
        self.lapor = LaporSteps(settings, sessions, self.calendar)

    def run_once(self) -> PassReport:
        """One pass of everything due now: escalations, daily messages, delivery, background jobs, retention."""
        self.sweep()
        self.daily()
        report = self.dispatch()
        if self.handover():
            self.dispatch()  # the status pushes a fresh LAPOR! link queued
        self.work()
        self.retention()
        return report

    def handover(self) -> int:
        """SP4N-LAPOR! links and reminders, Ombudsman offers (notifier/lapor.py)."""
        return self.lapor.run(self.clock())

    def dispatch(self) -> PassReport:
        report = self.dispatcher.run_pass()
        if report.sent or report.retried or report.failed:
            log.info("pass done sent=%d retried=%d failed=%d deferred=%d fallbacks=%d", report.sent,
                     report.retried, report.failed, report.deferred, report.fallbacks)
        return report

    def wake(self) -> None:
        """Cheap peeks (index-only reads); deliver, or run jobs, at once when something is due."""
        now = self.clock()
        with self.sessions() as session:
            due = session.scalar(select(Notification.id).where(
                Notification.status == NotificationStatus.QUEUED, Notification.next_attempt_at <= now).limit(1))
        if due is not None:
            self.dispatch()
        if self.jobs.due():
            self.work()

    def work(self) -> JobReport:
        """Background jobs due now (photo downloads and the like)."""
        report = self.jobs.run_pass()
        if report.done or report.retried or report.failed:
            log.info("jobs done=%d retried=%d failed=%d", report.done, report.retried, report.failed)
        return report

    def sweep(self) -> SweepReport:
        report = sweep(self.sessions, self.settings, self.calendar, self.clock())
        if report.escalated or report.closed:
            log.info("sweep done escalated=%d deferred=%d closed=%d", report.escalated, report.deferred,
                     report.closed)
        return report

    def daily(self) -> int:
        """Digests, the monthly recap and the operators' summary, once a working day after digest_time."""
        now = self.clock()
        local = self.calendar.local(now)
        if not self.calendar.is_working_day(local.date()) or local.time() < self.settings.notifier.digest_time:
            return 0
        with transaction(self.sessions) as session:
            queued = queue_digests(session, self.settings, self.calendar, now)
            queued += queue_monthly_recap(session, self.settings, self.calendar, now)
            queued += queue_operations_summary(session, self.settings, self.calendar, now)
        return queued

    def retention(self) -> RetentionCounts:
        """Chat transcripts and inbound payloads older than `privacy.retention_days` go (models/retention.py)."""
        with transaction(self.sessions) as session:
            counts = apply_retention(session, self.settings, self.clock())
        if counts.total:
            log.info("retention removed chat_sessions=%d inbound_messages=%d throttles=%d", counts.chat_sessions,
                     counts.inbound_messages, counts.throttles)
        return counts

    def self_check(self) -> list[CheckResult]:
        with transaction(self.sessions) as session:
            return check_transports(session, self.settings, self.calendar, self.transports, self.clock())

    def scheduler(self) -> BlockingScheduler:
        """Code-defined jobs only; the state they act on lives in the database."""
        config = self.settings.notifier
        scheduler = BlockingScheduler(timezone=self.settings.region.timezone)
        common: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
        scheduler.add_job(self.wake, "interval", seconds=config.wake_seconds, id="wake", **common)
        scheduler.add_job(self.dispatch, "interval", seconds=config.tick_seconds, id="dispatch", **common)
        scheduler.add_job(self.work, "interval", seconds=config.tick_seconds, id="jobs", **common)
        scheduler.add_job(self.sweep, "interval", seconds=config.sweep_seconds, id="sweep", **common)
        scheduler.add_job(self.handover, "interval", seconds=config.sweep_seconds, id="lapor", **common)
        scheduler.add_job(self.daily, "cron", day_of_week="mon-fri", hour=config.digest_time.hour,
                          minute=config.digest_time.minute, id="daily", **common)
        scheduler.add_job(self.self_check, "interval", minutes=config.self_check_minutes, id="self_check",
                          **common)
        # Every day, at night (local time): the deletes are small and need no office hours.
        scheduler.add_job(self.retention, "cron", hour=RETENTION_HOUR, minute=RETENTION_MINUTE, id="retention",
                          **common)
        return scheduler


# Each provider's published limits (from its wing, through its transport), unless config says otherwise.
PROVIDER_LIMITS: dict[str, Limits] = {Channel.TELEGRAM: telegram.LIMITS, Channel.WHATSAPP: whatsapp.LIMITS}


def rate_limits(settings: Settings) -> dict[str, Limits]:
    configured = {channel: Limits(limit.per_second, limit.per_recipient_per_second, limit.per_group_per_minute)
                  for channel, limit in settings.notifier.rate_limits.items()}
    return {**PROVIDER_LIMITS, **configured}
