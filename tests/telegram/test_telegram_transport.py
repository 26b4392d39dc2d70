"""The notifier's Telegram transport: status relays reach the citizen's chat, Telegram's limits are
kept, flood control and blocked chats are reported the way the dispatcher understands."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest
from citizens import Citizen
from fake_bot_api import TOKEN, FakeBotApi
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from telegram_support import BOTH_BACKENDS

from bot.telegram.errors import retry_seconds
from bot.telegram.service import TelegramService
from models.clock import FixedClock
from models.config import Settings
from models.db import transaction
from models.desk import Desk, calendar_for
from models.directory import official_actor
from models.environment import Environment
from models.outbox import Recipient, enqueue
from models.tables import Complaint, Notification, Reporter
from notifier.dispatcher import Dispatcher
from notifier.transports.base import OutgoingMessage, TransportError
from notifier.transports.telegram import TelegramTransport, from_environment

POTHOLE = "jalan rusak berlubang besar depan SDN 2 Marabahan sudah 3 bulan"


class FakeTime:
    """A monotonic clock whose sleep moves it, so rate limits are measured without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def transport(fake_api: FakeBotApi) -> Iterator[TelegramTransport]:
    yield TelegramTransport(TOKEN, fake_api.url)


def message(chat_id: str, text: str = "Laporan BTL-AAAA-BBBB: Diproses", number: int = 1) -> OutgoingMessage:
    return OutgoingMessage(notification_id=number, channel="telegram", address=chat_id, purpose="status",
                           payload={"text": text}, recipient_kind="reporter")


@BOTH_BACKENDS
def test_a_status_change_reaches_the_citizen_in_the_chat_they_reported_from(
        bot: TelegramService, citizen: Citizen, fake_api: FakeBotApi, sessions: sessionmaker[Session],
        telegram_settings: Settings, clock: FixedClock) -> None:
    citizen.says(POTHOLE)
    citizen.says("LEWATI")
    citizen.taps("LEWATI")
    citizen.taps("Biasa")
    citizen.taps("YA")
    with transaction(sessions) as db:
        complaint = db.scalars(select(Complaint)).one()
        desk = Desk(db, telegram_settings, calendar_for(telegram_settings), clock.advance(hours=1))
        desk.acknowledge(complaint, official_actor(db, "pupr.admin"))
        code = complaint.code
    transport = from_environment(telegram_settings, Environment.of({"TELEGRAM_BOT_TOKEN": TOKEN,
                                                                    "TELEGRAM_API_BASE_URL": fake_api.url}))
    assert transport is not None
    dispatcher = Dispatcher(sessions, {"telegram": transport}, transport, telegram_settings.notifier, "n1", clock)
    dispatcher.run_pass()
    relays = [text for text in fake_api.texts_to(citizen.chat_id) if text.startswith(f"Laporan {code}")]
    assert relays and "Diproses" in relays[-1]
    with sessions() as db:
        relay = db.scalars(select(Notification).where(Notification.recipient_kind == "reporter")).all()[-1]
        assert relay.status == "sent" and relay.address == str(citizen.chat_id)


def test_no_token_means_no_transport(settings: Settings) -> None:
    assert from_environment(settings, Environment.of({})) is None


def test_a_sent_message_returns_telegrams_message_id(transport: TelegramTransport, fake_api: FakeBotApi) -> None:
    result = transport.send(message("70001"))
    [call] = fake_api.calls("sendMessage", "70001")
    assert call.params["text"] == "Laporan BTL-AAAA-BBBB: Diproses" and result.provider_message_id


def test_flood_control_is_reported_with_telegrams_retry_after(
        transport: TelegramTransport, fake_api: FakeBotApi) -> None:
    fake_api.fail_next("sendMessage", retry_after=7)
    with pytest.raises(TransportError) as raised:
        transport.send(message("70001"))
    assert raised.value.retry_after == 7 and not raised.value.permanent


@BOTH_BACKENDS
def test_the_dispatcher_retries_after_the_flood_wait(
        transport: TelegramTransport, fake_api: FakeBotApi, sessions: sessionmaker[Session],
        settings: Settings, clock: FixedClock) -> None:
    with transaction(sessions) as db:
        enqueue(db, recipient=Recipient("official", "pupr.admin", "telegram", "8190010001"), purpose="alert",
                payload={"text": "Laporan baru"}, dedup_key="k1", now=clock())
    fake_api.fail_next("sendMessage", retry_after=7)
    Dispatcher(sessions, {"telegram": transport}, transport, settings.notifier, "n1", clock,
               random.Random(1)).run_pass()
    with sessions() as db:
        row = db.scalars(select(Notification)).one()
    assert row.status == "queued" and row.next_attempt_at == clock() + timedelta(seconds=7)


