"""Outside WhatsApp's 24-hour window the agency's answer and "sudah selesai?" reach the citizen by the
approved `answer` template, and the citizen's swipe-reply to that template closes (or reopens) exactly the
complaint it was about, even with another answered complaint waiting."""

from __future__ import annotations

import io
import json
import random

import pytest
from sqlalchemy import select

from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.directory import official_actor
from models.permissions import Action
from models.tables import Complaint, Notification
from notifier.dispatcher import Dispatcher
from notifier.transports import LogTransport
from notifier.transports.whatsapp import from_environment

CITIZEN = "+6281299990077"
ANSWER_TEMPLATE = "HX00000000000000000000000000000009"


@pytest.fixture
def deliver(wa_settings, sessions, environment, clock):  # type: ignore[no-untyped-def]
    transport = from_environment(wa_settings, environment, clock=clock)
    assert transport is not None
    return Dispatcher(sessions, {"whatsapp": transport}, LogTransport(io.StringIO()), wa_settings.notifier,
                      "test-notifier", clock, random.Random(1)).run_pass


def file(wa_settings, sessions, clock, text: str) -> str:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        desk = Desk(session, wa_settings, calendar_for(wa_settings), clock())
        reporter = desk.reporter_for("whatsapp", CITIZEN, "Rina", CITIZEN)
        return desk.file(NewComplaint(reporter=reporter, text=text, channel="whatsapp", agency_code="PUPR"),
                         dispatch=True).code


def answer(wa_settings, sessions, clock, code: str, text: str) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        Desk(session, wa_settings, calendar_for(wa_settings), clock()).act(
            complaint, official_actor(session, "pupr.admin"), Action.ANSWER, note=text)


def answer_sid(sessions, code: str) -> str:  # type: ignore[no-untyped-def]
    with sessions() as session:
        rows = session.scalars(select(Notification).join(Complaint).where(
            Complaint.code == code, Notification.address == CITIZEN, Notification.purpose == "status")
            .order_by(Notification.id)).all()
    sid = rows[-1].provider_message_id
    assert sid, "the answer's relay was sent and its SID recorded"
    return sid


def status(sessions, code: str) -> str:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalars(select(Complaint.status).where(Complaint.code == code)).one()


def test_the_answer_goes_by_the_answer_template_with_its_text_when_the_window_is_closed(
        wa_settings, sessions, clock, deliver, fake_twilio) -> None:
    code = file(wa_settings, sessions, clock, "jalan berlubang di depan pasar Marabahan")
    clock.advance(days=3)  # the citizen has not written since: the window is closed
    answer(wa_settings, sessions, clock, code, "Lubang sudah ditambal tim UPT kemarin sore.")
    deliver()
    sent = [m for m in fake_twilio.messages() if m["To"] == f"whatsapp:{CITIZEN}"]
    assert sent and sent[-1].get("ContentSid") == ANSWER_TEMPLATE and "Body" not in sent[-1]
    assert json.loads(sent[-1]["ContentVariables"]) == {"1": code, "2": "Lubang sudah ditambal tim UPT kemarin sore."}


def test_inside_the_window_the_answer_and_the_question_go_as_free_text(wa_settings, sessions, clock, deliver,
                                                                       fake_twilio) -> None:
    code = file(wa_settings, sessions, clock, "jalan berlubang di depan pasar Marabahan")
    answer(wa_settings, sessions, clock, code, "Lubang sudah ditambal.")
    deliver()
    body = [m for m in fake_twilio.messages() if m["To"] == f"whatsapp:{CITIZEN}"][-1]["Body"]
    assert "Lubang sudah ditambal." in body and "YA atau TIDAK" in body


def test_the_citizens_reply_to_the_template_closes_the_complaint_it_carried_not_the_latest(
        wa_settings, sessions, clock, deliver, twilio, message) -> None:
    first = file(wa_settings, sessions, clock, "jalan berlubang di depan pasar Marabahan")
    second = file(wa_settings, sessions, clock, "lampu jalan mati di jalan Gusti Muhammad Seman")
    clock.advance(days=3)
    answer(wa_settings, sessions, clock, first, "Lubang sudah ditambal.")
    clock.advance(hours=2)
    answer(wa_settings, sessions, clock, second, "Lampu sudah diganti.")
    deliver()
    response = twilio.post("/webhooks/twilio/whatsapp", message(
        "alhamdulillah sudah beres, terima kasih", sender=f"whatsapp:{CITIZEN}",
        OriginalRepliedMessageSid=answer_sid(sessions, first)))
    assert response.status_code == 200
    assert (status(sessions, first), status(sessions, second)) == ("closed", "answered")


def test_a_no_to_the_older_template_reopens_that_one_only(wa_settings, sessions, clock, deliver, twilio,
                                                           message) -> None:
    first = file(wa_settings, sessions, clock, "jalan berlubang di depan pasar Marabahan")
    second = file(wa_settings, sessions, clock, "lampu jalan mati di jalan Gusti Muhammad Seman")
    clock.advance(days=3)
    answer(wa_settings, sessions, clock, first, "Lubang sudah ditambal.")
    answer(wa_settings, sessions, clock, second, "Lampu sudah diganti.")
    deliver()
    twilio.post("/webhooks/twilio/whatsapp", message("belum, lubangnya masih ada", sender=f"whatsapp:{CITIZEN}",
                                                     OriginalRepliedMessageSid=answer_sid(sessions, first)))
    assert (status(sessions, first), status(sessions, second)) == ("reopened", "answered")
