"""Class 6: HAPUS DATA SAYA removes the person from everywhere they are stored — chat sessions, inbound message
records, the addresses and texts of messages to them (queued ones cancelled), officials' stored alerts, and the
photos they sent when they ask — and the dispatcher never sends to an erased reporter. Retention removes chat
transcripts and inbound payloads after the configured period."""

from __future__ import annotations

import io
import json
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.dialog.messages import Inbound
from bot.setup import build_engine
from models.db import transaction
from models.outbox import Recipient, enqueue
from models.retention import apply_retention
from models.tables import Attachment, ChatSession, InboundMessage, Notification, Reporter
from notifier.dispatcher import Dispatcher
from notifier.transports import LogTransport, OutgoingMessage, SendResult

PHONE = "+6281251730462"
NAME = "Rahmawati Bjm"
TOKENS = (PHONE, "6281251730462", "81251730462", NAME, "Rahmawati")


class Recording:
    name = "recording"

    def __init__(self) -> None:
        self.sent: list[OutgoingMessage] = []

    def send(self, message: OutgoingMessage) -> SendResult:
        self.sent.append(message)
        return SendResult(provider_message_id=f"r-{message.notification_id}")


class Citizen:
    """Rahma on WhatsApp, talking to the real engine (message ids as a provider sends them)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.sent = 0

    def say(self, text: str, **extra: Any) -> str:
        self.sent += 1
        inbound = Inbound(channel="whatsapp", chat_id=PHONE, sender_id=PHONE, sender_name=NAME, phone=PHONE,
                          text=text, message_id=f"SM{self.sent:032d}", **extra)
        return "\n".join(reply.text for reply in self.engine.handle(inbound))

    def file(self, text: str, privacy: str = "1", photo: Any = None) -> None:
        self.say(text)
        self.say("lewati")
        if photo is not None:
            self.say("", attachments=(photo,))
        else:
            self.say("lewati")
        self.say(privacy)
        assert "BTL-" in self.say("ya")


def everything_stored(sessions: Any) -> str:
    """Every text column of the tables that could hold the person, as one string."""
    with sessions() as db:
        parts = [json.dumps([chat.chat_id, chat.draft]) for chat in db.scalars(select(ChatSession))]
        parts += [json.dumps([m.chat_id, m.replies]) for m in db.scalars(select(InboundMessage))]
        parts += [json.dumps([n.recipient_id, n.address, n.payload, n.last_error])
                  for n in db.scalars(select(Notification))]
        parts += [json.dumps([r.name, r.phone, r.provider_id]) for r in db.scalars(select(Reporter))]
    return "\n".join(parts)


def test_erasure_removes_the_person_from_sessions_messages_alerts_and_the_outbox(sessions: Any, engine: Any) -> None:
    rahma = Citizen(engine)
    rahma.file("jalan berlubang besar di depan SDN 2 Marabahan")  # named: officials' alerts carry her name
    rahma.file("sampah menumpuk di pasar Marabahan tidak diangkut", privacy="2")
    assert NAME in everything_stored(sessions)
    with sessions() as db:
        queued_to_her = db.scalar(select(func.count()).where(
            Notification.recipient_kind == "reporter", Notification.status == "queued")) or 0
    rahma.say("HAPUS DATA SAYA")
    assert "dihapus" in rahma.say("ya")
    stored = everything_stored(sessions)
    assert all(token not in stored for token in TOKENS), [t for t in TOKENS if t in stored]
    with sessions() as db:
        to_her = list(db.scalars(select(Notification).where(Notification.recipient_kind == "reporter")))
        assert len(to_her) >= queued_to_her and all(n.status in ("cancelled", "sent") for n in to_her)
        assert db.scalar(select(func.count()).select_from(InboundMessage)) == rahma.sent


def test_erasure_also_drops_the_chats_keyboard_state(sessions: Any, engine: Any) -> None:
    rahma = Citizen(engine)
    rahma.file("jalan berlubang besar di depan SDN 2 Marabahan")
    with transaction(sessions) as db:
        for chat in db.scalars(select(ChatSession)):
            chat.keyboard_token = "kb-token-of-her-chat"  # as the Telegram wing remembers her newest keyboard
    rahma.say("HAPUS DATA SAYA")
    rahma.say("ya")
    with sessions() as db:
        assert list(db.scalars(select(ChatSession.keyboard_token).where(ChatSession.keyboard_token.is_not(None)))) \
            == []


def test_the_dispatcher_never_sends_to_an_erased_reporter(sessions: Any, engine: Any, settings: Any,
                                                          clock: Any) -> None:
    rahma = Citizen(engine)
    rahma.file("jalan berlubang besar di depan SDN 2 Marabahan")
    with transaction(sessions) as db:
        reporter = db.scalars(select(Reporter).where(Reporter.phone == PHONE)).one()
        reporter_id = reporter.id
        # Somebody queues a message to her after the erasure decision (an old job, a careless change).
        reporter.erased_at = clock()
        enqueue(db, recipient=Recipient("reporter", str(reporter_id), "whatsapp", PHONE), purpose="status",
                payload={"text": "Laporan Anda: diproses"}, dedup_key="late-status", now=clock())
    transport = Recording()
    Dispatcher(sessions, {"whatsapp": transport}, LogTransport(io.StringIO()), settings.notifier, "n1", clock,
               random.Random(1)).run_pass()
    assert all(message.recipient_kind != "reporter" for message in transport.sent)
    with sessions() as db:
        late = db.scalars(select(Notification).where(Notification.dedup_key == "late-status")).one()
        assert late.status == "cancelled"


def test_photos_are_deleted_only_when_the_citizen_asks(sessions: Any, settings: Any, clock: Any, tmp_path: Path,
                                                       routing_table: Any) -> None:
    media = tmp_path / "media"
    local = settings.model_copy(update={"intake": settings.intake.model_copy(update={"media_dir": str(media)})})
    engine = build_engine(local, sessions, clock, routing_table)
    (media / "wa").mkdir(parents=True)
    for name in ("kept.jpg", "gone.jpg"):
        (media / "wa" / name).write_bytes(b"\xff\xd8\xff\xe0 jpeg")

    def photo(name: str) -> Any:
        from models.desk import AttachmentIn

        return AttachmentIn(kind="photo", content_type="image/jpeg", storage_path=f"wa/{name}")

    keeper = Citizen(engine)
    keeper.file("jalan berlubang besar di depan SDN 2 Marabahan", photo=photo("kept.jpg"))
    keeper.say("HAPUS DATA SAYA")
    keeper.say("ya")
    assert (media / "wa" / "kept.jpg").exists()

    # The same number again is a new reporter (the old one was erased); this time the photos go too.
    asker = Citizen(engine)
    asker.sent = 100
    asker.file("sampah menumpuk di pasar Marabahan tidak diangkut", photo=photo("gone.jpg"))
    asker.say("HAPUS DATA SAYA")
    assert "dihapus" in asker.say("ya foto")
    assert not (media / "wa" / "gone.jpg").exists() and (media / "wa" / "kept.jpg").exists()
    with sessions() as db:
        paths = set(db.scalars(select(Attachment.storage_path)))
    assert paths == {"wa/kept.jpg", None}


def test_retention_removes_old_transcripts_and_payloads_and_keeps_complaints(
        sessions: Any, engine: Any, settings: Any, clock: Any) -> None:
    rahma = Citizen(engine)
    rahma.file("jalan berlubang besar di depan SDN 2 Marabahan")
    old_messages = rahma.sent
    with transaction(sessions) as db:  # one chat started long ago and left
        db.add(ChatSession(channel="telegram", chat_id="70001", state="await_text", draft={"text": "x"},
                           language="id", updated_at=clock() - timedelta(days=400)))
    clock.advance(days=settings.privacy.retention_days - 1)
    rahma.say("cek")  # a fresh message: her chat session is recent again
    with transaction(sessions) as db:
        counts = apply_retention(db, settings, clock())
    assert (counts.chat_sessions, counts.inbound_messages) == (1, 0)
    clock.advance(days=2)
    with transaction(sessions) as db:
        counts = apply_retention(db, settings, clock())
    assert (counts.chat_sessions, counts.inbound_messages) == (0, old_messages)
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(InboundMessage)) == 1
        assert db.scalar(select(func.count()).select_from(ChatSession)) == 1
    shorter = settings.model_copy(update={"privacy": settings.privacy.model_copy(update={"retention_days": 7})})
    clock.advance(days=8)
    with transaction(sessions) as db:
        counts = apply_retention(db, shorter, clock())
    assert (counts.chat_sessions, counts.inbound_messages) == (1, 1)


def test_the_retention_period_is_a_config_key_with_a_default_of_180_days(settings: Any) -> None:
    from models.config import parse_settings

    assert settings.privacy.retention_days == 180
    raw = {"region": settings.region.model_dump(), "agencies": [a.model_dump() for a in settings.agencies],
           "officials": [o.model_dump() for o in settings.officials], "privacy": {"retention_days": 90}}
    assert parse_settings(raw, settings.base_dir).privacy.retention_days == 90


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_the_notifier_applies_retention_on_every_pass_and_schedules_it_daily(
        db_engine: Any, sessions: Any, clock: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main
    from notifier.service import Notifier

    now = clock()
    with transaction(sessions) as db:
        db.add(ChatSession(channel="telegram", chat_id="70001", state="await_text", draft={"text": "lama"},
                           language="id", updated_at=now - timedelta(days=181)))
        db.add(ChatSession(channel="telegram", chat_id="70002", state="await_text", draft={"text": "baru"},
                           language="id", updated_at=now - timedelta(days=179)))
        db.add(InboundMessage(channel="telegram", provider_message_id="old-1", chat_id="70001",
                              received_at=now - timedelta(days=200), replies=[]))
    monkeypatch.setenv("DATABASE_URL", db_engine.url.render_as_string(hide_password=False))
    for variable in ("TELEGRAM_BOT_TOKEN", "TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID", "SMTP_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    config = str(Path(__file__).resolve().parents[2] / "config.yaml")
    assert main(["--config", config, "notifier", "--once", "--now", now.isoformat()]) == 0
    with sessions() as db:
        assert set(db.scalars(select(ChatSession.chat_id))) == {"70002"}
        assert db.scalar(select(func.count()).select_from(InboundMessage)) == 0
    jobs = {job.id: job for job in Notifier(settings, sessions, clock, {}).scheduler().get_jobs()}
    assert "retention" in jobs and "cron" in str(jobs["retention"].trigger)
