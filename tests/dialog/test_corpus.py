"""The conversation corpus (tests/dialog/corpus/, written blind: by someone who never saw the code) runs
through the real adapters on a real database per conversation: WhatsApp and SMS as signed Twilio posts,
Telegram as webhook updates against a fake Bot API, the web chat as its form; officials answer from their
WhatsApp numbers. Each turn asserts outcomes, never wording: whether a complaint was filed (with its text),
which complaint changed and to what, who was asked which, the reply's language and the facts it must
mention, and that it fits a phone screen (700 characters) or one SMS (160).

Conversations listed in corpus/pending.yaml (with their reason: another colleague's part of issue 14, or
not built yet) run as strict xfails: one that starts passing fails the suite until it is taken off the list.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from corpus_world import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    OFFICIALS,
    PUBLIC,
    STATUS_WORDS,
    TELEGRAM_PATH,
    TELEGRAM_SECRET,
    World,
    agency_code,
)
from fake_bot_api import TOKEN, FakeBotApi
from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.dialog.understanding import vocabulary
from bot.setup import build_engine
from models.clock import FixedClock
from models.config import Settings
from models.environment import Environment
from models.runtime import Database
from models.tables import Complaint, ComplaintEvent
from web import create_app

CORPUS = Path(__file__).resolve().parent / "corpus"
SCREEN_CHARS = 700
SMS_CHARS = 160
# Conversations whose filing needed the harness to answer the remaining intake questions (reported).
FINISHED_BY_HARNESS: set[str] = set()
WELCOME_MENU = ("LAPOR - buat laporan baru", "REPORT - new complaint")


def conversations() -> list[dict[str, Any]]:
    found = []
    for path in sorted(CORPUS.glob("*.yaml")):
        if path.name == "pending.yaml":
            continue
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8")):
            found.append({**conversation, "file": path.name})
    return found


PENDING: dict[str, str] = yaml.safe_load((CORPUS / "pending.yaml").read_text(encoding="utf-8")) or {}
CASES = conversations()


def cases() -> Iterator[Any]:
    for conversation in CASES:
        marks = []
        if conversation["id"] in PENDING:
            marks.append(pytest.mark.xfail(strict=True, reason=PENDING[conversation["id"]]))
        yield pytest.param(conversation, id=conversation["id"], marks=marks)


@pytest.fixture(scope="module", autouse=True)
def report_finished_by_harness() -> Iterator[None]:
    """With -s: how many conversations needed the harness to answer the bot's remaining intake questions."""
    yield
    print(f"\ncorpus: {len(FINISHED_BY_HARNESS)} conversations finished by the harness: {sorted(FINISHED_BY_HARNESS)}")


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    api = FakeBotApi().start()
    yield api
    api.stop()


@pytest.fixture(params=["sqlite"])
def db_engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[DatabaseEngine]:
    """SQLite per conversation (the corpus is about understanding, not the backend; 178 conversations)."""
    import shutil

    from models.db import make_engine

    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def make_world(settings: Settings, db_engine: DatabaseEngine, sessions: sessionmaker[Session], clock: FixedClock,
               routing_table: Any, fake_api: FakeBotApi, tmp_path: Path, channel: str) -> World:
    telegram = {"operations_chat": "-1009990001", "official_groups": ["-1001234567"], "places": {}}
    intake = settings.intake.model_copy(update={"media_dir": str(tmp_path / "media")})
    configured = settings.model_copy(update={"channels": {**settings.channels, "telegram": telegram},
                                             "intake": intake})
    environment = Environment.of({
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "PUBLIC_BASE_URL": PUBLIC,
        "TWILIO_API_BASE_URL": "http://127.0.0.1:9",  # photos are fetched later by the notifier: never here
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake_api.url,
        "TELEGRAM_WEBHOOK_URL": "https://aduan.example.go.id" + TELEGRAM_PATH,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET, "SECRET_KEY": "corpus-secret-key-4c1f8e2a9d6b7035e8f1aa"})
    engine = build_engine(configured, sessions, clock, routing_table)
    app = create_app(configured, environment, database=Database(db_engine, sessions), engine=engine)
    app.config["TESTING"] = True
    return World(app, engine, sessions, configured, clock, routing_table, fake_api, channel)


