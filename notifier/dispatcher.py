"""Delivering the outbox: claim due rows with a lease, send each, record the outcome.

Claiming is a conditional UPDATE ... RETURNING on SQLite (whose writers are
serialised by BEGIN IMMEDIATE) and SELECT ... FOR UPDATE SKIP LOCKED on
PostgreSQL, so several notifiers never take the same row. A crash between send
and record leaves the row leased; it is retried when the lease runs out, which
re-sends at most the messages that were sent and not yet recorded. A lane is held
until its send is recorded, so that is one per channel, unless the provider is
slow enough for its channel to widen (notifier/lanes.py; then at most the lane
width, about rate x latency: 12 for Telegram answering in 300 ms).

Urgent messages (alerts, escalations, answers to citizens) are claimed before the
day's bulk (digests, recaps, summaries: BULK_PURPOSES), and a claim is sent for at
most BATCH_SECONDS before its unsent rest goes back, so an alert never waits behind
a morning's digests for longer than that.
"""

from __future__ import annotations

import functools
import logging
import queue
import random
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, Table, and_, bindparam, case, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from models.config import NotifierConfig
from models.db import transaction
from models.notification import BULK_PURPOSES, NotificationStatus, RecipientKind
from models.outbox import Recipient, enqueue
from models.reachability import mark_unreachable
from models.tables import Complaint, Notification, OfficialContact, Reporter
from notifier.backoff import retry_delay
from notifier.lanes import Lanes
from notifier.ratelimit import RateLimiter
from notifier.transports.base import OutgoingMessage, Transport, TransportError

log = logging.getLogger("aduan.notifier")

Status = NotificationStatus

# How long one claim's rows are handed to transports before the rest goes back to the queue: the longest
# an urgent alert waits behind a burst of digests in the same notifier.
BATCH_SECONDS = 0.25
MIN_CLAIM = 4


@dataclass(frozen=True)
class Claimed:
    message: OutgoingMessage
    attempts: int
    complaint_code: str | None


