"""Officials answer alerts on Telegram: a reply to the alert (reply_to_message) or a press of its inline
buttons (callback_query) acts on that alert's complaint, without a code. The alerts go out through the
notifier's real transport to the fake Bot API; the official's updates come back through the polling adapter."""

from __future__ import annotations

import random
from typing import Any

import pytest
from citizens import Citizen
from fake_bot_api import TOKEN, FakeBotApi
from sqlalchemy import select

from bot.dialog.officials import button_labels
from bot.telegram.buttons import parse_alert_button
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.tables import Complaint, Notification
from notifier.dispatcher import Dispatcher
from notifier.transports.telegram import TelegramTransport

PUPR_ADMIN_TELEGRAM = 8190010001
PERKIM_ADMIN_TELEGRAM = 8190020001
WELCOME = "Selamat datang"


@pytest.fixture
def official(fake_api: FakeBotApi) -> Citizen:
    return Citizen(fake_api, PUPR_ADMIN_TELEGRAM, "Admin PUPR", "admin_pupr")


@pytest.fixture
def file(telegram_settings, sessions, clock):  # type: ignore[no-untyped-def]
    def file_one(text: str = "jalan berlubang besar di depan pasar Marabahan") -> str:
        with transaction(sessions) as session:
            desk = Desk(session, telegram_settings, calendar_for(telegram_settings), clock())
            reporter = desk.reporter_for("whatsapp", "+6281299990001", "Siti Aminah", "+6281299990001")
            draft = NewComplaint(reporter=reporter, text=text, channel="whatsapp", agency_code="PUPR")
            return desk.file(draft, dispatch=True).code
    return file_one


@pytest.fixture
def deliver(fake_api, sessions, telegram_settings, clock):  # type: ignore[no-untyped-def]
    transport = TelegramTransport(TOKEN, fake_api.url, alert_buttons=button_labels())
    dispatcher = Dispatcher(sessions, {"telegram": transport}, transport, telegram_settings.notifier, "n1", clock,
                            random.Random(1))
    return dispatcher.run_pass


def alert_of(sessions, code: str) -> Notification:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalars(select(Notification).join(Complaint).where(
            Complaint.code == code, Notification.channel == "telegram",
            Notification.address == str(PUPR_ADMIN_TELEGRAM))).one()


def status(sessions, code: str) -> str:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalars(select(Complaint.status).where(Complaint.code == code)).one()


def button_under(api: FakeBotApi, code: str, label: str) -> str:
    """The data of the button with this label under the alert about `code` (not just the newest one)."""
    for call in api.calls("sendMessage", PUPR_ADMIN_TELEGRAM):
        if code in str(call.params.get("text")):
            for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"] == label:
                        return str(button["callback_data"])
    raise AssertionError(f"no {label!r} button under the alert about {code}")


def replying_to(official: Citizen, message_id: str, text: str) -> list[str]:
    replied: dict[str, Any] = {"message_id": int(message_id), "date": 0, "chat": official.chat, "text": "LAPORAN BARU"}
    return official.sends(official.message(text=text, reply_to_message=replied))


def test_the_alert_carries_the_four_buttons_with_opaque_data(bot, official, file, deliver, sessions,
                                                            fake_api) -> None:
    code = file()
    deliver()
    assert official.buttons() == ["Terima", "Jawab", "Bukan wewenang", "Koordinasi"]
    token = alert_of(sessions, code).callback_token
    for label in official.buttons():
        data = official.button_data(label)
        assert parse_alert_button(data) is not None and data.endswith(f"|{token}")
        assert code not in data and code.replace("-", "") not in data


def test_pressing_terima_acknowledges_that_alerts_complaint(bot, official, file, deliver, sessions,
                                                            fake_api) -> None:
    first, second = file(), file("lampu jalan mati di jalan Gusti Muhammad Seman sejak seminggu")
    deliver()
    texts = official.presses(button_under(fake_api, first, "Terima"))
    assert (status(sessions, first), status(sessions, second)) == ("in_progress", "dispatched")
    assert any(first in text and "Diproses" in text for text in texts)


def test_pressing_jawab_asks_for_the_answer_and_the_next_message_is_it(bot, official, file, deliver,
                                                                        sessions) -> None:
    code = file()
    deliver()
    asked = official.taps("Jawab")
    assert any(code in text and "jawaban" in text.lower() for text in asked)
    assert status(sessions, code) == "dispatched"
    official.says("Selesai ditambal tadi pagi oleh tim UPT jalan")
    with sessions() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
    assert (complaint.status, complaint.answer_text) == ("answered", "Selesai ditambal tadi pagi oleh tim UPT jalan")


def test_a_forged_or_foreign_button_changes_nothing(bot, official, file, deliver, sessions, fake_api) -> None:
    code = file()
    deliver()
    texts = official.presses("al|T|" + "x" * 32)
    assert any("tidak berlaku" in text for text in texts)
    stranger = Citizen(fake_api, PERKIM_ADMIN_TELEGRAM, "Admin Perkim")  # a registered official of another office
    stranger.presses(official.button_data("Terima"))
    assert status(sessions, code) == "dispatched"


def test_a_reply_to_the_alert_with_bukan_wewenang_sends_it_back_to_triage(bot, official, file, deliver,
                                                                         sessions) -> None:
    first, second = file(), file("lampu jalan mati di jalan Gusti Muhammad Seman sejak seminggu")
    deliver()
    texts = replying_to(official, str(alert_of(sessions, first).provider_message_id),
                        "bukan wewenang kami, itu jalan nasional")
    assert (status(sessions, first), status(sessions, second)) == ("received", "dispatched")
    assert not any(WELCOME in text for text in texts)


def test_koordinasi_as_a_reply_sets_further_coordination_with_the_note(bot, official, file, deliver,
                                                                       sessions) -> None:
    code = file()
    deliver()
    replying_to(official, str(alert_of(sessions, code).provider_message_id), "Koordinasi: menunggu anggaran")
    with sessions() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        event = complaint.events[-1]
    assert complaint.status == "coordinating" and (event.action, event.note) == ("coordinate", "menunggu anggaran")
