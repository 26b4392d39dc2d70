"""The dialog engine as a state machine: several citizens on mixed channels type whatever they like, officials
act from their chats, the clock runs on — and after every step the database still tells one coherent story.

Each Hypothesis example starts from a fresh SQLite file (a copy of the migrated template with the directory
already mirrored). After every step:

* every message got at least one reply, none empty, and none the engine's apology for a crash;
* no orphan drafts: a chat in a filing state belongs to an existing reporter and holds what that state needs;
* no half-filed complaint: each has a valid, unique tracking code, a reporter, a `file` event, deadlines, and
  an owner when it left the triage queue;
* each complaint's status is the `to_status` of its last status event, and its events walk the transition table;
* every outbox row points at an existing complaint and an existing recipient (official contact or reporter);
* no outbox row names an anonymous reporter to anybody else (the suite's payload guard, checked every step).
"""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from payload_guard import find_leaks
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.dialog.engine import Engine as DialogEngine
from bot.dialog.messages import Inbound, IncomingAttachment, Location, Reply
from bot.dialog.texts import say
from bot.setup import build_engine
from models.clock import FixedClock
from models.codes import is_valid_code
from models.config import Settings
from models.db import make_engine, make_session_factory, transaction
from models.desk import calendar_for
from models.directory import sync_directory
from models.escalation import sweep
from models.lifecycle import TRANSITIONS, Status
from models.tables import (
    ChatSession,
    Complaint,
    ComplaintEvent,
    InboundMessage,
    Notification,
    OfficialContact,
    Reporter,
)

# Monday 23 November 2026, 09:00 WITA: an ordinary working morning, as in tests/conftest.py.
MONDAY_MORNING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Citizen:
    channel: str
    chat_id: str
    name: str | None
    phone: str | None = None


@dataclass(frozen=True)
class OfficialChat:
    official_id: str
    channel: str
    address: str


CITIZENS = (
    Citizen("console", "warga-acak-1", "Siti Aminah"),
    Citizen("telegram", "70011", "Budi Santoso (@budi_s)"),
    Citizen("whatsapp", "+6281255550011", "Rina Wulandari", "+6281255550011"),
    Citizen("web", "web-Zx81qP", None),
)
OFFICIALS = (
    OfficialChat("pupr.admin", "whatsapp", "+62811100101"),
    OfficialChat("dlh.admin", "whatsapp", "+62811100301"),
    OfficialChat("kominfo.triage", "telegram", "8190000001"),
    OfficialChat("perkim.admin", "telegram", "8190020001"),
)
OWNER_CHATS = {"PUPR": OFFICIALS[0], "DLH": OFFICIALS[1], "PERKIM": OFFICIALS[3]}
COMPLAINTS = (
    "jalan berlubang depan SDN 2 Marabahan sudah tiga bulan",
    "jln rusak dpn sdn 2 udh 3 bln",
    "sampah numpuk di TPS pasar tidak diangkut seminggu",
    "lampu pju di jalan anjir pasar mati seminggu",
    "listrik padam terus tiap malam, token juga error",
    "pelayanan KTP di disdukcapil lama sekali sudah 2 bulan belum jadi",
    "saran: mohon dibangun taman bermain di kelurahan",
    "bagaimana syarat mengurus akta kelahiran?",
    "ada pungli di kantor kecamatan waktu urus surat",
    "air PDAM tidak mengalir sejak kemarin di Jl. Pramuka",
)
WORDS = ("ya", "tidak", "lewati", "skip", "tidak tahu", "pilih lain", "lanjut", "batal", "menu", "bantuan",
         "english", "bahasa", "lapor", "/start", "/batal", "/status", "cek", "status", "hapus data saya",
         "terima kasih", "halo", "?", "-", "", " ", "\u202e\u0000", "👍🏽", "سلام", "Jl. Panglima Batur no 5")
CODE_LIKE = ("BTL-7K2M-9QXA", "cek btl 7k2m 9qx0", "BTL-0000-0000", "7K2M-9QX0", "PSW-1234-ABCD", "081234567890")
VERBS = ("TERIMA", "JAWAB", "SELESAI", "BUKAN", "ALIHKAN", "INFO")
TARGETS = ("PUPR", "DLH", "PERKIM", "EXT_PLN", "XYZ", "")
FILING_STATES = {"await_location", "await_photo", "await_privacy", "await_agency", "await_pick", "await_support"}
# await_contact (issue 14): a web-chat reporter is asked where to hear back once their complaint is filed.
KNOWN_STATES = FILING_STATES | {"idle", "await_text", "await_rating", "confirm_erase", "await_contact"}
# Bounded and reproducible: the same examples on every run and every machine (no example database).
MACHINE_SETTINGS = hypothesis_settings(max_examples=40, stateful_step_count=30, deadline=None, derandomize=True,
                                       database=None, suppress_health_check=[HealthCheck.too_slow])
