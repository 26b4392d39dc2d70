"""Officials answer alerts on WhatsApp the way they really type: a swipe-reply to the alert ("terima",
"jawab: sudah diperbaiki kemarin"), lower case, no code. The reply reaches the real webhook as Twilio's
signed form with OriginalRepliedMessageSid; the alerts went out through the real transport to a fake
Twilio, which gave them the SIDs the replies point at."""

from __future__ import annotations

import io
import random
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.escalation import sweep
from models.tables import ChatSession, Complaint, Notification
from notifier.dispatcher import Dispatcher
from notifier.transports import LogTransport
from notifier.transports.whatsapp import from_environment

PUPR_ADMIN = "+62811100101"
BUPATI = "+628110000002"
WELCOME = "Selamat datang"


@pytest.fixture
def deliver(wa_settings, sessions, environment, clock):  # type: ignore[no-untyped-def]
    """One pass of the notifier's dispatcher with the real WhatsApp transport (to the fake Twilio)."""
    transport = from_environment(wa_settings, environment, clock=clock)
    assert transport is not None
    dispatcher = Dispatcher(sessions, {"whatsapp": transport}, LogTransport(io.StringIO()), wa_settings.notifier,
                            "test-notifier", clock, random.Random(1))
    return dispatcher.run_pass


@pytest.fixture
def file(wa_settings, sessions, clock):  # type: ignore[no-untyped-def]
    """A citizen's complaint filed and dispatched to PUPR (its admin is alerted); returns the code."""
    def file_one(text: str = "jalan berlubang besar di depan pasar Marabahan", phone: str = "+6281299990001") -> str:
        with transaction(sessions) as session:
            desk = Desk(session, wa_settings, calendar_for(wa_settings), clock())
            reporter = desk.reporter_for("whatsapp", phone, "Siti Aminah", phone)
            draft = NewComplaint(reporter=reporter, text=text, channel="whatsapp", agency_code="PUPR")
            return desk.file(draft, dispatch=True).code
    return file_one


def alert_sid(sessions, code: str, address: str = PUPR_ADMIN) -> str:  # type: ignore[no-untyped-def]
    with sessions() as session:
        sid = session.scalars(select(Notification.provider_message_id).join(Complaint).where(
            Complaint.code == code, Notification.address == address, Notification.channel == "whatsapp")).first()
    assert sid and sid.startswith("SM"), "the dispatcher records the SID Twilio gave the alert"
    return sid


def status(sessions, code: str) -> str:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalars(select(Complaint.status).where(Complaint.code == code)).one()


def reply_text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return " ".join(re.findall(r"<Message>(.*?)</Message>", response.get_data(as_text=True), re.S))


def test_terima_in_lower_case_as_a_reply_to_the_alert_acknowledges_that_complaint(
        twilio, message, file, deliver, sessions) -> None:
    code = file()
    deliver()
    response = twilio.post("/webhooks/twilio/whatsapp", message(
        "terima", sender=f"whatsapp:{PUPR_ADMIN}", OriginalRepliedMessageSid=alert_sid(sessions, code)))
    text = reply_text(response)
    assert status(sessions, code) == "in_progress"
    assert code in text and "Diproses" in text and WELCOME not in text


def test_a_reply_answers_the_alert_it_replies_to_not_the_latest_one(twilio, message, file, deliver,
                                                                    sessions) -> None:
    first, second = file(), file("lampu jalan mati di jalan Gusti Muhammad Seman sejak seminggu")
    deliver()
    twilio.post("/webhooks/twilio/whatsapp", message(
        "jawab: sudah diperbaiki kemarin", sender=f"whatsapp:{PUPR_ADMIN}",
        OriginalRepliedMessageSid=alert_sid(sessions, first)))
    assert (status(sessions, first), status(sessions, second)) == ("answered", "dispatched")
    with sessions() as session:
        answered = session.scalars(select(Complaint).where(Complaint.code == first)).one()
        relay = session.scalars(select(Notification).where(
            Notification.complaint_id == answered.id, Notification.recipient_kind == "reporter",
            Notification.purpose == "status")).all()[-1]
    assert answered.answer_text == "sudah diperbaiki kemarin"
    assert "sudah diperbaiki kemarin" in relay.payload["text"]


def test_with_one_open_alert_a_plain_siap_segera_kami_tindak_lanjuti_acknowledges_it(
        twilio, message, file, deliver, sessions) -> None:
    code = file()
    deliver()
    twilio.post("/webhooks/twilio/whatsapp", message("Siap, segera kami tindak lanjuti 🙏",
                                                     sender=f"whatsapp:{PUPR_ADMIN}"))
    assert status(sessions, code) == "in_progress"


