"""The world a corpus conversation runs in: the whole app (Twilio webhook for WhatsApp and SMS, Telegram's
webhook against a fake Bot API, the web chat) over the test's real database, people who talk to it through
those adapters, and the `given:` state built through the desk, as the product itself would have made it."""

from __future__ import annotations

import hashlib
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from bot.dialog.engine import Engine
from bot.dialog.understanding.reading import writes_english
from bot.routing import RoutingTable, classify
from models.clock import FixedClock
from models.config import Settings
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.lifecycle import Kind
from models.permissions import Actor
from models.questions import SOLVED
from models.tables import ChatSession, Complaint, InboundMessage, Notification, Reporter

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "telegram"))
from citizens import Citizen  # noqa: E402
from fake_bot_api import FakeBotApi  # noqa: E402

ACCOUNT_SID = "AC" + "7" * 32
AUTH_TOKEN = "corpus-auth-token-0123456789abcd"
PUBLIC = "https://lapor.baritokuala.example.go.id"
TWILIO_PATH = "/webhooks/twilio/whatsapp"
TELEGRAM_PATH = "/hooks/telegram"
TELEGRAM_SECRET = "corpus-webhook-Secret_1"
BOT_NUMBER = "+6281100009999"

# The corpus's office labels and agency names, as this deployment knows them.
AGENCIES = {"DUKCAPIL": "DISDUKCAPIL", "PLN": "EXT_PLN", "BPJS": "EXT_BPJS_KESEHATAN", "POLRI": "EXT_POLRI",
            "POLISI": "EXT_POLRI", "PERTAMINA": "EXT_PERTAMINA", "DAMKAR": "SATPOLPP"}
OFFICIALS = {"admin_pupr": "pupr.admin", "kepala_pupr": "pupr.head", "admin_dinkes": "dinkes.admin",
             "admin_dlh": "dlh.admin", "admin_dishub": "dishub.admin", "admin_perkim": "perkim.admin",
             "admin_disdik": "disdik.admin", "bupati": "bupati"}
STATUS_WORDS = {"in_progress": "accepted", "received": "filed", "dispatched": "filed"}
CODE_PLACEHOLDER = re.compile(r"\{(\w+)\.code(?:\|(\w+))?\}")


def agency_code(name: str | None) -> str | None:
    if name is None:
        return None
    upper = str(name).upper()
    return AGENCIES.get(upper, upper)


@dataclass
class Person:
    label: str
    channel: str
    number: int

    @property
    def phone(self) -> str:
        return f"+62812{self.number:08d}"

    @property
    def sender_id(self) -> str:
        """The id the channel's adapter gives the engine for this person (the reporter's provider id)."""
        if self.channel in ("whatsapp", "sms"):
            return self.phone
        if self.channel == "telegram":
            return str(70000 + self.number)
        return f"web-corpus-{self.label}"


@dataclass
class Turned:
    """What one turn produced: the texts the person saw, one per message, as the adapter delivered them."""

    texts: list[str]
    channel: str