STATUS_MOVES = {status.value: {target.value for target in targets} for status, targets in TRANSITIONS.items()}

citizens = st.sampled_from(CITIZENS)
free_text = st.one_of(
    st.sampled_from(COMPLAINTS),
    st.sampled_from(WORDS),
    st.sampled_from(CODE_LIKE),
    st.integers(min_value=0, max_value=9).map(str),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=8, max_size=120),
)


class DialogMachine(RuleBasedStateMachine):
    """One example: a fresh database, four citizens, four officials, one clock."""

    # Set by the test before the machine runs (fixtures cannot reach into a Hypothesis state machine).
    template: Path
    workdir: Path
    config: Settings
    table: Any
    counter = itertools.count()

    def __init__(self) -> None:
        super().__init__()
        path = self.workdir / f"example-{next(self.counter)}.db"
        shutil.copy(self.template, path)
        self.path = path
        self.db: Engine = make_engine(f"sqlite:///{path}")
        # A throwaway file: skip the fsyncs (the engine's own pragmas run first, this one last).
        event.listen(self.db, "connect", lambda connection, _record: connection.execute("PRAGMA synchronous=OFF"))
        self.sessions: sessionmaker[Session] = make_session_factory(self.db)
        self.clock = FixedClock(MONDAY_MORNING)
        self.engine: DialogEngine = build_engine(self.config, self.sessions, self.clock, self.table)
        self.calendar = calendar_for(self.config)
        self.message_ids = itertools.count(1)
        self.last: tuple[Inbound, list[Reply]] | None = None
        self.known_codes: list[str] = []  # refreshed by the invariant after every step
        self.owners: dict[str, str | None] = {}  # code -> agency, likewise

    def teardown(self) -> None:
        self.db.dispose()
        self.path.unlink(missing_ok=True)

    # --- sending ---------------------------------------------------------------------------------------------

    def send(self, inbound: Inbound) -> list[Reply]:
        replies = self.engine.handle(inbound)
        assert replies, f"no reply to {inbound!r}"
        assert all(reply.text.strip() for reply in replies), f"an empty reply to {inbound!r}: {replies!r}"
        crashed = say("error", "id")
        assert all(reply.text != crashed for reply in replies), f"the engine failed on {inbound!r}"
        if inbound.message_id:
            self.last = (inbound, replies)
        return replies

    def citizen_inbound(self, who: Citizen, text: str = "", **extra: Any) -> Inbound:
        # Providers give message ids (idempotency); the console gives none.
        message_id = None if who.channel == "console" else f"{who.channel}-{next(self.message_ids)}"
        return Inbound(channel=who.channel, chat_id=who.chat_id, sender_id=who.chat_id, sender_name=who.name,
                       phone=who.phone, text=text, message_id=message_id, **extra)

    def codes(self) -> list[str]:
        return self.known_codes

    # --- citizens --------------------------------------------------------------------------------------------

    @rule(who=citizens, text=free_text)
    def citizen_types(self, who: Citizen, text: str) -> None:
        self.send(self.citizen_inbound(who, text))

    @rule(who=citizens, text=st.sampled_from(COMPLAINTS), privacy=st.sampled_from("12341"),
          confirm=st.sampled_from(("ya", "tidak tahu", "pilih lain", "2", "1")))
    def citizen_files_a_whole_complaint(self, who: Citizen, text: str, privacy: str, confirm: str) -> None:
        for said in ("/batal", text, "lewati", "lewati", privacy, confirm, "1"):
            self.send(self.citizen_inbound(who, said))

    @rule(who=citizens, latitude=st.floats(-90, 90), longitude=st.floats(-180, 180),
          address=st.one_of(st.none(), st.text(max_size=30)))
    def citizen_shares_a_location(self, who: Citizen, latitude: float, longitude: float, address: str | None) -> None:
        self.send(self.citizen_inbound(who, location=Location(latitude, longitude, address)))

    @rule(who=citizens, kind=st.sampled_from(("photo", "photo", "audio", "video", "document", "sticker")),
          caption=st.sampled_from(("", "lewati", COMPLAINTS[0])))
    def citizen_sends_media(self, who: Citizen, kind: str, caption: str) -> None:
        media = IncomingAttachment(kind=kind, content_type="image/jpeg" if kind == "photo" else None,
                                   size_bytes=2048, provider_file_id=f"file-{next(self.message_ids)}")
        self.send(self.citizen_inbound(who, caption, attachments=(media,)))

    @precondition(lambda self: bool(self.codes()))
    @rule(who=citizens, pick=st.integers(0, 50),
          form=st.sampled_from(("{}", "cek {}", "{} ", "status {}", "/status {}")))
    def citizen_asks_about_a_code(self, who: Citizen, pick: int, form: str) -> None:
        codes = self.codes()
        self.send(self.citizen_inbound(who, form.format(codes[pick % len(codes)].lower())))

    @precondition(lambda self: self.last is not None)
    @rule()
    def provider_redelivers_the_last_message(self) -> None:
        assert self.last is not None
        inbound, first = self.last
        before = self.row_counts()
        again = self.send(inbound)
        assert [r.text for r in again] == [r.text for r in first], "a redelivery must be answered the same way"
        assert self.row_counts() == before, "a redelivery must change nothing"

    # --- officials -------------------------------------------------------------------------------------------

    @precondition(lambda self: bool(self.codes()))
    @rule(official=st.sampled_from(OFFICIALS), verb=st.sampled_from(VERBS), pick=st.integers(0, 50),
          agency=st.sampled_from(TARGETS), note=st.sampled_from(("", "Jalan sudah ditambal.", "bukan kami")))
    def official_acts_from_their_chat(self, official: OfficialChat, verb: str, pick: int, agency: str,
                                      note: str) -> None:
        codes = self.codes()
        rest = agency if verb == "ALIHKAN" else note
        text = f"{verb} {codes[pick % len(codes)]} {rest}".strip()
        self.send(Inbound(channel=official.channel, chat_id=official.address, sender_id=official.address,
                          text=text, message_id=f"official-{next(self.message_ids)}"))

    @precondition(lambda self: bool(self.codes()))
    @rule(pick=st.integers(0, 50), verb=st.sampled_from(("TERIMA", "JAWAB", "JAWAB", "SELESAI", "BUKAN")))
    def the_owning_agency_works_on_it(self, pick: int, verb: str) -> None:
        """Mostly the right person acting, so answers, closes and reopens happen too (triage for the rest)."""
        code = self.codes()[pick % len(self.codes())]
        official = OWNER_CHATS.get(self.owners.get(code) or "", OFFICIALS[2])
        note = " Jalan sudah ditambal kemarin." if verb in ("JAWAB", "BUKAN") else ""
        self.send(Inbound(channel=official.channel, chat_id=official.address, sender_id=official.address,
                          text=f"{verb} {code}{note}", message_id=f"official-{next(self.message_ids)}"))

    @precondition(lambda self: bool(self.codes()))
    @rule(who=citizens, verb=st.sampled_from(VERBS), pick=st.integers(0, 50))
    def citizen_pretends_to_be_an_official(self, who: Citizen, verb: str, pick: int) -> None:
        codes = self.codes()
        before = self.row_counts()
        replies = self.send(self.citizen_inbound(who, f"{verb} {codes[pick % len(codes)]} PERKIM"))
        assert "tidak terdaftar sebagai petugas" in replies[0].text
        after = self.row_counts()
        assert {k: v for k, v in after.items() if k != "inbound"} == {k: v for k, v in before.items()
                                                                      if k != "inbound"}

    # --- time ------------------------------------------------------------------------------------------------

    @rule(hours=st.sampled_from((1, 5, 20, 26, 72, 24 * 8, 24 * 15)))
    def time_passes_and_the_sweep_runs(self, hours: int) -> None:
        self.clock.advance(hours=hours)
        sweep(self.sessions, self.config, self.calendar, self.clock())

    # --- invariants ------------------------------------------------------------------------------------------

    def row_counts(self) -> dict[str, int]:
        tables = {"complaints": Complaint, "events": ComplaintEvent, "notifications": Notification,
                  "inbound": InboundMessage, "reporters": Reporter}
        with self.sessions() as db:
            return {name: int(db.scalar(select(func.count()).select_from(table)) or 0)
                    for name, table in tables.items()}

    @invariant()
    def the_database_tells_one_coherent_story(self) -> None:
        with self.sessions() as db:
            complaints = list(db.scalars(select(Complaint).order_by(Complaint.id)))
            self.known_codes = [complaint.code for complaint in complaints]
            self.owners = {complaint.code: complaint.agency_code for complaint in complaints}
            check_chat_sessions(db)
            check_codes(complaints, self.config.region.code_prefix)
            for complaint in complaints:
                check_filed_whole(complaint)
                check_event_path(complaint)
            check_outbox(db)
            leaks = find_leaks(db)
            assert not leaks, "\n".join(map(str, leaks))