@pytest.mark.parametrize("status, description", [
    (403, "Forbidden: bot was blocked by the user"),
    (400, "Bad Request: chat not found"),
])
def test_a_chat_that_cannot_be_reached_fails_permanently(
        transport: TelegramTransport, fake_api: FakeBotApi, status: int, description: str) -> None:
    fake_api.fail_next("sendMessage", status=status, description=description, retry_after=None)
    with pytest.raises(TransportError) as raised:
        transport.send(message("70001"))
    assert raised.value.permanent


@pytest.mark.parametrize("status, description", [(500, "Internal Server Error"), (401, "Unauthorized"),
                                                 (400, "Bad Request: message is too long")])
def test_other_refusals_are_retried_and_do_not_blame_the_recipient(
        transport: TelegramTransport, fake_api: FakeBotApi, status: int, description: str) -> None:
    fake_api.fail_next("sendMessage", status=status, description=description, retry_after=None)
    with pytest.raises(TransportError) as raised:
        transport.send(message("70001"))
    assert not raised.value.permanent


@BOTH_BACKENDS
def test_a_citizen_who_blocked_the_bot_is_marked_unreachable_by_the_notifier(
        transport: TelegramTransport, fake_api: FakeBotApi, sessions: sessionmaker[Session],
        settings: Settings, clock: FixedClock) -> None:
    with transaction(sessions) as db:
        reporter = Reporter(channel="telegram", provider_id="70001", created_at=clock())
        db.add(reporter)
        db.flush()
        enqueue(db, recipient=Recipient("reporter", str(reporter.id), "telegram", "70001"), purpose="status",
                payload={"text": "Laporan: Diproses"}, dedup_key="k1", now=clock())
    fake_api.block("70001")
    Dispatcher(sessions, {"telegram": transport}, transport, settings.notifier, "n1", clock).run_pass()
    with sessions() as db:
        assert db.scalars(select(Reporter)).one().unreachable_at is not None
        assert db.scalars(select(Notification)).one().status == "failed"


def test_one_chat_gets_at_most_one_message_a_second(fake_api: FakeBotApi) -> None:
    time = FakeTime()
    transport = TelegramTransport(TOKEN, fake_api.url, clock=time, sleep=time.sleep)
    transport.send(message("70001"))
    transport.send(message("70001"))
    assert time.slept == [pytest.approx(1.0)]


def test_a_group_gets_at_most_twenty_messages_a_minute(fake_api: FakeBotApi) -> None:
    time = FakeTime()
    transport = TelegramTransport(TOKEN, fake_api.url, clock=time, sleep=time.sleep)
    for _ in range(4):
        transport.send(message("-1001234567"))
    assert time.slept == [pytest.approx(3.0)] * 3


def test_all_chats_together_get_at_most_thirty_messages_a_second(fake_api: FakeBotApi) -> None:
    time = FakeTime()
    transport = TelegramTransport(TOKEN, fake_api.url, clock=time, sleep=time.sleep)
    for number in range(31):
        transport.send(message(str(80000 + number)))
    assert sum(time.slept) == pytest.approx(1.0)


def test_a_long_local_wait_hands_the_row_back_instead_of_blocking(fake_api: FakeBotApi) -> None:
    time = FakeTime()
    transport = TelegramTransport(TOKEN, fake_api.url, clock=time, sleep=time.sleep, max_wait=2.0)
    transport.send(message("-1001234567"))
    with pytest.raises(TransportError) as raised:
        transport.send(message("-1001234567"))
    assert raised.value.retry_after == pytest.approx(3.0) and len(fake_api.calls("sendMessage")) == 1


def test_retry_after_is_understood_as_seconds_or_as_a_timedelta() -> None:
    assert retry_seconds(5) == 5.0 and retry_seconds(timedelta(seconds=12)) == 12.0


def test_the_self_check_asks_telegram_who_we_are(transport: TelegramTransport, fake_api: FakeBotApi) -> None:
    result = transport.check()
    assert result.ok and result.detail == "@aduan_batola_bot"
    assert not TelegramTransport("wrong:token", fake_api.url).check().ok