@dataclass
class World:
    app: Flask
    engine: Engine
    sessions: sessionmaker[Session]
    settings: Settings
    clock: FixedClock
    table: RoutingTable
    fake_api: FakeBotApi
    channel: str
    people: dict[str, Person] = field(default_factory=dict)
    complaints: dict[str, int] = field(default_factory=dict)  # label -> complaint id
    _clients: dict[str, FlaskClient] = field(default_factory=dict)
    _citizens: dict[str, Citizen] = field(default_factory=dict)
    _sid: int = 0
    _update: int = 0

    # --- people ------------------------------------------------------------------------------

    def person(self, label: str) -> Person:
        if label not in self.people:
            self.people[label] = Person(label, self.channel, len(self.people) + 1)
        return self.people[label]

    def reporter_of(self, db: Session, desk: Desk, label: str) -> Reporter:
        person = self.person(label)
        return desk.reporter_for(person.channel, person.sender_id, f"Warga {label}",
                                 person.phone if person.channel in ("whatsapp", "sms") else None)

    # --- given -------------------------------------------------------------------------------

    def build(self, given: dict[str, Any] | None) -> None:
        for spec in (given or {}).get("complaints", []):
            self._given_complaint(spec)

    def _given_complaint(self, spec: dict[str, Any]) -> None:
        with transaction(self.sessions) as db:
            desk = Desk(db, self.settings, calendar_for(self.settings), self.clock())
            reporter = self.reporter_of(db, desk, str(spec["reporter"]))
            agency = agency_code(spec.get("agency")) or self._routed(str(spec["text"]))
            channel = self.person(spec["reporter"]).channel
            draft = NewComplaint(reporter=reporter, text=str(spec["text"]), channel=channel, kind=Kind.COMPLAINT,
                                 agency_code=agency)
            if writes_english(str(spec["text"])):
                reporter.language = "en"  # as the dialog would have stored it when they filed in English
            complaint = desk.file(draft, dispatch=True)
            # Supporters join before the office acts, as in life: they hear each status change (the relays
            # are the messages a supporter's reply_to points at).
            for label in spec.get("supporters") or []:
                desk.add_supporter(complaint, self.reporter_of(db, desk, str(label)))
            official = Actor("official", f"{agency.lower()}.admin", agency_code=agency)
            state = str(spec.get("state", "filed"))
            if state in ("accepted", "answered", "closed"):
                desk.acknowledge(complaint, official)
            if state in ("answered", "closed"):
                desk.answer(complaint, official, "Sudah kami tangani di lapangan.")
            if state == "closed":
                desk.close(complaint, official, "selesai")
            for label in spec.get("supporters_asked_if_solved") or []:
                desk.ask_citizen(complaint, self.reporter_of(db, desk, str(label)), SOLVED)
            self._pretend_sent(db, complaint, str(spec["name"]))
            self.complaints[str(spec["name"])] = complaint.id
        self.clock.advance(minutes=5)

    def _routed(self, text: str) -> str:
        result = classify(text, self.table)
        known = [c.agency for c in result.candidates if self.settings.has_agency(c.agency)]
        return known[0] if known else "PUPR"

    def _pretend_sent(self, db: Session, complaint: Complaint, name: str) -> None:
        """The notifier sent the queued messages: each gets a provider id a reply can point at."""
        rows = db.scalars(select(Notification).where(Notification.complaint_id == complaint.id,
                                                     Notification.provider_message_id.is_(None)))
        for row in rows:
            # Shaped like Twilio's SIDs (SM + 32 hex digits): the WhatsApp wing ignores a replied-to id that is not.
            seed = f"{name}:{row.recipient_kind}:{row.recipient_id}:{row.id}".encode()
            row.provider_message_id = "SM" + hashlib.sha256(seed).hexdigest()[:32]
            if row.channel == "telegram":  # Telegram's message ids are numbers, per chat
                row.provider_message_id = str(100_000 + row.id)

    def sent_to(self, complaint_label: str, recipient_kind: str, recipient_id: str,
                channel: str | None = None) -> str | None:
        """The provider id of the newest message about the complaint to this person (on `channel`: an
        official has a WhatsApp and a Telegram copy of each alert, and replies on one of them)."""
        with self.sessions() as db:
            query = select(Notification.provider_message_id).where(
                Notification.complaint_id == self.complaints[complaint_label],
                Notification.recipient_kind == recipient_kind, Notification.recipient_id == recipient_id)
            if channel is not None:
                query = query.where(Notification.channel == channel)
            return db.scalars(query.order_by(Notification.id.desc())).first()

    # --- placeholders ------------------------------------------------------------------------

    def code_of(self, label: str) -> str:
        with self.sessions() as db:
            complaint = db.get(Complaint, self.complaints[label])
            assert complaint is not None
            return complaint.code

    def filled(self, text: str) -> str:
        def one(match: re.Match[str]) -> str:
            code = self.code_of(match.group(1))
            form = match.group(2)
            return {"lower": code.lower(), "space": code.replace("-", " ", 1), "nodash": code.replace("-", "")}.get(
                form or "", code)
        return CODE_PLACEHOLDER.sub(one, text)

    # --- finishing an intake the corpus left open --------------------------------------------

    def state_of(self, label: str) -> str:
        person = self.person(label)
        with self.sessions() as db:
            state = db.scalar(select(ChatSession.state).where(ChatSession.channel == person.channel,
                                                              ChatSession.chat_id == person.sender_id))
        return state or "idle"

    def finish_intake(self, label: str, wanted: dict[str, Any]) -> int:
        """Answer the intake questions still open (photo, privacy, agency, similar complaint) with the plain
        choices, as a person who just goes along would; returns how many extra messages that took."""
        answers = {"await_location": "lewati", "await_photo": "lewati",
                   "await_privacy": "3" if wanted.get("confidential") else "1", "await_agency": "ya",
                   "await_pick": agency_code(wanted.get("agency")) or "tidak tahu", "await_support": "tidak"}
        extra = 0
        while (state := self.state_of(label)) in answers and extra < 6:
            self.citizen_sends(label, {"text": answers[state]})
            extra += 1
        return extra

    # --- sending -----------------------------------------------------------------------------

    def citizen_sends(self, label: str, turn: dict[str, Any]) -> Turned:
        person = self.person(label)
        text = self.filled(str(turn.get("text") or ""))
        reply_to = self._reply_to_citizen(label, turn.get("reply_to"))
        if person.channel in ("whatsapp", "sms"):
            return self._twilio(person.phone, person.channel, text, turn, reply_to)
        if person.channel == "telegram":
            return self._telegram(person, text, turn, reply_to)
        return self._web(person, text)

    def official_sends(self, label: str, turn: dict[str, Any]) -> Turned:
        official = OFFICIALS.get(label, label)
        phone = self.settings_official_phone(official)
        reply_to = None
        if turn.get("reply_to"):
            reply_to = self.sent_to(str(turn["reply_to"]), "official", official, channel="whatsapp")
        return self._twilio(phone, "whatsapp", self.filled(str(turn.get("text") or "")), turn, reply_to)

    def settings_official_phone(self, official_id: str) -> str:
        for official, _agency in self.settings.all_officials():
            if official.id == official_id and official.whatsapp:
                return str(official.whatsapp)
        raise KeyError(official_id)

    def _reply_to_citizen(self, label: str, complaint_label: Any) -> str | None:
        if not complaint_label:
            return None
        with self.sessions() as db:
            person = self.person(label)
            reporter = db.scalars(select(Reporter).where(Reporter.channel == person.channel,
                                                         Reporter.provider_id == person.sender_id)).first()
        # A turn that replies to a complaint's message replies to one this person was sent: never dropped
        # silently (the conversation would then test an answer without reply_to).
        assert reporter is not None, f"{label} replies to {complaint_label} but never wrote to the desk"
        sent = self.sent_to(str(complaint_label), "reporter", str(reporter.id))
        assert sent is not None, f"{label} replies to {complaint_label}, but was sent no message about it"
        return sent

    def _twilio(self, number: str, channel: str, text: str, turn: dict[str, Any], reply_to: str | None) -> Turned:
        self._sid += 1
        sender = f"whatsapp:{number}" if channel == "whatsapp" else number
        form = {"MessageSid": f"SM{self._sid:032x}", "AccountSid": ACCOUNT_SID, "From": sender,
                "To": f"whatsapp:{BOT_NUMBER}" if channel == "whatsapp" else BOT_NUMBER, "Body": text,
                "NumMedia": "0", "ProfileName": "Warga"}
        if turn.get("photo") or turn.get("sticker"):
            kind = "image/webp" if turn.get("sticker") else "image/jpeg"
            form.update(NumMedia="1", MediaContentType0=kind,
                        MediaUrl0=f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/M{self._sid}/Media/ME1")
        if turn.get("location"):
            form.update(Latitude=str(turn["location"]["lat"]), Longitude=str(turn["location"]["lon"]))
        if reply_to:
            form["OriginalRepliedMessageSid"] = reply_to
        signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + TWILIO_PATH, form)
        response = self._client("twilio").post(TWILIO_PATH, data=form, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        root = ET.fromstring(response.get_data(as_text=True))
        return Turned([m.text or "" for m in root.iter("Message")], channel)

    def _telegram(self, person: Person, text: str, turn: dict[str, Any], reply_to: str | None) -> Turned:
        citizen = self._citizens.setdefault(person.label, Citizen(self.fake_api, int(person.sender_id),
                                                                  f"Warga {person.label}"))
        content: dict[str, Any] = {}
        if text:
            content["text" if not turn.get("photo") else "caption"] = text
        if turn.get("photo"):
            self.fake_api.add_file(f"photo-{self._update}", b"\xff\xd8\xff" + b"0" * 2000)
            content["photo"] = [{"file_id": f"photo-{self._update}", "file_unique_id": f"u{self._update}",
                                 "width": 1280, "height": 960, "file_size": 2003}]
        if turn.get("sticker"):
            content["sticker"] = {"file_id": "stk", "file_unique_id": "ustk", "width": 512, "height": 512,
                                  "is_animated": False, "is_video": False, "type": "regular"}
        if turn.get("location"):
            content["location"] = {"latitude": turn["location"]["lat"], "longitude": turn["location"]["lon"]}
        if reply_to:
            content["reply_to_message"] = {"message_id": int(re.sub(r"\D", "", reply_to)[-6:] or 1), "date": 0,
                                           "chat": citizen.chat}
        self._update += 1
        before = len(self.fake_api.texts_to(citizen.chat_id))
        response = self._client("telegram").post(
            TELEGRAM_PATH, json={"update_id": self._update, **citizen.message(**content)},
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
        assert response.status_code == 200, response.get_data(as_text=True)
        return Turned(self.fake_api.texts_to(citizen.chat_id)[before:], "telegram")

    def _web(self, person: Person, text: str) -> Turned:
        client = self._client(f"web-{person.label}")
        with client.session_transaction() as session:
            session["csrf"] = "corpus-csrf-token-0123456789"
            session.setdefault("web_chat_id", person.sender_id)  # an open chat: its challenge was solved
            session["chat_at"] = self.clock().timestamp()
        self._sid += 1
        nonce = f"n{self._sid}"
        response = client.post("/chat", data={"csrf_token": "corpus-csrf-token-0123456789", "text": text,
                                              "nonce": nonce})
        assert response.status_code == 303
        # The page keeps only the last lines, cut; the stored answer to this form is the whole of it.
        with self.sessions() as db:
            stored = db.scalars(select(InboundMessage.replies).where(
                InboundMessage.channel == "web",
                InboundMessage.provider_message_id == f"{person.sender_id}:{nonce}")).first()
        return Turned([str(reply["text"]) for reply in stored or []], "web")

    def _client(self, name: str) -> FlaskClient:
        if name not in self._clients:
            self._clients[name] = self.app.test_client()
        return self._clients[name]
