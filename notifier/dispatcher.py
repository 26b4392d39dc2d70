"""Delivering the outbox: claim due rows with a lease, send each, record the outcome.

Claiming is a conditional UPDATE ... RETURNING on SQLite (whose writers are
serialised by BEGIN IMMEDIATE) and SELECT ... FOR UPDATE SKIP LOCKED on
PostgreSQL, so several notifiers never take the same row. A crash between send
and record leaves the row leased; it is retried when the lease runs out, which
re-sends at most that one message.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from models.config import NotifierConfig
from models.db import transaction
from models.notification import NotificationStatus, RecipientKind
from models.outbox import Recipient, enqueue
from models.reachability import mark_unreachable
from models.tables import Complaint, Notification, OfficialContact, Reporter
from notifier.backoff import retry_delay
from notifier.ratelimit import RateLimiter
from notifier.transports.base import OutgoingMessage, Transport, TransportError

log = logging.getLogger("aduan.notifier")

Status = NotificationStatus


@dataclass(frozen=True)
class Claimed:
    message: OutgoingMessage
    attempts: int
    complaint_code: str | None


@dataclass
class PassReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    fallbacks: int = 0


class Dispatcher:
    def __init__(self, sessions: sessionmaker[Session], transports: Mapping[str, Transport],
                 fallback: Transport, config: NotifierConfig, owner: str,
                 clock: Callable[[], datetime], rng: random.Random | None = None,
                 limiter: RateLimiter | None = None) -> None:
        self.sessions = sessions
        self.transports = transports
        self.fallback = fallback
        self.config = config
        self.owner = owner
        self.clock = clock
        self.rng = rng or random.Random()
        self.limiter = limiter or RateLimiter({})

    def run_pass(self) -> PassReport:
        """Deliver everything due now, batch by batch, until nothing is left."""
        report = PassReport()
        while True:
            batch = self.claim(self.clock())
            if not batch:
                return report
            for claimed in batch:
                self._deliver(claimed, report)

    def claim(self, now: datetime) -> list[Claimed]:
        with transaction(self.sessions) as session:
            ids = self._due_ids(session, now)
            if not ids:
                return []
            lease_until = now + timedelta(seconds=self.config.lease_seconds)
            statement = (
                update(Notification)
                .where(Notification.id.in_(ids), _due(now))
                .values(status=Status.SENDING, lease_owner=self.owner, lease_until=lease_until,
                        attempts=Notification.attempts + 1)
                .returning(Notification.id)
            )
            claimed_ids = sorted(session.scalars(statement))
            rows = session.execute(
                select(Notification, Complaint.code)
                .outerjoin(Complaint, Complaint.id == Notification.complaint_id)
                .where(Notification.id.in_(claimed_ids))
                .order_by(Notification.id)
            ).all()
            erased = _cancel_to_erased(session, [row for row, _ in rows])
            return [_claimed(row, code, _last_inbound(session, row)) for row, code in rows if row.id not in erased]

    def _due_ids(self, session: Session, now: datetime) -> list[int]:
        # An emergency's alerts go first, whatever else is due (a morning of digests must not delay a fire).
        query = (select(Notification.id).where(_due(now))
                 .order_by(Notification.urgent.desc(), Notification.id).limit(self.config.batch_size))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(session.scalars(query))

    def _deliver(self, claimed: Claimed, report: PassReport) -> None:
        message = claimed.message
        transport = self.transports.get(message.channel, self.fallback)
        wait = self.limiter.paused_for(message.channel) or self.limiter.acquire(message.channel, message.address)
        if wait > 0:
            self._defer(claimed, wait, report)
            return
        try:
            result = transport.send(message)
        except TransportError as error:
            if error.retry_after is not None:
                # The provider says we are too fast: the whole transport waits, not just this row.
                self.limiter.pause(message.channel, error.retry_after)
            self._record_failure(claimed, error, report)
            return
        except Exception as error:  # a transport bug must not stop the other messages
            log.exception("transport crash notification=%s", message.notification_id)
            self._record_failure(claimed, TransportError(f"unexpected: {error!r}"), report)
            return
        self._record_sent(claimed, result.provider_message_id)
        report.sent += 1

    def _record_sent(self, claimed: Claimed, provider_id: str | None) -> None:
        now = self.clock()
        row = Notification.id == claimed.message.notification_id
        with transaction(self.sessions) as session:
            still_ours = session.scalars(
                update(Notification)
                .where(row, Notification.status == Status.SENDING, Notification.lease_owner == self.owner)
                .values(status=Status.SENT, sent_at=now, provider_message_id=provider_id,
                        lease_owner=None, lease_until=None, last_error=None)
                .returning(Notification.id)
            ).first()
            if still_ours is None:
                # A delivery callback got here first (delivered, or requeued for a template):
                # keep its status, only fill in what the send itself knows.
                session.execute(
                    update(Notification).where(row, Notification.sent_at.is_(None))
                    .values(sent_at=now, provider_message_id=provider_id)
                )
        log.info("sent notification=%s code=%s channel=%s purpose=%s", claimed.message.notification_id,
                 claimed.complaint_code or "-", claimed.message.channel, claimed.message.purpose)

    def _defer(self, claimed: Claimed, seconds: float, report: PassReport) -> None:
        """Rate limit or pause: put the row back untouched (the attempt does not count)."""
        with transaction(self.sessions) as session:
            session.execute(
                update(Notification).where(Notification.id == claimed.message.notification_id)
                .values(status=Status.QUEUED, attempts=Notification.attempts - 1, lease_owner=None, lease_until=None,
                        next_attempt_at=self.clock() + timedelta(seconds=seconds))
            )
        report.deferred += 1

    def _record_failure(self, claimed: Claimed, error: TransportError, report: PassReport) -> None:
        now = self.clock()
        final = error.permanent or claimed.attempts >= self.config.max_attempts
        values: dict[str, object] = {"last_error": str(error)[:2000], "lease_owner": None, "lease_until": None}
        if final:
            values["status"] = Status.FAILED
            report.failed += 1
        else:
            values["status"] = Status.QUEUED
            values["next_attempt_at"] = now + retry_delay(claimed.attempts, self.rng, error.retry_after)
            report.retried += 1
        with transaction(self.sessions) as session:
            session.execute(
                update(Notification).where(Notification.id == claimed.message.notification_id).values(**values)
            )
            if error.permanent:
                # Only the provider's verdict on the address ("not on WhatsApp", "blocked") makes a
                # contact unreachable; an outage that outlasts the retries says nothing about it.
                mark_unreachable(session, claimed.message.channel, claimed.message.address, str(error), now)
            if final:
                report.fallbacks += _fall_back(session, claimed.message, now)
        log.warning("send failed notification=%s code=%s channel=%s final=%s error=%s",
                    claimed.message.notification_id, claimed.complaint_code or "-",
                    claimed.message.channel, final, error)


def _cancel_to_erased(session: Session, rows: list[Notification]) -> set[int]:
    """Messages to a citizen who had their data erased are never sent (whatever queued them): cancelled."""
    reporter_ids = {int(row.recipient_id) for row in rows
                    if row.recipient_kind == "reporter" and row.recipient_id.isdigit()}
    if not reporter_ids:
        return set()
    erased = {str(i) for i in session.scalars(select(Reporter.id).where(
        Reporter.id.in_(reporter_ids), Reporter.erased_at.is_not(None)))}
    cancelled = {row.id for row in rows if row.recipient_kind == "reporter" and row.recipient_id in erased}
    if cancelled:
        session.execute(update(Notification).where(Notification.id.in_(cancelled))
                        .values(status=NotificationStatus.CANCELLED, lease_owner=None, lease_until=None)
                        .execution_options(synchronize_session=False))
    return cancelled


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Notification.status == Status.QUEUED, Notification.next_attempt_at <= now),
        and_(Notification.status == Status.SENDING, Notification.lease_until < now),
    )


def _claimed(row: Notification, code: str | None, last_inbound: datetime | None) -> Claimed:
    message = OutgoingMessage(
        notification_id=row.id, channel=row.channel, address=row.address, purpose=row.purpose,
        payload=row.payload.copy(), callback_token=row.callback_token,
        recipient_last_inbound_at=last_inbound, recipient_kind=row.recipient_kind,
    )
    return Claimed(message=message, attempts=row.attempts, complaint_code=code)


def _last_inbound(session: Session, row: Notification) -> datetime | None:
    if row.recipient_kind == RecipientKind.REPORTER:
        query = select(Reporter.last_inbound_at).where(Reporter.channel == row.channel,
                                                       Reporter.provider_id == row.address)
    else:
        query = select(OfficialContact.last_inbound_at).where(OfficialContact.channel == row.channel,
                                                              OfficialContact.address == row.address)
    return session.scalars(query).first()


def _fall_back(session: Session, message: OutgoingMessage, now: datetime) -> int:
    """Queue the same message on the official's next channel (e.g. WhatsApp -> e-mail); 1 if queued."""
    row = session.get(Notification, message.notification_id)
    if row is None or row.recipient_kind != RecipientKind.OFFICIAL:
        return 0
    contacts = list(session.scalars(select(OfficialContact).where(
        OfficialContact.official_id == row.recipient_id).order_by(OfficialContact.priority)))
    failed = next((c for c in contacts if c.channel == row.channel), None)
    # Strictly later in the official's order: a chain of fallbacks can never loop.
    later = [c for c in contacts if failed is None or c.priority > failed.priority]
    target = next((c for c in later if c.unreachable_at is None), None)
    if target is None or _already_carried(session, row, target.channel):
        return 0
    enqueue(session, recipient=Recipient(RecipientKind.OFFICIAL, row.recipient_id, target.channel, target.address),
            purpose=row.purpose, payload=row.payload.copy(), dedup_key=f"{row.dedup_key}>{target.channel}",
            now=now, complaint_id=row.complaint_id, level=row.level, urgent=row.urgent)
    log.info("fallback notification=%s from=%s to=%s", row.id, row.channel, target.channel)
    return 1


def _already_carried(session: Session, row: Notification, channel: str) -> bool:
    """Escalations and digests already go to every channel of the official: when the e-mail copy
    exists (queued or sent), a fallback to e-mail would only send it twice. Messages about no
    complaint (digests, summaries) differ per day and always fall back."""
    if row.complaint_id is None:
        return False
    twin = select(Notification.id).where(
        Notification.recipient_kind == RecipientKind.OFFICIAL, Notification.recipient_id == row.recipient_id,
        Notification.channel == channel, Notification.purpose == row.purpose,
        Notification.complaint_id == row.complaint_id, Notification.level == row.level,
        Notification.status != Status.FAILED, Notification.id != row.id,
    ).limit(1)
    return session.scalars(twin).first() is not None