def test_with_two_open_alerts_and_no_reply_the_bot_asks_which_and_never_guesses(
        twilio, message, file, deliver, sessions) -> None:
    first, second = file(), file("lampu jalan mati di jalan Gusti Muhammad Seman sejak seminggu")
    deliver()
    question = reply_text(twilio.post("/webhooks/twilio/whatsapp", message(
        "bukan wewenang kami, ini jalan provinsi", sender=f"whatsapp:{PUPR_ADMIN}")))
    assert first in question and second in question and "lampu jalan mati" in question
    assert (status(sessions, first), status(sessions, second)) == ("dispatched", "dispatched")
    listed = re.findall(r"(\d)\. (BTL-[0-9A-Z-]+)", question)
    number, picked = next((n, c) for n, c in listed if c == first)
    answer = reply_text(twilio.post("/webhooks/twilio/whatsapp", message(number, sender=f"whatsapp:{PUPR_ADMIN}")))
    assert picked in answer
    assert (status(sessions, first), status(sessions, second)) == ("received", "dispatched")
    with sessions() as session:
        event = session.scalars(select(Complaint).where(Complaint.code == first)).one().events[-1]
    assert (event.action, event.actor_id, event.note) == ("bukan_wewenang", "pupr.admin", "ini jalan provinsi")


def test_a_code_typed_in_lower_case_picks_the_complaint_without_any_reply(twilio, message, file, deliver,
                                                                         sessions) -> None:
    first, second = file(), file("lampu jalan mati di jalan Gusti Muhammad Seman sejak seminggu")
    deliver()
    twilio.post("/webhooks/twilio/whatsapp", message(
        f"koordinasi {second.lower()} menunggu anggaran dari provinsi", sender=f"whatsapp:{PUPR_ADMIN}"))
    assert (status(sessions, first), status(sessions, second)) == ("dispatched", "coordinating")


def test_terima_kasih_from_an_official_is_never_an_acknowledgement(twilio, message, file, deliver,
                                                                   sessions) -> None:
    code = file()
    deliver()
    twilio.post("/webhooks/twilio/whatsapp", message("terima kasih pak", sender=f"whatsapp:{PUPR_ADMIN}",
                                                     OriginalRepliedMessageSid=alert_sid(sessions, code)))
    assert status(sessions, code) == "dispatched"


def test_an_unclear_reply_to_an_alert_gets_the_officials_choices_not_the_citizen_menu(
        twilio, message, file, deliver, sessions) -> None:
    code = file()
    deliver()
    text = reply_text(twilio.post("/webhooks/twilio/whatsapp", message(
        "ini lokasinya di mana ya?", sender=f"whatsapp:{PUPR_ADMIN}",
        OriginalRepliedMessageSid=alert_sid(sessions, code))))
    assert WELCOME not in text and "LAPOR" not in text
    assert code in text and "TERIMA" in text
    assert status(sessions, code) == "dispatched"
    with sessions() as session:
        assert session.scalars(select(Complaint)).all()[-1].code == code, "no complaint was filed"


def test_the_bupati_replying_to_an_escalation_gets_an_officials_answer_and_changes_nothing(
        twilio, message, file, deliver, sessions, wa_settings, clock) -> None:
    code = file()
    calendar = calendar_for(wa_settings)
    for instant in (datetime(2026, 11, 25, 0, 0, tzinfo=UTC), datetime(2026, 12, 1, 0, 0, tzinfo=UTC)):
        clock.set(instant)  # the head after the missed acknowledgement, then the region's leadership
        sweep(sessions, wa_settings, calendar, clock())
    deliver()
    with sessions() as session:
        to_bupati = session.scalars(select(Notification).where(Notification.address == BUPATI)).all()
    assert to_bupati and to_bupati[-1].provider_message_id
    for words in ("Tolong segera ditindaklanjuti, kasihan warga", "terima"):
        text = reply_text(twilio.post("/webhooks/twilio/whatsapp", message(
            words, sender=f"whatsapp:{BUPATI}", OriginalRepliedMessageSid=to_bupati[-1].provider_message_id)))
        assert WELCOME not in text and text
    assert status(sessions, code) == "dispatched"
    with sessions() as session:
        assert session.scalars(select(ChatSession).where(ChatSession.chat_id == BUPATI,
                                                         ChatSession.state != "idle")).first() is None