def check_chat_sessions(db: Session) -> None:
    for chat in db.scalars(select(ChatSession)):
        assert chat.state in KNOWN_STATES, chat.state
        if chat.state == "idle":
            continue
        reporter = db.scalars(select(Reporter).where(Reporter.channel == chat.channel,
                                                     Reporter.provider_id == chat.chat_id)).first()
        assert reporter is not None, f"chat {chat.channel}:{chat.chat_id} in {chat.state} has no reporter"
        draft = chat.draft or {}
        if chat.state in FILING_STATES:
            assert str(draft.get("text", "")).strip(), f"{chat.state} without the complaint text: {draft}"
        if chat.state in {"await_agency", "await_pick"}:
            assert draft.get("candidates"), f"{chat.state} without candidates: {draft}"
        if chat.state == "await_support":
            similar = db.scalars(select(Complaint).where(Complaint.code == draft.get("similar_code"))).first()
            assert similar is not None, f"await_support points at a missing complaint: {draft}"
        if chat.state == "await_rating":
            rated = db.scalars(select(Complaint).where(Complaint.code == draft.get("rating_code"))).first()
            assert rated is not None, f"await_rating points at a missing complaint: {draft}"


def check_codes(complaints: list[Complaint], prefix: str) -> None:
    codes = [complaint.code for complaint in complaints]
    assert len(codes) == len(set(codes)), f"duplicated tracking codes: {codes}"
    for code in codes:
        assert code and code.startswith(prefix + "-") and is_valid_code(code), f"invalid tracking code {code!r}"