@pytest.fixture
def world_for(settings: Settings, db_engine: DatabaseEngine, sessions: sessionmaker[Session], clock: FixedClock,
              routing_table: Any, fake_api: FakeBotApi, tmp_path: Path) -> Iterator[Any]:
    made: list[World] = []

    def build(channel: str) -> World:
        world = make_world(settings, db_engine, sessions, clock, routing_table, fake_api, tmp_path, channel)
        made.append(world)
        return world

    yield build
    for world in made:
        receiver = getattr(world.app.view_functions.get("telegram.webhook"), "__self__", None)
        if receiver is not None and receiver.service is not None:
            receiver.service.stop()


@pytest.mark.parametrize("conversation", list(cases()))
def test_a_natural_conversation_has_the_outcomes_its_writer_expected(world_for: Any,
                                                                     conversation: dict[str, Any]) -> None:
    world: World = world_for(conversation["channel"])
    world.build(conversation.get("given"))
    filed_since: int | None = None  # complaints count when a run of "pending" filing turns began
    for number, turn in enumerate(conversation["turns"], start=1):
        where = f"{conversation['id']} turn {number} ({turn['from']}: {turn.get('text', '')!r})"
        before = snapshot(world)
        if filed_since is None:
            filed_since = before["count"]
        official = turn["from"] in OFFICIALS
        sent = world.official_sends(turn["from"], turn) if official else world.citizen_sends(turn["from"], turn)
        after = snapshot(world)
        expect = turn["expect"]
        check_lengths(sent.texts, sent.channel, where)
        filed = expect.get("files_complaint")
        if filed == "pending":
            continue
        new_ids = after["ids"] - before["ids"] if filed is False else after["ids"] - snapshot_ids_since(
            world, filed_since)
        if filed is True and not new_ids and not official:
            # The bot still asks (photo, privacy, agency) where the writer expected the filing: go along.
            FINISHED_BY_HARNESS.add(conversation["id"])
            world.finish_intake(turn["from"], expect.get("new_complaint") or {})
            after = snapshot(world)
            new_ids = after["ids"] - snapshot_ids_since(world, filed_since)
        if filed is True:
            assert len(new_ids) == 1, f"{where}: expected one new complaint, got {len(new_ids)}\n{sent.texts}"
            check_new_complaint(world, next(iter(new_ids)), expect.get("new_complaint") or {}, where)
        elif filed is False:
            assert not new_ids, f"{where}: no complaint expected, filed {len(new_ids)}\n{sent.texts}"
        filed_since = None
        check_changes(world, before, after, expect, where, sent.texts)
        check_reply(world, sent.texts, expect, where)


def snapshot(world: World) -> dict[str, Any]:
    with world.sessions() as db:
        rows = db.execute(select(Complaint.id, Complaint.status)).all()
        events = db.scalar(select(func.count(ComplaintEvent.id)).where(
            ComplaintEvent.action == "supporter_feedback")) or 0
    return {"count": len(rows), "ids": {row.id for row in rows}, "status": {row.id: row.status for row in rows},
            "opinions": events}


def snapshot_ids_since(world: World, count: int) -> set[int]:
    with world.sessions() as db:
        ids = list(db.scalars(select(Complaint.id).order_by(Complaint.id)))
    return set(ids[:count])


def check_lengths(texts: list[str], channel: str, where: str) -> None:
    assert texts, f"{where}: no reply at all"
    for text in texts:
        assert len(text) <= SCREEN_CHARS, f"{where}: reply of {len(text)} characters:\n{text}"
    if channel == "sms":
        assert len(texts) == 1 and len(texts[0]) <= SMS_CHARS, f"{where}: SMS reply is not one SMS: {texts}"


