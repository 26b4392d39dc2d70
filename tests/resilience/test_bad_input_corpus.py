"""Every case of the bad-input corpus (tests/resilience/corpus/*.yaml) goes through its real entry point
— the console adapter, the Twilio and Telegram webhooks, Open311, the dashboard — and gets its defined
answer: a reply or a 4xx, never a 5xx or a crash, nothing stored that should not be, pages that show
citizens' text escaped, and a process that still answers /livez afterwards."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from corpus_support import (
    STORED_MAY_CHANGE,
    Case,
    changed_tables,
    complaint_codes,
    foreign_scripts,
    load_corpus,
    longest_complaint_text,
    officials_intact,
    row_counts,
    status_matches,
    stored_text_problems,
    value,
)
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator
from werkzeug.test import EnvironBuilder, TestResponse

from bot.console import run_console
from bot.dialog.engine import Engine
from bot.dialog.texts import say
from bot.setup import build_engine
from models.clock import FixedClock
from models.config import Settings
from models.db import make_engine, make_session_factory, transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.directory import sync_directory
from models.environment import Environment
from models.outbox import Recipient, enqueue
from models.runtime import Database
from models.tables import ChatSession, Notification, Official
from tests.dashboard.conftest import chat_form
from tests.passwords import set_quick_password
from web import create_app

# The Telegram webhook needs a Bot API to answer on; the Telegram tests' fake is reused, not copied.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "telegram"))
from fake_bot_api import TOKEN, FakeBotApi  # noqa: E402

CASES = load_corpus()
ROOT = Path(__file__).resolve().parents[2]
ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "corpus-auth-token-0123456789abcdef"
PUBLIC = "https://lapor.baritokuala.example.go.id"
CITIZEN_PHONE = "+6281255550001"
TELEGRAM_USER = {"id": 70001, "is_bot": False, "first_name": "Siti", "username": "siti_btl"}
TELEGRAM_PATH = "/hooks/telegram"
TELEGRAM_SECRET = "corpus-webhook-Secret_1"
OPEN311_KEY = "corpus-open311-key"
PASSWORD = "rahasia-sekali-123"
SIGNED_IN = ("kominfo.triage", "pupr.admin")
SEED_TEXT = "Jalan rusak parah di depan SDN 2 Marabahan sejak tiga bulan"
# What a crash looks like from the outside: the engine's and the Telegram adapter's apologies.
CRASH_MARKERS = ("terjadi gangguan", "something went wrong")


@dataclass
class Outcome:
    """What the entry point answered: an HTTP status (None for the console) and the citizen's replies."""

    status: int | None
    replies: list[str] = field(default_factory=list)
    body: str = ""


