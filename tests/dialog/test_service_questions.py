"""Questions about the desk itself ("how do I report ...?", "is this the complaint service?") are answered with
the help text and file nothing; complaints, however they are phrased (as a question too), are still filed.
The English and mixed messages are data: tests/dialog/data/service_questions.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dialog.intake import infer_kind
from bot.dialog.texts import say
from bot.dialog.understanding.reading import asks_about_the_service, goes_on_after_the_question
from models.lifecycle import Kind
from models.tables import ChatSession, Complaint

MESSAGES = yaml.safe_load((Path(__file__).parent / "data" / "service_questions.yaml").read_text(encoding="utf-8"))
HELP = (say("help", "en"), say("help", "id"))
# What a person who just goes along answers to the intake's remaining questions.
GOING_ALONG = {"await_location": "lewati", "await_photo": "lewati", "await_privacy": "1", "await_agency": "ya",
               "await_pick": "tidak tahu", "await_support": "tidak"}


def complaints(sessions: sessionmaker[Session]) -> list[Complaint]:
    with sessions() as db:
        return list(db.scalars(select(Complaint).order_by(Complaint.id)))


def state_of(sessions: sessionmaker[Session], chat_id: str = "warga-1") -> str:
    with sessions() as db:
        return str(db.scalar(select(ChatSession.state).where(ChatSession.chat_id == chat_id)))


def go_along(chat: Any, sessions: sessionmaker[Session]) -> None:
    for _ in range(6):
        state = state_of(sessions)
        if state not in GOING_ALONG:
            return
        chat(GOING_ALONG[state])


def test_the_data_has_at_least_thirty_questions_and_complaints() -> None:
    assert len(MESSAGES["questions"]) + len(MESSAGES["complaints"]) >= 30
    assert not set(MESSAGES["questions"]) & set(MESSAGES["complaints"])


@pytest.mark.parametrize("question", MESSAGES["questions"])
def test_a_question_about_the_service_gets_the_help_answer_and_files_nothing(
        chat: Any, sessions: Any, question: str) -> None:
    reply = chat(question)
    assert reply in HELP, reply
    assert complaints(sessions) == [] and state_of(sessions) in ("idle", "await_text")


@pytest.mark.parametrize("complaint", MESSAGES["complaints"])
def test_a_complaint_is_filed_however_it_is_phrased(chat: Any, sessions: Any, complaint: str) -> None:
    reply = chat(complaint)
    assert reply not in HELP
    go_along(chat, sessions)
    [filed] = complaints(sessions)
    assert complaint in filed.text


def test_a_question_naming_a_kind_of_problem_opens_the_complaint_told_next(chat: Any, sessions: Any) -> None:
    """The corpus' lang-english-smalltalk: the question says what, the next message where and since when; the
    office reads both, and the place is not taken for the place question's answer."""
    chat("how do I report a broken street light?")
    reply = chat("ok the one at gang mawar no 3 has been dead for a month")
    assert complaints(sessions) == [] and "location" in reply.lower()
    go_along(chat, sessions)
    [filed] = complaints(sessions)
    told = "how do I report a broken street light?\nok the one at gang mawar no 3 has been dead for a month"
    assert filed.text == told
    assert filed.kind == Kind.COMPLAINT  # asking how to report is asking to report, not for information


@pytest.mark.parametrize("question", ["how long until you fix the broken street light on Jl. A Yani?",
                                      "kapan lampu jalan di Jl. A Yani diperbaiki?"])
def test_a_question_that_carries_a_complaint_is_filed_as_a_request_for_information_in_both_languages(
        chat: Any, sessions: Any, question: str) -> None:
    """As the Indonesian path always did: the complaint is never lost to the question, and LAPOR!'s kind says
    the citizen asked (permintaan informasi)."""
    chat(question)
    go_along(chat, sessions)
    [filed] = complaints(sessions)
    assert filed.text == question and filed.kind == Kind.INFORMATION


def test_a_service_question_after_lapor_gets_help_and_the_desk_still_waits_for_the_problem(
        chat: Any, sessions: Any) -> None:
    chat("lapor")
    assert chat("how does this work?") in HELP and state_of(sessions) == "await_text"
    chat("sampah menumpuk di tps jl. melati sudah seminggu")
    go_along(chat, sessions)
    [filed] = complaints(sessions)
    assert filed.text == "sampah menumpuk di tps jl. melati sudah seminggu"


def test_a_service_question_without_a_kind_of_problem_leaves_nothing_for_the_next_complaint(
        chat: Any, sessions: Any) -> None:
    chat("is this the complaint service?")
    chat("jalan berlubang besar depan SDN 2 Marabahan")
    go_along(chat, sessions)
    [filed] = complaints(sessions)
    assert filed.text == "jalan berlubang besar depan SDN 2 Marabahan"


def test_cancel_after_a_question_drops_the_question_kept_for_the_complaint(chat: Any, sessions: Any) -> None:
    chat("who do I contact about a broken water pipe?")
    chat("batal")
    chat("jalan berlubang besar depan SDN 2 Marabahan")
    go_along(chat, sessions)
    [filed] = complaints(sessions)
    assert "water pipe" not in filed.text


@pytest.mark.parametrize("text", ["ok so how do i report", "halo pak, bagaimana cara melapor?",
                                  "excuse me, is this the complaint service?"])
def test_a_greeting_or_an_opening_may_stand_before_the_question(text: str) -> None:
    assert asks_about_the_service(text)


@pytest.mark.parametrize("text", ["the road near my house is broken, how do i report it to the right office",
                                  "how long until you fix the street light", "when it rains the road floods"])
def test_a_question_word_later_in_a_complaint_is_no_question_about_the_service(text: str) -> None:
    assert not asks_about_the_service(text)


@pytest.mark.parametrize("text", ["what is this garbage doing on my street, nobody collects it",
                                  "is this the complaint service? our drain is blocked again",
                                  "mau tanya cara lapor, lampu jalan kami mati terus"])
def test_a_sentence_of_its_own_after_the_question_is_the_citizen_telling(text: str) -> None:
    assert asks_about_the_service(text) and goes_on_after_the_question(text)


@pytest.mark.parametrize(("text", "kind"), [
    ("kapan jalan di depan pasar diperbaiki", Kind.INFORMATION),
    ("when will the road near the market be repaired", Kind.INFORMATION),
    ("why is the street light on jl. veteran still off", Kind.INFORMATION),
    ("when it rains the road near SDN 2 floods", Kind.COMPLAINT),
    ("can you fix the road in front of my house", Kind.COMPLAINT),
    ("can I report the pothole at jl merdeka no 5?", Kind.COMPLAINT),
    ("saran saya sebaiknya dibangun taman bermain", Kind.ASPIRATION),
])
def test_the_kind_follows_lapors_three_classes_in_both_languages(text: str, kind: Kind) -> None:
    assert infer_kind(text) == kind
