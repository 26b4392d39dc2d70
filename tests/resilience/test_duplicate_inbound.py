"""Every inbound path fed the same message three times creates one complaint: the Twilio webhook for
WhatsApp and SMS (one MessageSid), Telegram's webhook and long polling (one update_id), the web chat
(one form nonce), Open311 (one identical POST), the operators' intake form (one rendered form) and the
console (the final YA typed again). Each path drives a whole conversation to the filing message,
delivers that message three times, and the repeats are answered sensibly (the same tracking code,
or nothing where the provider expects no answer)."""

from __future__ import annotations

import io
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from bot.console import run_console
from bot.dialog.engine import Engine
from bot.setup import build_engine
from bot.telegram.service import TelegramService
from models.accounts import set_password
from models.clock import FixedClock
from models.config import Settings
from models.db import transaction
from models.environment import Environment
from models.runtime import Database
from models.tables import Complaint, ComplaintEvent
from tests.dashboard.conftest import chat_form
from web import create_app

# The Telegram suite's fake Bot API and citizens are reused, not copied (their module names are unique).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "telegram"))
from citizens import Citizen  # noqa: E402
from fake_bot_api import TOKEN, FakeBotApi  # noqa: E402

ACCOUNT_SID = "AC" + "3" * 32
AUTH_TOKEN = "duplicate-auth-token-0123456789"
PUBLIC = "https://lapor.baritokuala.example.go.id"
TWILIO_PATH = "/webhooks/twilio/whatsapp"
TELEGRAM_PATH = "/hooks/telegram"
TELEGRAM_SECRET = "duplicate-webhook-Secret_1"
OPEN311_KEY = "duplicate-open311-key"
PASSWORD = "rahasia-sekali-123"
CSRF = "duplicate-csrf-token-0123456789"
# Everything up to the agency question; the filing message is then "ya" (the proposed agency is right).
CONVERSATION = ("jalan berlubang depan SDN 2 Marabahan rusak parah", "depan SDN 2 Marabahan", "lewati", "1")
FILING = "ya"
DELIVERIES = 3
CODE = re.compile(r"BTL-[0-9A-Z]{4}-[0-9A-Z]{4}")


@dataclass
class World:
    """The app with every channel switched on, over the test's database, and what it talks to."""

    app: Flask
    engine: Engine
    sessions: sessionmaker[Session]
    fake_api: FakeBotApi
    environment: Environment


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    api = FakeBotApi().start()
    yield api
    api.stop()


@pytest.fixture
def world(settings: Settings, db_engine: DatabaseEngine, sessions: sessionmaker[Session], clock: FixedClock,
          routing_table: Any, fake_api: FakeBotApi, tmp_path: Path) -> Iterator[World]:
    telegram = {"operations_chat": "-1009990001", "official_groups": ["-1001234567"], "places": {}}
    intake = settings.intake.model_copy(update={"media_dir": str(tmp_path / "media")})
    configured = settings.model_copy(update={"channels": {**settings.channels, "telegram": telegram},
                                             "intake": intake})
    environment = Environment.of({
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "PUBLIC_BASE_URL": PUBLIC,
        "TWILIO_API_BASE_URL": "http://127.0.0.1:9",  # no media here: never fetch anything real
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake_api.url,
        "TELEGRAM_WEBHOOK_URL": "https://aduan.example.go.id" + TELEGRAM_PATH,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET, "SECRET_KEY": "duplicate-secret-key-4c1f8e2a9d6b7035e8f1",
        "OPEN311_API_KEYS": OPEN311_KEY})
    engine = build_engine(configured, sessions, clock, routing_table)
    app = create_app(configured, environment, database=Database(db_engine, sessions), engine=engine)
    app.config["TESTING"] = True
    yield World(app, engine, sessions, fake_api, environment)
    receiver = getattr(app.view_functions.get("telegram.webhook"), "__self__", None)
    if receiver is not None and receiver.service is not None:
        receiver.service.stop()


# --- Twilio: WhatsApp and SMS -----------------------------------------------------------------