def check_filed_whole(complaint: Complaint) -> None:
    assert complaint.reporter is not None, complaint.code
    assert complaint.text.strip(), complaint.code
    assert complaint.verify_due_at is not None and complaint.created_at is not None, complaint.code
    assert complaint.events and complaint.events[0].action == "file", (complaint.code, complaint.events)
    if complaint.status in {"dispatched", "in_progress", "coordinating", "answered"}:
        assert complaint.agency_code is not None and complaint.answer_due_at is not None, complaint.code
    if complaint.status == Status.FORWARDED:
        assert (complaint.agency_code or "").startswith("EXT_"), complaint.code
    if complaint.status == Status.RECEIVED:
        assert complaint.agency_code is None, complaint.code


def check_event_path(complaint: Complaint) -> None:
    moves = [step for step in complaint.events if step.to_status is not None]
    assert moves[0].from_status is None and moves[0].to_status == Status.RECEIVED, complaint.code
    for previous, step in itertools.pairwise(moves):
        assert step.from_status == previous.to_status, (complaint.code, previous.action, step.action)
        assert step.to_status in STATUS_MOVES[step.from_status], (complaint.code, step.from_status, step.to_status)
    assert complaint.status == moves[-1].to_status, (complaint.code, complaint.status, moves[-1].to_status)


def check_outbox(db: Session) -> None:
    complaint_ids = set(db.scalars(select(Complaint.id)))
    contacts = {(c.official_id, c.channel, c.address) for c in db.scalars(select(OfficialContact))}
    reporters = {r.id: r for r in db.scalars(select(Reporter))}
    for row in db.scalars(select(Notification)):
        assert row.complaint_id is None or row.complaint_id in complaint_ids, row.dedup_key
        if row.recipient_kind == "official":
            assert (row.recipient_id, row.channel, row.address) in contacts, row.dedup_key
        elif row.recipient_kind == "reporter":
            reporter = reporters.get(int(row.recipient_id))
            assert reporter is not None, row.dedup_key
            assert (row.channel, row.address) == (reporter.channel, reporter.provider_id), row.dedup_key
        else:
            assert row.recipient_kind == "operations", row.dedup_key
        assert isinstance(row.payload, dict) and str(row.payload.get("text", "")).strip(), row.dedup_key


@pytest.fixture
def synced_template(sqlite_template: Path, settings: Settings, tmp_path: Path) -> Path:
    """The migrated template with agencies and officials already mirrored: each example copies it."""
    path = tmp_path / "synced.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with transaction(make_session_factory(engine)) as db:
        sync_directory(db, settings)
    engine.dispose()
    return path


@pytest.mark.timeout(240)
def test_any_conversation_leaves_a_coherent_desk(synced_template: Path, settings: Settings, routing_table: Any,
                                                 tmp_path: Path) -> None:
    DialogMachine.template = synced_template
    DialogMachine.workdir = tmp_path
    DialogMachine.config = settings
    DialogMachine.table = routing_table
    run_state_machine_as_test(DialogMachine, settings=MACHINE_SETTINGS)

