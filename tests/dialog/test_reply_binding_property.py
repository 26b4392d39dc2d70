"""Property: whatever two citizens and one official say, in any order, a reply is applied only to the
complaint it was asked about, and no citizen's words are silently dropped.

The world: warga-1 reported A and C (both answered, both asked "sudah selesai?") and supports B; warga-2
reported B (answered, asked). The admin of the agency may accept or answer by code. Messages are drawn from
natural answers, ratings, small talk, stories (new complaints), codes, commands and the admin's commands.
After every citizen message:
- the complaints whose status or rating changed are among those the bot had asked THIS person about
  (an open "sudah selesai?" for a status, an open rating question for a rating), and only their own;
- a supporter's answer never changes the complaint they support;
- every message got a reply, and a story is kept: in the chat's draft, a complaint's text or place, or the
  audit trail of the complaint it answered.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dialog.engine import Engine
from bot.dialog.messages import Inbound
from bot.setup import build_engine
from models.clock import FixedClock
from models.config import Settings
from models.db import make_engine, make_session_factory, transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.lifecycle import Kind
from models.permissions import Actor
from models.questions import CITIZEN, RATING, SOLVED, open_questions
from models.tables import ChatSession, Complaint, ComplaintEvent, Reporter

START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
CITIZENS = ("warga-1", "warga-2")
OFFICIAL_PHONE = "+62811100101"  # pupr.admin in the shipped config
STORIES = (
    "jalan berlubang besar di depan SDN 3 Marabahan sudah sebulan",
    "lampu jalan mati di gang mawar RT 02 RW 07 sejak minggu lalu",
    "saluran air tersumbat di Gg. 3 No 12, air meluber ke jalan",
    "jembatan kayu di Km 7 patah, motor tidak bisa lewat",
)
ANSWERS = ("ya sudah beres, terima kasih", "belum, lubangnya masih ada", "masih sama aja", "blm pak", "ya",
           "tidak", "sudah bujur", "durung", "sebagian sudah", "alhamdulillah sudah diperbaiki", "1", "2")
RATINGS = ("4", "empat", "⭐⭐⭐⭐⭐", "bagus banget", "lumayan")
SMALL_TALK = ("terima kasih", "ok", "siap", "assalamualaikum", "pagi min", "👍", "?")
COMMANDS = ("lapor", "batal", "cek", "lewati", "1", "ya", "tidak tahu", "hapus data saya", "bantuan")


@pytest.fixture(scope="module")
def world_template(sqlite_template: Path, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the three complaints, built once through the desk; each example gets a copy."""
    path = tmp_path_factory.mktemp("binding") / "world.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with transaction(make_session_factory(engine)) as db:
        desk = Desk(db, settings, calendar_for(settings), START)
        one = desk.reporter_for("console", "warga-1", "Warga 1")
        two = desk.reporter_for("console", "warga-2", "Warga 2")
        official = Actor("official", "pupr.admin", agency_code="PUPR")
        made = {}
        stories = (("A", one, "jalan rusak di depan pasar lama"), ("B", two, "lampu jalan mati di gg 3"),
                   ("C", one, "got mampet di jalan veteran"))
        for name, reporter, text in stories:
            complaint = desk.file(NewComplaint(reporter=reporter, text=text, channel="console", kind=Kind.COMPLAINT,
                                               agency_code="PUPR"), dispatch=True)
            desk.acknowledge(complaint, official)
            desk.answer(complaint, official, "Sudah kami perbaiki.")
            made[name] = complaint
        desk.add_supporter(made["B"], one)
        desk.ask_citizen(made["B"], one, SOLVED)
    engine.dispose()
    return path


def messages() -> st.SearchStrategy[list[tuple[str, str]]]:
    citizen_text = st.sampled_from(ANSWERS + RATINGS + SMALL_TALK + COMMANDS + STORIES + ("CODE",))
    citizen = st.tuples(st.sampled_from(CITIZENS), citizen_text)
    official = st.tuples(st.just("official"), st.sampled_from(("TERIMA CODE", "JAWAB CODE sudah kami perbaiki",
                                                               "terima", "jawab: sudah diperbaiki")))
    return st.lists(st.one_of(citizen, citizen, citizen, official), min_size=1, max_size=10)


