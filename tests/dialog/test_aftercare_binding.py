"""Aftercare bound to the complaint asked about, through the dialog engine: natural answers, ratings, two
complaints, supporters, the message replied to, small talk, media first, addresses, English."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dialog.engine import Engine
from bot.dialog.messages import Inbound, IncomingAttachment, Location
from models.clock import FixedClock
from models.config import Settings
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.lifecycle import Kind, Status
from models.permissions import Actor
from models.questions import CITIZEN, SOLVED, open_questions
from models.tables import ChatSession, Complaint, ComplaintEvent, Notification, OpenQuestion, Reporter

OFFICIAL = Actor("official", "pupr.admin", agency_code="PUPR")


def answered_complaint(sessions: sessionmaker[Session], settings: Settings, clock: FixedClock, chat_id: str,
                       text: str, supporters: tuple[str, ...] = ()) -> str:
    """A complaint of `chat_id` that the agency answered (so the reporter was asked "sudah selesai?")."""
    with transaction(sessions) as db:
        desk = Desk(db, settings, calendar_for(settings), clock())
        reporter = desk.reporter_for("console", chat_id, f"Warga {chat_id}")
        complaint = desk.file(NewComplaint(reporter=reporter, text=text, channel="console", kind=Kind.COMPLAINT,
                                           agency_code="PUPR"), dispatch=True)
        for supporter in supporters:
            desk.add_supporter(complaint, desk.reporter_for("console", supporter, f"Warga {supporter}"))
        desk.acknowledge(complaint, OFFICIAL)
        desk.answer(complaint, OFFICIAL, "Sudah kami perbaiki.")
        code = complaint.code
    clock.advance(minutes=10)
    return code


def status_of(sessions: sessionmaker[Session], code: str) -> str:
    with sessions() as db:
        return str(db.scalar(select(Complaint.status).where(Complaint.code == code)))


def complaint_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as db:
        return len(list(db.scalars(select(Complaint.id))))


@pytest.mark.parametrize("answer", ["ya sudah beres, terima kasih", "alhamdulillah sudah diperbaiki", "sudah bujur",
                                    "wis rampung", "yes it's fixed"])
def test_a_natural_yes_closes_the_complaint_and_asks_for_a_rating(chat: Any, sessions: Any, settings: Settings,
                                                                  clock: FixedClock, answer: str) -> None:
    code = answered_complaint(sessions, settings, clock, "warga-1", "jalan berlubang depan pasar lama")
    reply = chat(answer)
    assert status_of(sessions, code) == Status.CLOSED and code in reply and complaint_count(sessions) == 1
    chat("⭐⭐⭐⭐")
    with sessions() as db:
        assert db.scalar(select(Complaint.rating).where(Complaint.code == code)) == 4


@pytest.mark.parametrize("answer", ["belum, lubangnya masih ada", "masih sama aja", "blm pak", "durung", "urung",
                                    "sebagian sudah, yang ujung masih berlubang"])
def test_a_natural_no_reopens_the_complaint_with_the_reporters_words(chat: Any, sessions: Any, settings: Settings,
                                                                     clock: FixedClock, answer: str) -> None:
    code = answered_complaint(sessions, settings, clock, "warga-1", "jalan berlubang depan pasar lama")
    chat(answer)
    assert status_of(sessions, code) == Status.REOPENED and complaint_count(sessions) == 1
    with sessions() as db:
        notes = list(db.scalars(select(ComplaintEvent.note).where(ComplaintEvent.action == "reopen")))
    assert any(answer in (note or "") for note in notes)


def test_the_next_ya_after_a_natural_no_is_not_a_new_complaints_place(chat: Any, sessions: Any,
                                                                      settings: Settings, clock: FixedClock) -> None:
    answered_complaint(sessions, settings, clock, "warga-1", "jalan berlubang depan pasar lama")
    chat("belum, lubangnya masih ada")
    chat("ya")
    with sessions() as db:
        assert db.scalar(select(ChatSession.state)) == "idle"
    assert complaint_count(sessions) == 1


def test_thanks_after_the_question_asks_once_naming_the_complaint(chat: Any, sessions: Any, settings: Settings,
                                                                  clock: FixedClock) -> None:
    code = answered_complaint(sessions, settings, clock, "warga-1", "jalan berlubang depan pasar lama")
    reply = chat("terima kasih pak")
    assert code in reply and "berlubang" in reply and status_of(sessions, code) == Status.ANSWERED


def test_two_answered_complaints_and_a_bare_yes_asks_which_then_applies_to_the_chosen(
        chat: Any, sessions: Any, settings: Settings, clock: FixedClock) -> None:
    first = answered_complaint(sessions, settings, clock, "warga-1", "jalan berlubang depan pasar lama")
    second = answered_complaint(sessions, settings, clock, "warga-1", "lampu jalan mati di gang mawar")
    reply = chat("sudah beres")
    assert first in reply and second in reply
    assert status_of(sessions, first) == status_of(sessions, second) == Status.ANSWERED
    number = next(line.split(".")[0] for line in reply.splitlines() if second in line)
    chat(number)
    assert status_of(sessions, second) == Status.CLOSED and status_of(sessions, first) == Status.ANSWERED


def test_an_answer_naming_the_topic_applies_to_that_complaint(chat: Any, sessions: Any, settings: Settings,
                                                              clock: FixedClock) -> None:
    road = answered_complaint(sessions, settings, clock, "warga-1", "jalan berlubang depan pasar lama")
    light = answered_complaint(sessions, settings, clock, "warga-1", "lampu jalan mati di gang mawar")
    chat("yg lampu udah nyala, makasih")
    assert status_of(sessions, light) == Status.CLOSED and status_of(sessions, road) == Status.ANSWERED


def test_a_reply_to_the_relay_of_one_complaint_applies_to_that_one(engine: Engine, sessions: Any,
                                                                   settings: Settings, clock: FixedClock) -> None:
    road = answered_complaint(sessions, settings, clock, "warga-1", "jalan berlubang depan pasar lama")
    light = answered_complaint(sessions, settings, clock, "warga-1", "lampu jalan mati di gang mawar")
    with transaction(sessions) as db:  # the notifier sent both relays; the provider gave them ids
        for row in db.scalars(select(Notification).where(Notification.recipient_kind == "reporter")):
            row.provider_message_id = f"wamid-{row.id}"
        question = db.scalars(select(OpenQuestion).join(Complaint, Complaint.id == OpenQuestion.complaint_id)
                              .where(Complaint.code == road)).one()
        replied = f"wamid-{question.notification_id}"
    engine.handle(Inbound(channel="console", chat_id="warga-1", sender_id="warga-1", text="belum", reply_to=replied))
    assert status_of(sessions, road) == Status.REOPENED and status_of(sessions, light) == Status.ANSWERED


def test_a_supporters_no_never_reopens_the_reporters_complaint(chat: Any, sessions: Any, settings: Settings,
                                                               clock: FixedClock) -> None:
    code = answered_complaint(sessions, settings, clock, "warga-1", "jalan berlubang depan pasar lama",
                              supporters=("warga-2",))
    with transaction(sessions) as db:
        desk = Desk(db, settings, calendar_for(settings), clock())
        complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
        desk.ask_citizen(complaint, desk.reporter_for("console", "warga-2"), SOLVED)
    chat("belum, masih berlubang", chat_id="warga-2")
    assert status_of(sessions, code) == Status.ANSWERED
    with sessions() as db:
        opinion = db.scalars(select(ComplaintEvent).where(ComplaintEvent.action == "supporter_feedback")).one()
    assert opinion.data == {"satisfied": False} and opinion.to_status is None


def test_a_supporter_not_asked_cannot_close_the_complaint_they_support(chat: Any, sessions: Any,
                                                                       settings: Settings, clock: FixedClock) -> None:
    code = answered_complaint(sessions, settings, clock, "warga-1", "jalan berlubang depan pasar lama",
                              supporters=("warga-2",))
    chat("ya sudah beres", chat_id="warga-2")
    assert status_of(sessions, code) == Status.ANSWERED


def test_the_answered_relay_records_the_question_and_the_notification_that_carried_it(
        sessions: Any, settings: Settings, clock: FixedClock) -> None:
    code = answered_complaint(sessions, settings, clock, "warga-1", "jalan berlubang depan pasar lama")
    with sessions() as db:
        reporter = db.scalars(select(Reporter).where(Reporter.provider_id == "warga-1")).one()
        [question] = open_questions(db, CITIZEN, str(reporter.id))
        notification = db.get(Notification, question.notification_id)
        assert question.kind == SOLVED and notification is not None and notification.purpose == "status"
        assert db.get(Complaint, question.complaint_id).code == code  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["terima kasih", "ok", "siap", "assalamualaikum", "pagi min", "👍"])
def test_small_talk_gets_a_short_polite_answer_no_menu_no_complaint(chat: Any, sessions: Any, text: str) -> None:
    reply = chat(text)
    assert "LAPOR - buat laporan baru" not in reply and len(reply) < 160 and complaint_count(sessions) == 0


def test_a_photo_and_a_place_sent_before_the_words_go_with_the_complaint(chat: Any, sessions: Any) -> None:
    chat(attachments=(IncomingAttachment(kind="photo", content_type="image/jpeg", provider_file_id="first"),))
    chat(location=Location(-2.9866, 114.7514, "Jl. Panglima Batur"))
    chat("jalan berlubang besar depan SDN 2 Marabahan")
    chat("1")  # privacy: the photo and place are kept, so neither is asked again
    chat("ya")
    with sessions() as db:
        complaint = db.scalars(select(Complaint)).one()
        assert [a.provider_file_id for a in complaint.attachments] == ["first"]
        assert (complaint.latitude, complaint.longitude) == (-2.9866, 114.7514)


@pytest.mark.parametrize("text", ["jalan rusak parah di RT 02 RW 07", "got mampet di Gg. 3 No 12 sudah seminggu",
                                  "banjir di Blok C2 perumahan griya", "jalan berlubang di Km 7 arah Marabahan"])
def test_an_address_in_a_complaint_is_never_a_code_lookup(chat: Any, sessions: Any, text: str) -> None:
    reply = chat(text)
    assert "tidak ditemukan" not in reply and "lokasi" in reply.lower()
    with sessions() as db:
        assert text in str(db.scalar(select(ChatSession.draft)))


def test_a_citizen_who_writes_english_gets_english_relays(chat: Any, sessions: Any, settings: Settings,
                                                          clock: FixedClock) -> None:
    reply = chat("the street light in front of my house is broken since last week")
    assert "location" in reply.lower()
    code = answered_complaint(sessions, settings, clock, "warga-1", "street light broken")
    with sessions() as db:
        relay = db.scalars(select(Notification).where(Notification.purpose == "status")
                           .order_by(Notification.id.desc())).first()
        assert relay is not None and code in relay.payload["text"]
        assert "Is your problem solved?" in relay.payload["text"]


def test_a_new_complaint_sent_instead_of_saying_which_is_filed_and_closes_nothing(
        chat: Any, sessions: Any, settings: Settings, clock: FixedClock) -> None:
    """Found by the property test: after "which one?", a new complaint that shares a word with an old one
    ("jalan") was taken as the pick, closed that complaint and lost its own text."""
    first = answered_complaint(sessions, settings, clock, "warga-1", "jalan berlubang depan pasar lama")
    second = answered_complaint(sessions, settings, clock, "warga-1", "lampu jalan mati di gang mawar")
    chat("ya sudah beres, terima kasih")
    assert {status_of(sessions, first), status_of(sessions, second)} == {Status.ANSWERED}
    chat("jalan rusak parah depan SDN 3 Marabahan sudah sebulan tidak diperbaiki")
    assert {status_of(sessions, first), status_of(sessions, second)} == {Status.ANSWERED}
    with sessions() as db:
        kept = [text for text in db.scalars(select(Complaint.text)) if "SDN 3" in text]
        drafts = [str(chat_row.draft) for chat_row in db.scalars(select(ChatSession))]
    assert kept or any("SDN 3" in draft for draft in drafts)


def relays_sent(sessions: sessionmaker[Session]) -> None:
    """The notifier sent every queued message; the provider gave each an id a reply can point at."""
    with transaction(sessions) as db:
        for row in db.scalars(select(Notification).where(Notification.provider_message_id.is_(None))):
            row.provider_message_id = f"wamid-{row.id}"


def relay_to(sessions: sessionmaker[Session], code: str, chat_id: str) -> str:
    """The provider id of the newest status relay about `code` sent to the citizen of `chat_id`."""
    with sessions() as db:
        reporter = db.scalars(select(Reporter).where(Reporter.provider_id == chat_id)).one()
        relay = db.scalars(select(Notification.provider_message_id)
                           .join(Complaint, Complaint.id == Notification.complaint_id)
                           .where(Complaint.code == code, Notification.recipient_kind == "reporter",
                                  Notification.recipient_id == str(reporter.id))
                           .order_by(Notification.id.desc())).first()
    assert relay is not None
    return relay


def opinions_on(sessions: sessionmaker[Session], code: str) -> list[Any]:
    with sessions() as db:
        return list(db.scalars(select(ComplaintEvent.data).join(Complaint, Complaint.id == ComplaintEvent.complaint_id)
                               .where(Complaint.code == code, ComplaintEvent.action == "supporter_feedback")))


def notifications_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as db:
        return len(list(db.scalars(select(Notification.id))))


def light_supported_by_warga_2(sessions: sessionmaker[Session], settings: Settings, clock: FixedClock) -> str:
    """warga-1's answered street-light complaint, which warga-2 supports."""
    return answered_complaint(sessions, settings, clock, "warga-1", "lampu jalan mati di gang 3",
                              supporters=("warga-2",))


