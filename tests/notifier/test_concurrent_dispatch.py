"""The dispatcher overlaps sends to a slow provider, sends alerts before digests, and stays exactly-once."""

from __future__ import annotations

import io
import threading
import time
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.clock import FixedClock
from models.config import Settings
from models.db import transaction
from models.outbox import Recipient, enqueue
from models.tables import Notification
from notifier.dispatcher import Dispatcher, PassReport
from notifier.lanes import Lanes
from notifier.ratelimit import Limits, RateLimiter
from notifier.transports import LogTransport, OutgoingMessage, SendResult, Transport


class SlowProvider:
    """Answers after `latency` seconds and remembers how many requests it held at once."""

    name = "telegram"

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.sent: list[OutgoingMessage] = []
        self.open = 0
        self.most_open = 0
        self.lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> SendResult:
        with self.lock:
            self.open += 1
            self.most_open = max(self.most_open, self.open)
            self.sent.append(message)
        time.sleep(self.latency)
        with self.lock:
            self.open -= 1
        return SendResult(f"tg-{message.notification_id}")


def queue(sessions: sessionmaker[Session], clock: FixedClock, purposes: list[str]) -> None:
    with transaction(sessions) as session:
        for number, purpose in enumerate(purposes):
            enqueue(session, recipient=Recipient("official", "pupr.admin", "telegram", f"81900{number:05d}"),
                    purpose=purpose, payload={"text": f"{purpose} {number}"}, dedup_key=f"t:{number}", now=clock())


def test_sends_to_a_provider_that_answers_slowly_overlap_and_each_row_goes_out_once(
        sessions, settings: Settings, clock: FixedClock) -> None:
    queue(sessions, clock, ["new_complaint"] * 40)
    provider = SlowProvider(latency=0.2)
    limiter = RateLimiter({"telegram": Limits(per_second=100)})
    dispatcher = Dispatcher(sessions, {"telegram": provider}, LogTransport(io.StringIO()), settings.notifier,
                            "n1", clock, limiter=limiter)
    report = dispatcher.run_pass()
    dispatcher.lanes.close()
    assert report.sent == 40
    assert provider.most_open > 1, "one send at a time against a 200 ms provider"
    assert Counter(message.notification_id for message in provider.sent).most_common(1)[0][1] == 1
    with sessions() as session:
        assert Counter(session.scalars(select(Notification.status))) == {"sent": 40}


def test_alerts_queued_after_a_morning_of_digests_are_sent_before_them(sessions, settings: Settings,
                                                                       clock: FixedClock) -> None:
    queue(sessions, clock, ["digest"] * 6 + ["new_complaint", "escalation_head"] + ["recap"] * 2)
    provider = SlowProvider(latency=0.0)
    config = settings.notifier.model_copy(update={"batch_size": 3})
    Dispatcher(sessions, {"telegram": provider}, LogTransport(io.StringIO()), config, "n1", clock).run_pass()
    purposes = [message.purpose for message in provider.sent]
    assert purposes[:2] == ["new_complaint", "escalation_head"]
    assert sorted(purposes[2:]) == ["digest"] * 6 + ["recap"] * 2


def test_a_channel_widens_to_its_rate_times_its_providers_answer_time() -> None:
    lanes = Lanes({"telegram": 30.0, "whatsapp": 80.0})
    assert lanes.width("telegram") == 1, "nothing measured yet"
    lanes.observe("telegram", 0.3)
    lanes.observe("whatsapp", 0.3)
    assert lanes.width("telegram") == 12  # 30/s x 0.3 s x 1.25 headroom
    assert lanes.width("whatsapp") == 30


def test_a_fast_provider_and_a_channel_without_a_rate_limit_keep_one_lane() -> None:
    lanes = Lanes({"whatsapp": 5000.0})
    lanes.observe("whatsapp", 0.004)  # on our own network: a crash must cost at most one re-send
    lanes.observe("email", 2.0)  # no limit known: one message at a time
    assert lanes.width("whatsapp") == 1 and lanes.width("email") == 1


def pass_with_one_lane(sessions: sessionmaker[Session], settings: Settings, clock: FixedClock,
                       provider: Transport) -> tuple[PassReport, Lanes]:
    """One dispatcher pass to `provider` with notifier.max_in_flight = 1 (its lanes closed after)."""
    capped = settings.notifier.model_copy(update={"max_in_flight": 1})
    dispatcher = Dispatcher(sessions, {"telegram": provider}, LogTransport(io.StringIO()), capped, "n1", clock,
                            limiter=RateLimiter({"telegram": Limits(per_second=1000)}))
    report = dispatcher.run_pass()
    dispatcher.lanes.close()
    return report, dispatcher.lanes


def test_a_region_that_caps_sends_in_flight_never_overlaps_more(sessions, settings: Settings,
                                                                clock: FixedClock) -> None:
    # notifier.max_in_flight is also the most a killed notifier can re-send per channel.
    queue(sessions, clock, ["new_complaint"] * 12)
    provider = SlowProvider(latency=0.1)
    report, _ = pass_with_one_lane(sessions, settings, clock, provider)
    assert report.sent == 12
    assert provider.most_open == 1


class RecordCheckingProvider:
    """Counts, at each request, how many earlier requests are not yet recorded as sent in the outbox:
    what a notifier killed at that moment would send twice."""

    name = "telegram"

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.requests = 0
        self.most_unrecorded = 0

    def send(self, message: OutgoingMessage) -> SendResult:
        with self.sessions() as session:
            recorded = len(list(session.scalars(select(Notification.id).where(Notification.status == "sent"))))
        self.most_unrecorded = max(self.most_unrecorded, self.requests - recorded)
        self.requests += 1
        return SendResult(f"tg-{message.notification_id}")


def test_with_one_lane_a_send_leaves_only_after_the_one_before_it_is_recorded(
        sessions, settings: Settings, clock: FixedClock) -> None:
    # Otherwise a kill between the provider's answer and its record re-sends two messages, not one.
    queue(sessions, clock, ["new_complaint"] * 30)
    provider = RecordCheckingProvider(sessions)
    report, lanes = pass_with_one_lane(sessions, settings, clock, provider)
    assert report.sent == 30
    assert provider.most_unrecorded == 0
    assert lanes.idle()