@dataclass
class Harness:
    """One case's world: the app with every channel, its database and the helpers to reach it."""

    app: Flask
    client: FlaskClient
    engine: Engine
    sessions: sessionmaker[Session]
    db_engine: DatabaseEngine
    settings: Settings
    fake_api: FakeBotApi
    seeded: dict[str, str] = field(default_factory=dict)
    browser: FlaskClient | None = None  # the case's own client (signed in before counting, if asked)
    sids: Iterator[int] = field(default_factory=lambda: itertools.count(1))


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake_api() -> Iterator[FakeBotApi]:
    api = FakeBotApi().start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def directory_template(sqlite_template: Path, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated database with the officials' directory already synced, made once for the module."""
    path = tmp_path_factory.mktemp("corpus") / "directory.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with transaction(make_session_factory(engine)) as db:
        sync_directory(db, settings)
        for official_id in SIGNED_IN:  # scrypt is slow on purpose: hash once (and cheaply, tests/passwords.py)
            set_quick_password(db, official_id, PASSWORD)
    engine.dispose()
    return path


@pytest.fixture
def db_engine(tmp_path: Path, directory_template: Path) -> Iterator[DatabaseEngine]:
    """SQLite only: the corpus is about inputs, and a fresh copy of a ready file per case keeps ~300 cases fast."""
    path = tmp_path / "test.db"
    shutil.copy(directory_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(db_engine: DatabaseEngine) -> sessionmaker[Session]:
    return make_session_factory(db_engine)


@pytest.fixture
def corpus_settings(settings: Settings, tmp_path: Path) -> Settings:
    telegram = {"operations_chat": "-1009990001", "official_groups": ["-1001234567"],
                "places": {"kel_anjir_pasar": "Kelurahan Anjir Pasar"}}
    intake = settings.intake.model_copy(update={"media_dir": str(tmp_path / "media")})
    return settings.model_copy(update={"channels": {**settings.channels, "telegram": telegram}, "intake": intake})


@pytest.fixture
def harness(corpus_settings: Settings, db_engine: DatabaseEngine, sessions: sessionmaker[Session],
            clock: FixedClock, routing_table: Any, fake_api: FakeBotApi) -> Iterator[Harness]:
    environment = Environment.of({
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "PUBLIC_BASE_URL": PUBLIC,
        # Media are never fetched from anywhere real: the only allowed host is a closed port.
        "TWILIO_API_BASE_URL": "http://127.0.0.1:9", "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake_api.url, "TELEGRAM_WEBHOOK_URL": "https://aduan.example.go.id" + TELEGRAM_PATH,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET, "SECRET_KEY": "corpus-secret-key-9a3e5c7b1d2f4068a7e9",
        "OPEN311_API_KEYS": OPEN311_KEY})
    engine = build_engine(corpus_settings, sessions, clock, routing_table)
    app = create_app(corpus_settings, environment, database=Database(db_engine, sessions), engine=engine)
    app.config["TESTING"] = True
    yield Harness(app, app.test_client(), engine, sessions, db_engine, corpus_settings, fake_api)
    receiver = getattr(app.view_functions.get("telegram.webhook"), "__self__", None)
    if receiver is not None and receiver.service is not None:
        receiver.service.stop()


# --- the one test --------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_gets_its_defined_answer_and_stores_nothing_it_should_not(case: Case, harness: Harness) -> None:
    prepare(harness, case)
    directory_size = count_officials(harness)
    before = row_counts(harness.sessions)
    outcome = RUNNERS[case.entry](harness, case)
    for text in case.then:
        BEFORE[case.entry](harness, text)
    after = row_counts(harness.sessions)

    assert_answer(case, outcome)
    assert_storage(case, harness, before, after)
    assert officials_intact(harness.sessions, directory_size), "the officials table lost rows"
    assert_pages_escape_citizens_text(harness)
    assert_still_healthy(harness)


def assert_answer(case: Case, outcome: Outcome) -> None:
    expect = case.expect
    if outcome.status is not None:
        assert outcome.status < 500, f"{case.id}: {outcome.status} {outcome.body[:300]}"
        assert status_matches(expect.get("status", 200), outcome.status), f"{outcome.status} {outcome.body[:300]}"
    said = "\n".join(outcome.replies)
    if "reply" in expect:
        assert bool(said.strip()) == bool(expect["reply"]), f"replies: {outcome.replies!r}"
    assert not any(marker in said.lower() for marker in CRASH_MARKERS), f"the engine failed: {said[:300]}"
    for wanted in listed(expect.get("reply_has")):
        assert wanted.lower() in said.lower(), f"{wanted!r} not in {said[:500]!r}"
    for wanted in listed(expect.get("body_has")):
        assert wanted.lower() in outcome.body.lower(), f"{wanted!r} not in {outcome.body[:500]!r}"
    for unwanted in listed(expect.get("body_lacks")):
        assert unwanted not in outcome.body, f"{unwanted!r} is in the answer"


def assert_storage(case: Case, harness: Harness, before: dict[str, int], after: dict[str, int]) -> None:
    stored = case.expect.get("stored", "none")
    changed = changed_tables(before, after)
    assert changed <= STORED_MAY_CHANGE[stored], f"stored {stored!r} but {sorted(changed)} changed"
    new_complaints = after["complaints"] - before["complaints"]
    assert new_complaints == (1 if stored == "complaint" else 0), f"{new_complaints} complaints filed"
    assert stored_text_problems(harness.sessions) == []
    assert longest_complaint_text(harness.sessions) <= harness.settings.intake.max_text_chars


def assert_pages_escape_citizens_text(harness: Harness) -> None:
    """Whatever was filed, the officials' pages and the public tracking page show it as text."""
    codes = complaint_codes(harness.sessions)
    if not codes:
        return
    official = harness.app.test_client()
    sign_in(harness, official, "kominfo.triage")
    pages = ["/dashboard/", "/dashboard/?q=rusak"] + [f"/dashboard/c/{code}" for code in codes]
    pages += [f"/lacak?code={code}" for code in codes] + [f"/open311/v2/requests/{codes[-1]}.json"]
    for page in pages:
        response = official.get(page)
        assert response.status_code in (200, 404), f"{page}: {response.status_code}"
        if response.mimetype == "text/html":
            assert foreign_scripts(response.get_data(as_text=True)) == [], f"{page} carries a script"


def assert_still_healthy(harness: Harness) -> None:
    assert harness.client.get("/livez").status_code == 200
    assert harness.client.get("/healthz").status_code == 200


def listed(item: Any) -> list[str]:
    return [] if item is None else [item] if isinstance(item, str) else list(item)


def count_officials(harness: Harness) -> int:
    with harness.sessions() as db:
        return int(db.scalar(select(func.count()).select_from(Official)) or 0)


# --- set-up a case may ask for -------------------------------------------------------------


def prepare(harness: Harness, case: Case) -> None:
    """Seed what the case refers to: a complaint ({code}), a sent notification ({token})."""
    if case.input.get("seed") or case.entry in ("dashboard", "delivery_callback"):
        harness.seeded["code"] = seed_complaint(harness)
        harness.seeded["token"] = seed_notification(harness)
    for text in case.before:
        BEFORE[case.entry](harness, text)
    harness.browser = harness.app.test_client()
    if case.input.get("as"):
        sign_in(harness, harness.browser, case.input["as"])


def seed_complaint(harness: Harness) -> str:
    with transaction(harness.sessions) as db:
        desk = Desk(db, harness.settings, calendar_for(harness.settings), harness.engine.clock())
        reporter = desk.reporter_for("telegram", "seed-reporter", "Warga Seed", "+628120000000")
        return desk.file(NewComplaint(reporter=reporter, text=SEED_TEXT, channel="telegram", agency_code="PUPR"),
                         dispatch=True).code


def seed_notification(harness: Harness) -> str:
    with transaction(harness.sessions) as db:
        enqueue(db, recipient=Recipient("official", "kominfo.triage", "whatsapp", "+628110000001"),
                purpose="triage", payload={"text": "Laporan perlu verifikasi", "variables": {"code": "BTL-1"}},
                dedup_key="corpus:1", now=harness.engine.clock())
        row = db.scalars(select(Notification).where(Notification.dedup_key == "corpus:1")).one()
        row.status, row.sent_at, row.attempts = "sent", harness.engine.clock(), 1
        return str(row.callback_token)


def filled(harness: Harness, text: Any) -> Any:
    """{code} and {token} in a corpus string become the seeded complaint's code and notification's token."""
    if isinstance(text, str):
        for name, seeded in harness.seeded.items():
            text = text.replace("{" + name + "}", seeded)
    return text


def sign_in(harness: Harness, client: FlaskClient, official_id: str) -> None:
    with transaction(harness.sessions) as db:
        official = db.get(Official, official_id)
        assert official is not None
        if official.password_hash is None:
            set_quick_password(db, official_id, PASSWORD)
    response = client.post("/dashboard/login", data={"login": official_id, "password": PASSWORD,
                                                     "csrf_token": csrf(client)})
    assert response.status_code == 302


def csrf(client: FlaskClient) -> str:
    with client.session_transaction() as session:
        return str(session.setdefault("csrf", "corpus-csrf-token-0123456789"))


# --- console -------------------------------------------------------------------------------


def run_console_case(harness: Harness, case: Case) -> Outcome:
    """Lines as a terminal delivers them: text through the adapter, raw bytes through run_bot's stdin."""
    raw = value(case.input.get("text", ""))
    if isinstance(raw, bytes):
        return console_from_bytes(harness, raw)
    out = io.StringIO()
    run_console(harness.engine, io.StringIO(raw), out, chat_id="warga-corpus")
    return Outcome(None, console_replies(out.getvalue()))


def console_from_bytes(harness: Harness, raw: bytes) -> Outcome:
    """`run_bot.py --console` reading a UTF-8 terminal that delivers bytes which are not UTF-8."""
    import run_bot

    stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    out = io.StringIO()
    patch = pytest.MonkeyPatch()
    patch.setattr(sys, "stdin", stdin)
    patch.setattr(sys, "stdout", out)
    patch.setenv("DATABASE_URL", harness.db_engine.url.render_as_string(hide_password=False))
    try:
        code = run_bot.main(["--config", str(ROOT / "config.yaml"), "--console", "--chat-id", "warga-corpus"])
    finally:
        patch.undo()
    assert code == 0
    return Outcome(None, console_replies(out.getvalue()))


def console_replies(printed: str) -> list[str]:
    return [block for block in printed.split("bot> ")[1:] if block.strip()]


def console_before(harness: Harness, text: str) -> None:
    run_console(harness.engine, [text], io.StringIO(), chat_id="warga-corpus")


# --- WhatsApp and SMS ----------------------------------------------------------------------


def run_twilio_case(harness: Harness, case: Case) -> Outcome:
    sender = f"whatsapp:{CITIZEN_PHONE}" if case.entry == "whatsapp" else CITIZEN_PHONE
    form = message_form(harness, sender, case.input.get("form", {}))
    path = "/webhooks/twilio/whatsapp" + query_suffix(case)
    response = twilio_post(harness, path, form, case)
    return Outcome(response.status_code, twiml_bodies(response), response.get_data(as_text=True))


def message_form(harness: Harness, sender: str, overrides: dict[str, Any]) -> dict[str, str]:
    """A Twilio inbound form (fresh MessageSid); `null` in the corpus removes a field."""
    form = {"MessageSid": f"SM{next(harness.sids):032x}", "AccountSid": ACCOUNT_SID, "From": sender,
            "To": "whatsapp:+6281100009999", "Body": "", "NumMedia": "0", "ProfileName": "Siti Aminah"}
    for key, spec in overrides.items():
        if spec is None:
            form.pop(key, None)
        else:
            form[key] = filled(harness, value(spec))
    return form


def query_suffix(case: Case) -> str:
    query = case.input.get("query")
    return f"?{value(query)}" if query else ""


def twilio_post(harness: Harness, path: str, form: dict[str, str], case: Case) -> TestResponse:
    """Signed (or not) the way the case says, over exactly the form the app will parse."""
    body, content_type = raw_body(case)

    def request_builder() -> EnvironBuilder:
        if body is None:
            return EnvironBuilder(path=path, method="POST", data=form)
        return EnvironBuilder(path=path, method="POST", data=body, content_type=content_type)

    parsed = request_builder().get_request().form  # parsing consumes a builder's body: sign with a twin
    built = request_builder()
    headers = dict(value(case.input.get("headers", {})))
    signature = case.input.get("signature", "valid")
    if signature == "valid":
        headers["X-Twilio-Signature"] = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + path, parsed)
    elif signature == "tampered":
        headers["X-Twilio-Signature"] = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + path, {})
    elif signature == "wrong_token":
        headers["X-Twilio-Signature"] = RequestValidator("not-our-token").compute_signature(PUBLIC + path, parsed)
    elif signature == "forged":
        headers["X-Twilio-Signature"] = value(case.input.get("forged_signature", "bm9wZSBub3QgdHdpbGlv"))
    built.headers.update(headers)
    return harness.client.open(built)


