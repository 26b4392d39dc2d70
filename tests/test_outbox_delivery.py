"""The outbox is delivered once: claims, retries with backoff, permanent failures."""

from __future__ import annotations

import io
import random

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.clock import FixedClock
from models.config import Settings
from models.db import transaction
from models.outbox import Recipient, enqueue
from models.tables import Notification, OfficialContact
from notifier.dispatcher import Dispatcher
from notifier.transports import LogTransport, OutgoingMessage, SendResult, TransportError


class FlakyTransport:
    """Fails the first `failures` sends, then succeeds; remembers every attempt."""

    name = "flaky"

    def __init__(self, failures: int = 0, permanent: bool = False) -> None:
        self.failures = failures
        self.permanent = permanent
        self.attempts: list[int] = []

    def send(self, message: OutgoingMessage) -> SendResult:
        self.attempts.append(message.notification_id)
        if len(self.attempts) <= self.failures:
            raise TransportError("provider said no", permanent=self.permanent)
        return SendResult(provider_message_id=f"p-{message.notification_id}")


def queue(sessions: sessionmaker[Session], clock: FixedClock, count: int, channel: str = "whatsapp",
          address: str = "+628110000001") -> None:
    with transaction(sessions) as session:
        for number in range(count):
            enqueue(session, recipient=Recipient("official", "kominfo.triage", channel, address),
                    purpose="test", payload={"text": f"pesan {number}"}, dedup_key=f"test:{number}", now=clock())


def dispatcher(sessions, settings: Settings, clock, transport, owner: str = "n1") -> Dispatcher:
    return Dispatcher(sessions, {"whatsapp": transport}, LogTransport(io.StringIO()), settings.notifier,
                      owner, clock, random.Random(1))


def rows(sessions: sessionmaker[Session]) -> list[Notification]:
    with sessions() as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))


def test_one_pass_sends_everything_due_and_a_second_pass_sends_nothing(sessions, settings, clock) -> None:
    queue(sessions, clock, 5)
    transport = FlakyTransport()
    assert dispatcher(sessions, settings, clock, transport).run_pass().sent == 5
    assert dispatcher(sessions, settings, clock, transport).run_pass().sent == 0
    assert sorted(transport.attempts) == [n.id for n in rows(sessions)]
    assert all(n.status == "sent" and n.sent_at == clock() for n in rows(sessions))


def test_two_notifiers_never_claim_the_same_row(sessions, settings, clock) -> None:
    queue(sessions, clock, 30)
    first = dispatcher(sessions, settings, clock, FlakyTransport(), owner="a").claim(clock())
    second = dispatcher(sessions, settings, clock, FlakyTransport(), owner="b").claim(clock())
    first_ids = {c.message.notification_id for c in first}
    second_ids = {c.message.notification_id for c in second}
    assert not first_ids & second_ids
    assert len(first_ids | second_ids) == 30


def test_transient_failure_is_retried_later_with_backoff(sessions, settings, clock) -> None:
    queue(sessions, clock, 1)
    transport = FlakyTransport(failures=1)
    report = dispatcher(sessions, settings, clock, transport).run_pass()
    assert report.retried == 1
    row = rows(sessions)[0]
    assert row.status == "queued" and row.attempts == 1 and row.last_error == "provider said no"
    delay = (row.next_attempt_at - clock()).total_seconds()
    assert 24 <= delay <= 36
    assert dispatcher(sessions, settings, clock, transport).run_pass().sent == 0
    clock.advance(seconds=40)
    assert dispatcher(sessions, settings, clock, transport).run_pass().sent == 1


def test_permanent_failure_fails_the_row_and_marks_the_contact_unreachable(sessions, settings, clock) -> None:
    queue(sessions, clock, 1)
    report = dispatcher(sessions, settings, clock, FlakyTransport(failures=1, permanent=True)).run_pass()
    assert report.failed == 1
    assert rows(sessions)[0].status == "failed"
    with sessions() as session:
        contact = session.scalars(select(OfficialContact).where(
            OfficialContact.address == "+628110000001")).one()
        assert contact.unreachable_reason == "provider said no"


def test_a_crashed_notifiers_lease_expires_and_the_row_is_sent_once_more(sessions, settings, clock) -> None:
    queue(sessions, clock, 1)
    dispatcher(sessions, settings, clock, FlakyTransport(), owner="crashed").claim(clock())
    transport = FlakyTransport()
    assert dispatcher(sessions, settings, clock, transport, owner="new").run_pass().sent == 0
    clock.advance(seconds=settings.notifier.lease_seconds + 1)
    assert dispatcher(sessions, settings, clock, transport, owner="new").run_pass().sent == 1
    assert rows(sessions)[0].attempts == 2


def test_last_attempt_marks_the_row_failed_with_its_reason(sessions, settings, clock) -> None:
    queue(sessions, clock, 1)
    transport = FlakyTransport(failures=100)
    for _ in range(settings.notifier.max_attempts):
        dispatcher(sessions, settings, clock, transport).run_pass()
        clock.advance(hours=2)
    row = rows(sessions)[0]
    assert row.status == "failed" and row.attempts == settings.notifier.max_attempts


def test_log_transport_prints_one_line_per_message() -> None:
    stream = io.StringIO()
    LogTransport(stream).send(OutgoingMessage(7, "email", "a@example.org", "status", {"text": "Halo\nBaris 2"}))
    assert stream.getvalue() == "[kirim] #7 email:a@example.org (status) Halo\n"