@hypothesis_settings(max_examples=40, deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sequence=messages(), code_picks=st.lists(st.sampled_from("ABC"), min_size=10, max_size=10))
def test_a_reply_changes_only_the_complaint_it_was_asked_about_and_no_words_are_dropped(
        world_template: Path, settings: Settings, routing_table: Any, tmp_path: Path,
        sequence: list[tuple[str, str]], code_picks: list[str]) -> None:
    path = tmp_path / f"{uuid.uuid4().hex}.db"
    shutil.copy(world_template, path)
    database = make_engine(f"sqlite:///{path}")
    sessions = make_session_factory(database)
    clock = FixedClock(START)
    engine = build_engine(settings, sessions, clock, routing_table)
    codes = codes_by_name(sessions)
    try:
        for number, (who, text) in enumerate(sequence):
            text = text.replace("CODE", codes[code_picks[number]])
            clock.advance(minutes=3)
            if who == "official":
                send(engine, Inbound(channel="whatsapp", chat_id=OFFICIAL_PHONE, sender_id=OFFICIAL_PHONE, text=text))
                continue
            check_one_citizen_turn(engine, sessions, who, text, f"{sequence[:number + 1]}")
    finally:
        database.dispose()


def check_one_citizen_turn(engine: Engine, sessions: sessionmaker[Session], who: str, text: str, trail: str) -> None:
    before = complaints(sessions)
    asked = asked_of(sessions, who)
    replies = send(engine, Inbound(channel="console", chat_id=who, sender_id=who, text=text))
    after = complaints(sessions)
    assert replies and all(reply.strip() for reply in replies), f"{trail}: no reply"
    reporter_id = reporter_of(sessions, who)
    for complaint_id, (status, rating, reporter) in before.items():
        new_status, new_rating, _ = after[complaint_id]
        if new_status != status:
            assert complaint_id in asked[SOLVED], f"{trail}: {who} changed a complaint they were not asked about"
            assert reporter == reporter_id, f"{trail}: {who} changed someone else's complaint"
        if new_rating != rating:
            assert complaint_id in asked[RATING], f"{trail}: {who} rated a complaint they were not asked to rate"
    if text in STORIES:
        assert kept(sessions, who, text), f"{trail}: {text!r} was dropped"


def send(engine: Engine, inbound: Inbound) -> list[str]:
    return [reply.text for reply in engine.handle(inbound)]


def codes_by_name(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as db:
        codes = list(db.scalars(select(Complaint.code).order_by(Complaint.id)))
    return dict(zip("ABC", codes, strict=True))


def complaints(sessions: sessionmaker[Session]) -> dict[int, tuple[str, int | None, int]]:
    with sessions() as db:
        rows = db.execute(select(Complaint.id, Complaint.status, Complaint.rating, Complaint.reporter_id)).all()
    return {row.id: (row.status, row.rating, row.reporter_id) for row in rows}


def reporter_of(sessions: sessionmaker[Session], who: str) -> int | None:
    with sessions() as db:
        return db.scalar(select(Reporter.id).where(Reporter.channel == "console", Reporter.provider_id == who))


def asked_of(sessions: sessionmaker[Session], who: str) -> dict[str, set[int]]:
    reporter = reporter_of(sessions, who)
    if reporter is None:
        return {SOLVED: set(), RATING: set()}
    with sessions() as db:
        questions = open_questions(db, CITIZEN, str(reporter))
        rating_code = None
        chat = db.scalars(select(ChatSession).where(ChatSession.chat_id == who)).first()
        if chat is not None and chat.state == "await_rating":
            rating_code = (chat.draft or {}).get("rating_code")
        rated = set(db.scalars(select(Complaint.id).where(Complaint.code == rating_code))) if rating_code else set()
    solved = {q.complaint_id for q in questions if q.kind == SOLVED}
    return {SOLVED: solved, RATING: {q.complaint_id for q in questions if q.kind == RATING} | rated}


def kept(sessions: sessionmaker[Session], who: str, story: str) -> bool:
    with sessions() as db:
        chat = db.scalars(select(ChatSession).where(ChatSession.chat_id == who)).first()
        draft = " ".join(str(value) for value in (chat.draft or {}).values()) if chat is not None else ""
        stored = [row.text + " " + (row.location_text or "") for row in db.scalars(select(Complaint))]
        notes = [note or "" for note in db.scalars(select(ComplaintEvent.note))]
    return any(story in place for place in [draft, *stored, *notes])