def raw_body(case: Case) -> tuple[bytes | str | None, str | None]:
    if "body" not in case.input:
        return None, None
    return value(case.input["body"]), case.input.get("content_type", "application/octet-stream")


def twiml_bodies(response: TestResponse) -> list[str]:
    if response.status_code != 200 or "xml" not in (response.content_type or ""):
        return []
    return [message.text or "" for message in ET.fromstring(response.get_data(as_text=True)).iter("Message")]


def twilio_before(harness: Harness, text: str, entry: str) -> None:
    sender = f"whatsapp:{CITIZEN_PHONE}" if entry == "whatsapp" else CITIZEN_PHONE
    form = message_form(harness, sender, {"Body": text})
    path = "/webhooks/twilio/whatsapp"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + path, form)
    assert harness.client.post(path, data=form, headers={"X-Twilio-Signature": signature}).status_code == 200


# --- delivery callbacks --------------------------------------------------------------------


def run_callback_case(harness: Harness, case: Case) -> Outcome:
    token = filled(harness, value(case.input.get("token", "{token}")))
    form = {"MessageSid": "SM" + "b" * 32, "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID}
    for key, spec in case.input.get("form", {}).items():
        if spec is None:
            form.pop(key, None)
        else:
            form[key] = value(spec)
    response = twilio_post(harness, f"/webhooks/twilio/status/{token}", form, case)
    notification = notification_status(harness)
    expected = case.expect.get("notification", "sent")
    assert notification == expected, f"the notification is {notification!r}, expected {expected!r}"
    return Outcome(response.status_code, [], response.get_data(as_text=True))


def notification_status(harness: Harness) -> str:
    with harness.sessions() as db:
        return str(db.scalar(select(Notification.status).where(Notification.dedup_key == "corpus:1")))


# --- Telegram ------------------------------------------------------------------------------


def run_telegram_case(harness: Harness, case: Case) -> Outcome:
    for file_id, data in value(case.input.get("files", {})).items():
        harness.fake_api.add_file(file_id, data)  # what getFile and the download will serve
    calls_before = len(harness.fake_api.calls())
    body, content_type = raw_body(case)
    headers = telegram_headers(case.input.get("secret", "valid"))
    if body is None:
        response = harness.client.post(TELEGRAM_PATH, json=telegram_update(harness, case), headers=headers)
    else:
        response = harness.client.post(TELEGRAM_PATH, data=body, content_type=content_type, headers=headers)
    return Outcome(response.status_code, telegram_replies(harness, calls_before), response.get_data(as_text=True))


def telegram_headers(secret: str) -> dict[str, str]:
    return {"valid": {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
            "forged": {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET[:-1] + "2"},
            "missing": {}}[secret]


_update_ids = itertools.count(1000)


def telegram_update(harness: Harness, case: Case) -> Any:
    """`update:` is sent as given; `message:`/`text:` build a private message, `callback:` a button press."""
    spec = case.input
    if "update" in spec:
        return filled(harness, value(spec["update"]))
    update: dict[str, Any] = {"update_id": next(_update_ids)}
    chat = {"id": TELEGRAM_USER["id"], "type": "private", "first_name": TELEGRAM_USER["first_name"]}
    if "callback" in spec:
        data = value(spec["callback"]).replace("{keyboard}", keyboard_token(harness))
        message = {"message_id": 1, "date": 1_790_000_000, "chat": chat, "text": "..."}
        update["callback_query"] = {"id": "q1", "from": TELEGRAM_USER, "chat_instance": "ci", "data": data,
                                    "message": message}
        return update
    message: dict[str, Any] = {"message_id": 1, "date": 1_790_000_000, "chat": chat, "from": TELEGRAM_USER}
    if "text" in spec:
        message["text"] = value(spec["text"])
        if message["text"].startswith("/"):
            command = message["text"].split()[0] if message["text"].split() else "/"
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    message.update(value(spec.get("message", {})))
    update["message"] = message
    return update


def keyboard_token(harness: Harness) -> str:
    with harness.sessions() as db:
        token = db.scalar(select(ChatSession.keyboard_token).where(
            ChatSession.channel == "telegram", ChatSession.chat_id == str(TELEGRAM_USER["id"])))
        return token or "no-keyboard"


def telegram_replies(harness: Harness, calls_before: int) -> list[str]:
    """What the citizen saw: messages to their chat and the text of button answers."""
    replies = []
    for call in harness.fake_api.calls()[calls_before:]:
        if call.method == "sendMessage" and str(call.params.get("chat_id")) == str(TELEGRAM_USER["id"]):
            replies.append(str(call.params.get("text", "")))
        elif call.method == "answerCallbackQuery" and call.params.get("text"):
            replies.append(str(call.params["text"]))
    return replies


def telegram_before(harness: Harness, text: str) -> None:
    update = telegram_update(harness, Case("before", "telegram", "empty", {"text": text}, {}))
    headers = telegram_headers("valid")
    assert harness.client.post(TELEGRAM_PATH, json=update, headers=headers).status_code == 200


# --- Open311 and the dashboard -------------------------------------------------------------


def run_http_case(harness: Harness, case: Case) -> Outcome:
    """A plain HTTP request: method, path, query, form or raw body; dashboard cases may sign in and
    carry (or withhold) the CSRF token."""
    spec = case.input
    client = harness.browser or harness.app.test_client()
    method = spec.get("method", "GET")
    path = filled(harness, value(spec["path"])) + query_suffix(case)
    body, content_type = raw_body(case)
    form = {key: filled(harness, value(item)) for key, item in (spec.get("form") or {}).items()}
    form = with_api_key(form, spec.get("api_key")) if case.entry == "open311" else form
    if method == "POST" and case.entry == "dashboard":
        form = with_csrf(client, form, spec.get("csrf", "valid"))
    if method == "POST" and path == "/chat" and spec.get("challenge", "solved") == "solved":
        form = chat_form(client, form)  # what the page's script does before a new chat's first message
    if body is not None:
        response = client.open(path, method=method, data=body, content_type=content_type)
    else:
        response = client.open(path, method=method, data=form if method == "POST" else None,
                               query_string=value(spec.get("params")), follow_redirects=bool(spec.get("follow")))
    text = response.get_data().decode("utf-8", "replace")  # exports are binary
    if response.mimetype == "text/html":  # JSON and CSV are never rendered as a page
        assert foreign_scripts(text) == [], "the answer carries a script"
    return Outcome(response.status_code, chat_replies(text) if path == "/chat" else [], text)


def with_api_key(form: dict[str, Any], key: str | None) -> dict[str, Any]:
    chosen = {"valid": OPEN311_KEY, "wrong": "not-a-key"}.get(key) if isinstance(key, str) else None
    chosen = chosen or (value(key) if key is not None else None)
    return form if chosen is None else {**form, "api_key": chosen}


def with_csrf(client: FlaskClient, form: dict[str, Any], csrf_kind: str) -> dict[str, Any]:
    token = csrf(client)
    chosen = {"valid": token, "forged": token[::-1] + "x", "missing": None}[csrf_kind]
    return form if chosen is None else {**form, "csrf_token": chosen}


def chat_replies(page: str) -> list[str]:
    """The bot's lines in the web chat's log (each is a <p class="bot">)."""
    return [line for line in re.findall(r'<p class="bot">(.*?)</p>', page, re.S) if line.strip()]


RUNNERS = {"console": run_console_case, "whatsapp": run_twilio_case, "sms": run_twilio_case,
           "delivery_callback": run_callback_case, "telegram": run_telegram_case, "open311": run_http_case,
           "dashboard": run_http_case}
BEFORE = {"console": console_before, "telegram": telegram_before,
          "whatsapp": lambda harness, text: twilio_before(harness, text, "whatsapp"),
          "sms": lambda harness, text: twilio_before(harness, text, "sms")}


def test_the_corpus_is_large_and_covers_every_entry_point_and_category() -> None:
    entries = {case.entry for case in CASES}
    categories = {case.category for case in CASES}
    assert len(CASES) >= 200
    assert {"console", "telegram", "whatsapp", "sms", "open311", "dashboard", "delivery_callback"} <= entries
    assert {"empty", "huge", "control", "invalid_utf8", "emoji_rtl", "sql", "html", "content_type", "media",
            "signature", "callback"} <= categories


def test_every_crash_marker_is_what_the_engine_really_says_on_failure() -> None:
    # Keeps CRASH_MARKERS honest: if the apology's wording changes, this (not every case) fails.
    assert CRASH_MARKERS[0] in say("error", "id").lower() and CRASH_MARKERS[1] in say("error", "en").lower()