def check_new_complaint(world: World, complaint_id: int, wanted: dict[str, Any], where: str) -> None:
    with world.sessions() as db:
        complaint = db.get(Complaint, complaint_id)
        assert complaint is not None
        if "agency" in wanted:
            assert complaint.agency_code == agency_code(wanted["agency"]), f"{where}: agency {complaint.agency_code}"
        if "confidential" in wanted:
            assert complaint.confidential is bool(wanted["confidential"]), f"{where}: confidential"
        if "emergency" in wanted:
            emergency = bool(getattr(complaint, "emergency", False) or (complaint.sla or {}).get("emergency"))
            assert emergency is bool(wanted["emergency"]), f"{where}: emergency {emergency}"
        for word in wanted.get("text_includes") or []:
            assert str(word).lower() in complaint.text.lower(), f"{where}: {word!r} not in {complaint.text!r}"


def check_changes(world: World, before: dict[str, Any], after: dict[str, Any], expect: dict[str, Any],
                  where: str, texts: list[str]) -> None:
    changed = {cid for cid in before["status"] if after["status"].get(cid) != before["status"][cid]}
    names = {cid: name for name, cid in world.complaints.items()}
    wanted = expect.get("changes", "none")
    if expect.get("asks_which"):
        assert not changed, f"{where}: asked which but changed {[names.get(c, c) for c in changed]}"
        codes = [world.code_of(name) for name in world.complaints]
        mentioned = sum(1 for code in codes if any(code in text for text in texts))
        assert mentioned >= 2 or any("?" in text for text in texts), f"{where}: does not ask which: {texts}"
        return
    if wanted in (None, "none"):
        assert not changed, f"{where}: changed {[names.get(c, c) for c in changed]}\n{texts}"
    else:
        target = world.complaints[str(wanted)]
        assert changed == {target}, f"{where}: expected {wanted} to change, changed " \
                                    f"{[names.get(c, c) for c in changed]}\n{texts}"
        if expect.get("state"):
            status = after["status"][target]
            assert STATUS_WORDS.get(status, status) == expect["state"], f"{where}: {wanted} is {status}\n{texts}"
    if expect.get("supporter_opinion_recorded"):
        assert after["opinions"] > before["opinions"], f"{where}: the supporter's opinion was not recorded"


def check_reply(world: World, texts: list[str], expect: dict[str, Any], where: str) -> None:
    joined = "\n".join(texts)
    for fact in expect.get("reply_mentions") or []:
        assert world.filled(str(fact)).lower() in joined.lower(), f"{where}: {fact!r} not in reply:\n{joined}"
    language = expect.get("reply_language")
    if language in ("en", "id"):
        assert reply_language(joined) == language, f"{where}: reply not in {language}:\n{joined}"
    if expect.get("no_menu"):
        assert not any(menu in joined for menu in WELCOME_MENU), f"{where}: the menu again:\n{joined}"
    if expect.get("asks_location"):
        assert "lokasi" in joined.lower() or "location" in joined.lower(), f"{where}: no location asked:\n{joined}"


def reply_language(text: str) -> str:
    """English or Indonesian by their common words (office names and places are Indonesian in both)."""
    counts = {"en": 0, "id": 0}
    for match in vocabulary("language").matches(text):
        counts[match.phrase.meaning] += len(match.phrase.words)
    return "en" if counts["en"] > counts["id"] else "id"


def test_the_corpus_has_the_size_the_issue_asks_for() -> None:
    turns = sum(len(conversation["turns"]) for conversation in CASES)
    assert turns >= 300 and len({c["channel"] for c in CASES}) >= 4
    assert set(PENDING) <= {c["id"] for c in CASES}, "pending.yaml names a conversation that does not exist"