@dataclass(frozen=True)
class Outcome:
    claimed: Claimed
    provider_id: str | None = None
    error: TransportError | None = None
    # Not sent: the rate limit (or a provider's pause) says to try again in this many seconds.
    defer_seconds: float | None = None


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
        self.lanes = Lanes({channel: limits.per_second for channel, limits in self.limiter.limits.items()},
                           max_in_flight=config.max_in_flight)
        self._claim_size = config.batch_size
        # One pass at a time per notifier: the scheduler's wake and dispatch jobs may both call run_pass,
        # and the running pass claims whatever arrives meanwhile (urgent rows first).
        self._passing = threading.Lock()
        # The token buckets are not thread-safe; the lanes take their tokens one at a time.
        self._pacing = threading.Lock()

    def run_pass(self) -> PassReport:
        """Deliver everything due now, batch by batch, until nothing is left.

        Sends overlap (see notifier/lanes.py) while the token buckets pace them; outcomes are
        recorded in groups as they come back. Each claim is a short one (BATCH_SECONDS of sending):
        what was not handed to a transport by then goes back to the queue untouched, so an urgent
        alert queued behind a burst of digests is claimed within that time.
        """
        report = PassReport()
        if not self._passing.acquire(blocking=False):
            return report
        outcomes: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        in_flight: list[Future[Outcome]] = []
        try:
            while True:
                # No new claims once the interpreter is exiting (the lanes can start no threads).
                batch = [] if self.lanes.stopped else self.claim(self.clock())
                if batch:
                    in_flight = self._deliver_batch(batch, outcomes, in_flight, report)
                    continue
                for future in in_flight:
                    future.result()
                in_flight = []
                finished = _drain(outcomes)
                if not finished:
                    return report
                # The last sends' outcomes may queue more (a fallback to e-mail): claim once more after them.
                self._record(finished, report)
        except BaseException:
            self._settle(in_flight, outcomes, report)
            raise
        finally:
            self._passing.release()

    def _settle(self, in_flight: list[Future[Outcome]], outcomes: queue.SimpleQueue[Outcome],
                report: PassReport) -> None:
        """A pass that failed (the database went away mid-pass) still waits for its sends and frees
        their lanes, recording them if it can; the next pass starts with every lane free."""
        for future in in_flight:
            future.result()
        try:
            self._record(_drain(outcomes), report)
        except Exception:
            log.exception("outcomes of a failed pass not recorded; their rows are retried after the lease")

    def _deliver_batch(self, batch: list[Claimed], outcomes: queue.SimpleQueue[Outcome],
                       in_flight: list[Future[Outcome]], report: PassReport) -> list[Future[Outcome]]:
        box_ends = time.monotonic() + BATCH_SECONDS
        handed = 0
        for claimed in batch:
            if time.monotonic() > box_ends:
                break
            channel = claimed.message.channel
            while not self.lanes.has_room(channel):
                # A lane is free again only once its send is recorded (see notifier/lanes.py).
                self._record([outcomes.get()] + _drain(outcomes), report)
            try:
                in_flight.append(self.lanes.submit(channel, functools.partial(self._send, claimed, outcomes)))
            except RuntimeError:  # the interpreter is exiting (no new threads): the rest goes back unsent
                break
            handed += 1
            self._record(_drain(outcomes), report)
        released = [claimed.message.notification_id for claimed in batch[handed:]]
        self._put_back([], released, report)
        # Claim what one box can send: fewer after a box ran out, back up to batch_size when one did not.
        self._claim_size = (max(MIN_CLAIM, 2 * handed) if released
                            else min(self.config.batch_size, 2 * self._claim_size))
        return [future for future in in_flight if not future.done()]

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
            claimed_ids = set(session.scalars(statement))
            rows = list(session.execute(
                select(Notification, Complaint.code)
                .outerjoin(Complaint, Complaint.id == Notification.complaint_id)
                .where(Notification.id.in_(claimed_ids))
            ).all())
            # The claim's own order (urgent first), not the ids': the box may end before the batch does.
            order = {notification_id: position for position, notification_id in enumerate(ids)}
            rows.sort(key=lambda row: order[row[0].id])
            erased = _cancel_to_erased(session, [row for row, _ in rows])
            inbound = _last_inbound_times(session, [row for row, _ in rows])
            return [_claimed(row, code, inbound.get((row.recipient_kind, row.channel, row.address)))
                    for row, code in rows if row.id not in erased]

    def _due_ids(self, session: Session, now: datetime) -> list[int]:
        limit = min(self._claim_size, self.config.batch_size)
        # An emergency's alerts go first, whatever else is due (a morning of digests must not delay a fire).
        query = (select(Notification.id).where(_due(now))
                 .order_by(Notification.urgent.desc(), _BULK_LAST, Notification.id).limit(limit))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(session.scalars(query))

    def _send(self, claimed: Claimed, outcomes: queue.SimpleQueue[Outcome]) -> Outcome:
        """In a lane's thread: the send only; the dispatcher records what it puts in `outcomes` (always
        something: the dispatcher waits for it to free the lane)."""
        try:
            outcome = self._attempt(claimed)
        except BaseException as error:
            outcome = Outcome(claimed, error=TransportError(f"unexpected: {error!r}"))
        outcomes.put(outcome)
        return outcome

    def _attempt(self, claimed: Claimed) -> Outcome:
        message = claimed.message
        # Paced here, right before the request leaves, so the provider sees the buckets' spacing
        # (pacing before the hand-over to a lane would let the lanes' start-up jitter bunch requests).
        with self._pacing:
            wait = self.limiter.paused_for(message.channel) or self.limiter.acquire(message.channel,
                                                                                   message.address)
        if wait > 0:
            return Outcome(claimed, defer_seconds=wait)
        transport = self.transports.get(message.channel, self.fallback)
        started = time.monotonic()
        try:
            result = transport.send(message)
        except TransportError as error:
            return Outcome(claimed, error=error)
        except Exception as error:  # a transport bug must not stop the other messages
            log.exception("transport crash notification=%s", message.notification_id)
            return Outcome(claimed, error=TransportError(f"unexpected: {error!r}"))
        finally:
            self.lanes.observe(message.channel, time.monotonic() - started)
        return Outcome(claimed, provider_id=result.provider_message_id)

    def _record(self, outcomes: list[Outcome], report: PassReport) -> None:
        """Write the outcomes, then free their lanes (also when writing failed: the rows stay leased and
        are retried after the lease, but the channel must not stay blocked in a long-running notifier)."""
        try:
            self._write_outcomes(outcomes, report)
        finally:
            for outcome in outcomes:
                self.lanes.release(outcome.claimed.message.channel)

    def _write_outcomes(self, outcomes: list[Outcome], report: PassReport) -> None:
        sent = [outcome for outcome in outcomes if outcome.error is None and outcome.defer_seconds is None]
        if sent:
            self._record_sent(sent)
            report.sent += len(sent)
        self._put_back([(outcome.claimed, outcome.defer_seconds) for outcome in outcomes
                        if outcome.defer_seconds is not None], [], report)
        for outcome in outcomes:
            if outcome.error is not None:
                if outcome.error.retry_after is not None:
                    # The provider says we are too fast: the whole transport waits, not just this row.
                    with self._pacing:
                        self.limiter.pause(outcome.claimed.message.channel, outcome.error.retry_after)
                self._record_failure(outcome.claimed, outcome.error, report)

    def _record_sent(self, sent: list[Outcome]) -> None:
        """One transaction for a group of sends, two prebuilt statements run as executemany."""
        now = self.clock()
        params = [{"notification": outcome.claimed.message.notification_id, "owner": self.owner, "now": now,
                   "provider_id": outcome.provider_id} for outcome in sent]
        with transaction(self.sessions) as session:
            connection = session.connection()
            connection.execute(_MARK_SENT, params)
            # A delivery callback got here first (delivered, or requeued for a template) for rows the
            # first statement did not match: keep its status, only fill in what the send itself knows.
            connection.execute(_FILL_SENT, params)
        for outcome in sent:
            claimed = outcome.claimed
            log.info("sent notification=%s code=%s channel=%s purpose=%s", claimed.message.notification_id,
                     claimed.complaint_code or "-", claimed.message.channel, claimed.message.purpose)

    def _put_back(self, deferred: list[tuple[Claimed, float]], released: list[int], report: PassReport) -> None:
        """Rate-limited rows wait their turn, unsent rows of a finished box return at once; neither
        counts as an attempt."""
        if not deferred and not released:
            return
        now = self.clock()
        params = [{"notification": claimed.message.notification_id, "at": now + timedelta(seconds=seconds)}
                  for claimed, seconds in deferred]
        params += [{"notification": notification_id, "at": now} for notification_id in released]
        with transaction(self.sessions) as session:
            session.connection().execute(_PUT_BACK, params)
        report.deferred += len(deferred)

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