def twilio_path(sender: str) -> Callable[[World], list[str]]:
    def deliver(world: World) -> list[str]:
        client = world.app.test_client()
        for number, text in enumerate(CONVERSATION):
            twilio_post(client, twilio_form(sender, text, f"SM{number:032x}"))
        filing = twilio_form(sender, FILING, "SM" + "f" * 32)
        return [twilio_post(client, filing) for _ in range(DELIVERIES)]
    return deliver


def twilio_form(sender: str, text: str, sid: str) -> dict[str, str]:
    return {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "To": "whatsapp:+6281100009999",
            "Body": text, "NumMedia": "0", "ProfileName": "Siti Aminah"}


def twilio_post(client: FlaskClient, form: dict[str, str]) -> str:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + TWILIO_PATH, form)
    response = client.post(TWILIO_PATH, data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return "\n".join(m.text or "" for m in ET.fromstring(response.get_data(as_text=True)).iter("Message"))


# --- Telegram ---------------------------------------------------------------------------------


def telegram_webhook(world: World) -> list[str]:
    client = world.app.test_client()
    citizen = Citizen(world.fake_api, 70001, "Siti Aminah", "siti_btl")
    updates = iter(range(1, 100))
    for text in CONVERSATION:
        telegram_post(client, world, citizen, {"update_id": next(updates), **citizen.message(text=text)})
    filing = {"update_id": next(updates), **citizen.message(text=FILING)}
    return [telegram_post(client, world, citizen, filing) for _ in range(DELIVERIES)]


def telegram_post(client: FlaskClient, world: World, citizen: Citizen, update: dict[str, Any]) -> str:
    """What the bot sent the citizen because of this POST (nothing for an update it has seen)."""
    before = len(world.fake_api.texts_to(citizen.chat_id))
    response = client.post(TELEGRAM_PATH, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    assert response.status_code == 200, response.get_data(as_text=True)
    return "\n".join(world.fake_api.texts_to(citizen.chat_id)[before:])


def telegram_polling(world: World) -> list[str]:
    polling = world.environment.replace(telegram_webhook_url=None, telegram_webhook_secret=None)
    service = TelegramService(world.engine, polling, poll_timeout=0.5).start().start_polling()
    try:
        citizen = Citizen(world.fake_api, 70002, "Budi", "budi_mrb")
        for text in CONVERSATION:
            citizen.says(text)
        filing = citizen.message(text=FILING)
        answers = ["\n".join(citizen.sends(filing))]
        answers += [telegram_redelivered(world.fake_api, citizen, filing) for _ in range(DELIVERIES - 1)]
        return answers
    finally:
        service.stop()


def telegram_redelivered(api: FakeBotApi, citizen: Citizen, update: dict[str, Any]) -> str:
    """Telegram serves the same update again; returns what the bot sent because of it."""
    before = len(api.texts_to(citizen.chat_id))
    polls = len(api.calls("getUpdates"))
    api.redeliver(update)
    # Served by the pending long poll or the next one; a poll issued after that means it was handled.
    api.wait_until(lambda: not api.state.redeliveries and len(api.calls("getUpdates")) >= polls + 2, timeout=20)
    return "\n".join(api.texts_to(citizen.chat_id)[before:])


# --- the web: chat, Open311, operators' intake ------------------------------------------------


def web_chat(world: World) -> list[str]:
    client = world.app.test_client()
    with client.session_transaction() as session:
        session["csrf"] = CSRF
    assert client.get("/chat").status_code == 200
    for number, text in enumerate(CONVERSATION):
        chat_post(client, text, f"step-{number}")
    return [chat_post(client, FILING, "the-filing-form") for _ in range(DELIVERIES)]


def chat_post(client: FlaskClient, text: str, nonce: str) -> str:
    """The bot's lines the chat page shows after this form was sent."""
    # A new chat's first message carries the solved challenge, as the page's script sends it.
    response = client.post("/chat", data=chat_form(client, {"csrf_token": CSRF, "text": text, "nonce": nonce}))
    assert response.status_code == 303
    with client.session_transaction() as session:
        log = session["chat_log"]
    return str(log[-1][1]) if log[-1][0] == "bot" else ""


def open311(world: World) -> list[str]:
    client = world.app.test_client()
    services = client.get("/open311/v2/services.json").get_json()
    assert "PUPR" in {service["service_code"] for service in services}
    form = {"api_key": OPEN311_KEY, "service_code": "PUPR", "description": CONVERSATION[0],
            "lat": "-2.9866", "long": "114.7514", "address_string": CONVERSATION[1], "email": "siti@example.id",
            "first_name": "Siti", "last_name": "Aminah"}
    answers = []
    for _ in range(DELIVERIES):
        response = client.post("/open311/v2/requests.json", data=form)
        assert response.status_code == 201, response.get_data(as_text=True)
        [created] = response.get_json()
        answers.append(str(created["service_request_id"]))
    return answers


def intake(world: World) -> list[str]:
    client = world.app.test_client()
    with transaction(world.sessions) as db:
        set_password(db, "kominfo.triage", PASSWORD)
    with client.session_transaction() as session:
        session["csrf"] = CSRF
    signed_in = client.post("/dashboard/login", data={"login": "kominfo.triage", "password": PASSWORD,
                                                      "csrf_token": CSRF})
    assert signed_in.status_code == 302
    page = client.get("/dashboard/intake").get_data(as_text=True)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    form = {**hidden, "channel": "phone", "name": "Ibu Sari", "phone": "+628125550000", "agency": "PUPR",
            "text": CONVERSATION[0], "location": CONVERSATION[1], "source": "telepon 08.15"}
    answers = []
    for _ in range(DELIVERIES):  # the button pressed again, or the form resubmitted from history
        response = client.post("/dashboard/intake", data=form)
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        answers.append(response.headers["Location"])
    return answers


# --- the console ------------------------------------------------------------------------------


def console(world: World) -> list[str]:
    run_console(world.engine, list(CONVERSATION), io.StringIO(), chat_id="warga-console")
    return [console_says(world, FILING) for _ in range(DELIVERIES)]


def console_says(world: World, line: str) -> str:
    out = io.StringIO()
    run_console(world.engine, [line], out, chat_id="warga-console")
    return "".join(out.getvalue().split("bot> ")[1:])


# --- the test ---------------------------------------------------------------------------------

PATHS: dict[str, Callable[[World], list[str]]] = {
    "whatsapp": twilio_path("whatsapp:+6281255550001"),
    "sms": twilio_path("+6285255550002"),
    "telegram-webhook": telegram_webhook,
    "telegram-polling": telegram_polling,
    "web-chat": web_chat,
    "open311": open311,
    "dashboard-intake": intake,
    "console": console,
}
# How a repeat is answered: with the same code, not at all (Telegram expects no answer to a redelivery),
# or — the console has no message ids — as any "ya" outside a conversation: the menu, never a new code.
REPEATS_ANSWERED = {"telegram-webhook": "silently", "telegram-polling": "silently", "console": "as small talk"}


def filed_codes(sessions: sessionmaker[Session]) -> list[str]:
    """One code per complaint row, and per audited filing (a duplicate would show in either)."""
    with sessions() as db:
        codes = list(db.scalars(select(Complaint.code)))
        filings = list(db.scalars(select(Complaint.code).join(ComplaintEvent).where(ComplaintEvent.action == "file")))
    assert sorted(codes) == sorted(filings)
    return codes


@pytest.mark.timeout(90)
@pytest.mark.parametrize("path", list(PATHS))
def test_the_filing_message_delivered_three_times_files_one_complaint(path: str, world: World) -> None:
    answers = PATHS[path](world)

    [code] = filed_codes(world.sessions)
    first, repeats = answers[0], answers[1:]
    assert code in first, f"the first delivery was not answered with the code: {first!r}"
    expected = REPEATS_ANSWERED.get(path, "with the same code")
    if expected == "with the same code":
        assert repeats == [first] * len(repeats)
    elif expected == "silently":
        assert repeats == [""] * len(repeats)
    else:
        # A "ya" typed again after the filing is an acknowledgement: a short polite answer, no code, no menu.
        assert all(repeat.strip() and "Selamat datang" not in repeat and not CODE.search(repeat)
                   for repeat in repeats), repeats
