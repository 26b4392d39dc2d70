"""Redelivered updates, restarts, flood control, errors, blocked bots and groups: the state in the
database stays right and every citizen hears back."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from citizens import Citizen
from fake_bot_api import TOKEN, FakeBotApi
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from telegram_support import BOTH_BACKENDS, OFFICIALS_GROUP, OPERATIONS_CHAT, StartBot

from bot.telegram.handlers import APOLOGY
from bot.telegram.service import TelegramService
from models.tables import ChatSession, Complaint, InboundMessage, Reporter, TelegramOffset

PUPR_ADMIN_TELEGRAM = 8190010001
POTHOLE = "jalan rusak berlubang besar depan SDN 2 Marabahan sudah 3 bulan"


def state_of(sessions: sessionmaker[Session], chat_id: int) -> str:
    with sessions() as db:
        return db.scalars(select(ChatSession.state).where(ChatSession.chat_id == str(chat_id))).one()


def reporter(sessions: sessionmaker[Session], chat_id: int) -> Reporter:
    with sessions() as db:
        return db.scalars(select(Reporter).where(Reporter.provider_id == str(chat_id))).one()


@BOTH_BACKENDS
def test_a_redelivered_update_changes_nothing(
        bot: TelegramService, citizen: Citizen, fake_api: FakeBotApi, sessions: sessionmaker[Session]) -> None:
    update = citizen.message(text=POTHOLE)
    [question] = citizen.sends(update)
    fake_api.redeliver(update)
    citizen.says("/bantuan")
    assert fake_api.texts_to(citizen.chat_id).count(question) == 1
    assert state_of(sessions, citizen.chat_id) == "await_location"
    with sessions() as db:
        assert db.scalar(select(func.count(InboundMessage.id))) == 2


@BOTH_BACKENDS
def test_a_restart_between_two_messages_resumes_the_conversation(
        start_bot: StartBot, citizen: Citizen, fake_api: FakeBotApi, sessions: sessionmaker[Session]) -> None:
    first = start_bot()
    citizen.says(POTHOLE)
    first.stop()
    with sessions() as db:
        last = db.get(TelegramOffset, TOKEN.split(":")[0]).last_update_id  # type: ignore[union-attr]
    polls_before = len(fake_api.calls("getUpdates"))
    start_bot()
    assert "foto" in citizen.shares_location(-2.9946, 114.7594)[0].lower()
    resumed = fake_api.calls("getUpdates")[polls_before]
    assert int(resumed.params["offset"]) == last + 1


def test_flood_control_on_a_reply_is_waited_out(
        bot: TelegramService, citizen: Citizen, fake_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 22's future form of retry_after: a timedelta
    fake_api.fail_next("sendMessage", retry_after=1, chat_id=str(citizen.chat_id))
    refused, delivered = citizen.says("/bantuan")
    assert refused == delivered and "LAPOR" in delivered
    tries = fake_api.calls("sendMessage", citizen.chat_id)
    assert tries[1].at - tries[0].at >= 0.9  # Telegram said 1 s (asyncio may wake a hair early)


def test_a_failure_is_logged_with_the_code_reported_to_operations_and_apologised_for(
        bot: TelegramService, citizen: Citizen, fake_api: FakeBotApi, sessions: sessionmaker[Session],
        caplog: pytest.LogCaptureFixture) -> None:
    citizen.says(POTHOLE)
    citizen.says("LEWATI")
    citizen.taps("LEWATI")
    citizen.taps("Biasa")
    fake_api.fail_next("sendMessage", status=400, description="Bad Request: can't parse entities",
                       retry_after=None, chat_id=str(citizen.chat_id))
    with caplog.at_level(logging.ERROR, logger="aduan.telegram"):
        assert citizen.taps("YA")[-1] == APOLOGY  # after the refused reply
    with sessions() as db:
        code = db.scalars(select(Complaint.code)).one()
    assert any(code in record.getMessage() for record in caplog.records)
    [notice] = fake_api.texts_to(OPERATIONS_CHAT)
    assert code in notice and "BadRequest" in notice
    assert state_of(sessions, citizen.chat_id) == "idle"
    assert code in citizen.says(f"CEK {code}")[0]


@BOTH_BACKENDS
def test_a_citizen_who_blocked_the_bot_is_marked_unreachable(
        bot: TelegramService, citizen: Citizen, fake_api: FakeBotApi, sessions: sessionmaker[Session]) -> None:
    citizen.says("/bantuan")
    fake_api.block(citizen.chat_id)
    citizen.says("/bantuan")
    blocked = reporter(sessions, citizen.chat_id)
    assert blocked.unreachable_at is not None and "blocked" in str(blocked.unreachable_reason)


@BOTH_BACKENDS
def test_blocking_and_unblocking_in_the_app_follow_the_membership_updates(
        bot: TelegramService, citizen: Citizen, sessions: sessionmaker[Session]) -> None:
    citizen.says("/bantuan")
    citizen.sends(membership(citizen, "member", "kicked"))
    assert reporter(sessions, citizen.chat_id).unreachable_at is not None
    citizen.sends(membership(citizen, "kicked", "member"))
    assert reporter(sessions, citizen.chat_id).unreachable_at is None


def membership(citizen: Citizen, old: str, new: str) -> dict[str, Any]:
    def member(status: str) -> dict[str, Any]:
        bot_user = {"id": 123456, "is_bot": True, "first_name": "Aduan"}
        return {"status": status, "user": bot_user, **({"until_date": 0} if status == "kicked" else {})}

    return {"my_chat_member": {"chat": citizen.chat, "from": citizen.user, "date": 1,
                               "old_chat_member": member(old), "new_chat_member": member(new)}}


def test_group_chats_are_ignored_except_commands_in_officials_groups(
        bot: TelegramService, fake_api: FakeBotApi, sessions: sessionmaker[Session]) -> None:
    strangers = Citizen(fake_api, 70010, "Anon", chat_id=-100555, chat_type="supergroup")
    assert strangers.says(POTHOLE) == [] and strangers.says("/bantuan") == []
    officials = Citizen(fake_api, 70011, "Admin PUPR", chat_id=int(OFFICIALS_GROUP), chat_type="supergroup")
    assert officials.says(POTHOLE) == []
    assert officials.says("/bantuan")
    with sessions() as db:
        assert db.scalar(select(func.count(Complaint.id))) == 0


def test_an_official_acts_on_a_complaint_from_the_officials_group(
        bot: TelegramService, citizen: Citizen, fake_api: FakeBotApi, sessions: sessionmaker[Session]) -> None:
    citizen.says(POTHOLE)
    citizen.says("LEWATI")
    citizen.taps("LEWATI")
    citizen.taps("Biasa")
    citizen.taps("YA")
    with sessions() as db:
        complaint = db.scalars(select(Complaint)).one()
    admin = Citizen(fake_api, PUPR_ADMIN_TELEGRAM, "Admin PUPR", chat_id=int(OFFICIALS_GROUP), chat_type="supergroup")
    assert admin.says("terima kasih semuanya") == []
    assert complaint.code in admin.says(f"TERIMA {complaint.code}")[0]
    with sessions() as db:
        assert db.scalars(select(Complaint.status)).one() == "in_progress"