def _drain(outcomes: queue.SimpleQueue[Outcome]) -> list[Outcome]:
    drained = []
    while True:
        try:
            drained.append(outcomes.get_nowait())
        except queue.Empty:
            return drained


_table = cast(Table, Notification.__table__)
_MARK_SENT = (
    update(_table)
    .where(_table.c.id == bindparam("notification"), _table.c.status == Status.SENDING,
           _table.c.lease_owner == bindparam("owner"))
    .values(status=Status.SENT, sent_at=bindparam("now"), provider_message_id=bindparam("provider_id"),
            lease_owner=None, lease_until=None, last_error=None)
)
_FILL_SENT = (
    update(_table)
    .where(_table.c.id == bindparam("notification"), _table.c.sent_at.is_(None))
    .values(sent_at=bindparam("now"), provider_message_id=bindparam("provider_id"))
)
_PUT_BACK = (
    update(_table)
    .where(_table.c.id == bindparam("notification"))
    .values(status=Status.QUEUED, attempts=_table.c.attempts - 1, lease_owner=None, lease_until=None,
            next_attempt_at=bindparam("at"))
)
# Digests, recaps and summaries can wait a few seconds; alerts (new complaints, escalations,
# emergencies) and answers to citizens go first.
_BULK_LAST = case((Notification.purpose.in_(sorted(BULK_PURPOSES)), 1), else_=0)


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


def _last_inbound_times(session: Session, rows: list[Notification]) -> dict[tuple[str, str, str], datetime]:
    """(recipient kind, channel, address) -> when that person last wrote to us: two queries per batch."""
    times: dict[tuple[str, str, str], datetime] = {}
    reporters = {row.address for row in rows if row.recipient_kind == RecipientKind.REPORTER}
    officials = {row.address for row in rows if row.recipient_kind != RecipientKind.REPORTER}
    if reporters:
        for channel, address, at in session.execute(
                select(Reporter.channel, Reporter.provider_id, Reporter.last_inbound_at)
                .where(Reporter.provider_id.in_(reporters), Reporter.last_inbound_at.is_not(None))):
            if at is not None:
                times[(RecipientKind.REPORTER, channel, address)] = at
    if officials:
        for channel, address, at in session.execute(
                select(OfficialContact.channel, OfficialContact.address, OfficialContact.last_inbound_at)
                .where(OfficialContact.address.in_(officials), OfficialContact.last_inbound_at.is_not(None))):
            for kind in (RecipientKind.OFFICIAL, RecipientKind.OPERATIONS):
                if at is not None:
                    times[(kind, channel, address)] = at
    return times


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

