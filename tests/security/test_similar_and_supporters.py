"""Class 4: the "similar complaint" prompt never shows another citizen's own words or tracking code — only the
moderated public text of a public complaint, else a neutral sentence — and a supporter hears status changes,
never the agency's answer meant for the reporter."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models.db import transaction
from models.desk import Desk, calendar_for
from models.directory import official_actor
from models.permissions import Action
from models.tables import Complaint, Notification, Reporter
from tests.security.conftest import Filing, Person

FIRST = Person("Nurhayati Rahman", "+6281377778888")
ORIGINAL = "sampah menumpuk di TPS pasar Marabahan tidak diangkut, kata Bu Nurhayati tetangga saya"
ANSWER = "Petugas kami sudah menemui Ibu di rumah nomor 12; pengangkutan dijadwalkan besok pagi"


def file_the_first(filing: Filing, public_text: str | None = None, anonymous: bool = False) -> str:
    return filing.file(person=FIRST, text=ORIGINAL, agency="DLH", anonymous=anonymous, public_text=public_text)


def second_citizen_asks(chat: Any) -> str:
    for said in ("sampah menumpuk di TPS pasar Marabahan tidak diangkut", "lewati", "lewati", "1"):
        chat(said, chat_id="warga-kedua")
    return str(chat("ya", chat_id="warga-kedua"))


def test_an_unmoderated_complaint_is_offered_in_a_neutral_sentence_without_its_words_or_code(
        filing: Filing, chat: Any) -> None:
    code = file_the_first(filing)
    prompt = second_citizen_asks(chat)
    assert "serupa" in prompt and code not in prompt
    assert "Nurhayati" not in prompt and "tetangga" not in prompt and "TPS pasar" not in prompt


def test_a_moderated_public_complaint_is_offered_with_its_public_text_only(filing: Filing, chat: Any) -> None:
    code = file_the_first(filing, public_text="Sampah di TPS pasar belum diangkut")
    prompt = second_citizen_asks(chat)
    assert "Sampah di TPS pasar belum diangkut" in prompt and code not in prompt and "Nurhayati" not in prompt


def test_an_anonymous_complaint_is_offered_neutrally_even_when_moderated(filing: Filing, chat: Any) -> None:
    code = file_the_first(filing, public_text="Sampah di TPS pasar belum diangkut", anonymous=True)
    prompt = second_citizen_asks(chat)
    assert code not in prompt and "Sampah di TPS pasar belum diangkut" not in prompt


def test_a_supporter_hears_the_status_but_never_the_answer_meant_for_the_reporter(
        filing: Filing, chat: Any, sessions: Any, settings: Any, clock: Any) -> None:
    code = file_the_first(filing)
    second_citizen_asks(chat)
    assert "mendukung" in chat("ya", chat_id="warga-kedua")
    with transaction(sessions) as db:
        complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
        desk = Desk(db, settings, calendar_for(settings), clock())
        desk.act(complaint, official_actor(db, "dlh.admin"), Action.ACKNOWLEDGE)
        desk.act(complaint, official_actor(db, "dlh.admin"), Action.ANSWER, note=ANSWER)
    with sessions() as db:
        supporter = db.scalars(select(Reporter).where(Reporter.provider_id == "warga-kedua")).one()
        to_supporter = list(db.scalars(select(Notification).where(
            Notification.recipient_kind == "reporter", Notification.recipient_id == str(supporter.id))))
        to_reporter = list(db.scalars(select(Notification).where(
            Notification.recipient_kind == "reporter", Notification.recipient_id != str(supporter.id))))
    assert len(to_supporter) == 2  # acknowledged, answered
    assert all(ANSWER not in str(n.payload) for n in to_supporter)
    assert any(ANSWER in str(n.payload) for n in to_reporter)
    status = chat(f"cek {code}", chat_id="warga-kedua")
    assert code in status and ANSWER not in status