def reply_to_relay(engine: Engine, sessions: sessionmaker[Session], chat_id: str, text: str, code: str) -> None:
    """`chat_id` answers, by replying to it, the status relay of `code` that warga-2 received."""
    engine.handle(Inbound(channel="console", chat_id=chat_id, sender_id=chat_id, text=text,
                          reply_to=relay_to(sessions, code, "warga-2")))


@pytest.mark.parametrize("answer", ["blm nyala", "belum, masih gelap", "still not working"])
def test_a_supporters_no_replying_to_the_relay_is_their_opinion_and_leaves_their_own_complaint_alone(
        engine: Engine, sessions: Any, settings: Settings, clock: FixedClock, answer: str) -> None:
    """warga-2 reported the road (asked "sudah selesai?") and supports warga-1's street light, whose relay
    asked them nothing: their "no" in reply to that relay is their opinion on the light, and changes nothing."""
    light = light_supported_by_warga_2(sessions, settings, clock)
    road = answered_complaint(sessions, settings, clock, "warga-2", "jalan rusak di rt 02 rw 07")
    relays_sent(sessions)
    queued = notifications_count(sessions)
    reply_to_relay(engine, sessions, "warga-2", answer, light)
    assert opinions_on(sessions, light) == [{"satisfied": False}] and opinions_on(sessions, road) == []
    assert status_of(sessions, light) == status_of(sessions, road) == Status.ANSWERED
    assert notifications_count(sessions) == queued and complaint_count(sessions) == 2
    with sessions() as db:
        reporter = db.scalars(select(Reporter).where(Reporter.provider_id == "warga-2")).one()
        still_open = [q.complaint_id for q in open_questions(db, CITIZEN, str(reporter.id), (SOLVED,))]
        road_id = db.scalar(select(Complaint.id).where(Complaint.code == road))
    assert still_open == [road_id]  # their own "sudah selesai?" waits for its own answer


def test_after_the_supporters_opinion_their_own_reply_still_closes_their_own_complaint(
        engine: Engine, sessions: Any, settings: Settings, clock: FixedClock) -> None:
    light = light_supported_by_warga_2(sessions, settings, clock)
    road = answered_complaint(sessions, settings, clock, "warga-2", "jalan rusak di rt 02 rw 07")
    relays_sent(sessions)
    reply_to_relay(engine, sessions, "warga-2", "blm nyala", light)
    reply_to_relay(engine, sessions, "warga-2", "kalau jalan sudah bagus", road)
    assert status_of(sessions, road) == Status.CLOSED and status_of(sessions, light) == Status.ANSWERED


def test_a_supporters_yes_replying_to_the_relay_is_recorded_but_never_closes(
        engine: Engine, sessions: Any, settings: Settings, clock: FixedClock) -> None:
    light = light_supported_by_warga_2(sessions, settings, clock)
    relays_sent(sessions)
    reply_to_relay(engine, sessions, "warga-2", "sudah nyala pak", light)
    assert opinions_on(sessions, light) == [{"satisfied": True}] and status_of(sessions, light) == Status.ANSWERED


def test_a_reply_to_the_relay_of_a_complaint_the_person_neither_reported_nor_supports_records_nothing(
        engine: Engine, sessions: Any, settings: Settings, clock: FixedClock) -> None:
    """A forwarded relay, or a chat shared by two people: only the people the complaint belongs to answer."""
    light = light_supported_by_warga_2(sessions, settings, clock)
    relays_sent(sessions)
    reply_to_relay(engine, sessions, "warga-3", "blm nyala", light)
    assert opinions_on(sessions, light) == [] and status_of(sessions, light) == Status.ANSWERED
