"""Officials act from their chat: they reply to an alert ("terima", "jawab: sudah diperbaiki kemarin",
"bukan wewenang kami", "koordinasi: menunggu anggaran"), press its button, or name a code.

An official is recognised by a registered contact (`official_contacts`: WhatsApp E.164 number or
Telegram chat id). Which complaint a reply is about: the code typed in it; else the alert it replies to
(the provider's id of our message) or whose button was pressed; else the open complaints the official was
alerted about that the verb can apply to: one is acted on, several are listed and the official picks one
(the bot never guesses). Every change goes through the Desk, so the permission table and the audit trail
are the same as on the command line and the dashboard. A command with a valid code from an unregistered
sender gets a clear refusal; anything else (e.g. "terima kasih") is left to the citizen dialog, except a
reply to an alert, which never gets the citizen menu.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialog.messages import Choice, Inbound, Reply
from bot.dialog.official_words import OfficialCommand, kind_named, parse_command
from bot.dialog.texts import say
from models.alerts import (
    alert_by_token,
    alert_replied_to,
    complaint_of,
    open_alerted_complaints,
    open_complaints_of_agency,
)
from models.codes import example_code, find_code
from models.config import AGENCY_ROLES, Role, Settings
from models.desk import Desk
from models.directory import official_actor, official_and_contact
from models.lifecycle import KIND_LABELS, TRANSITIONS, DomainError, IllegalTransition, NotAllowed, Status, label
from models.notices import local_date_text, reporter_line, summary
from models.permissions import Action, Actor, allowed, authorize
from models.privacy import shown_text
from models.tables import ChatSession, Complaint, Notification, Official, OfficialContact

log = logging.getLogger("aduan.officials")

__all__ = ["BUTTON_VERBS", "OfficialCommand", "answer_official", "button_labels", "parse_command"]

# Officials read Indonesian (issue 14: citizens choose their language, officials get Indonesian).
LANGUAGE = "id"
_ACTIONS = {"TERIMA": Action.ACKNOWLEDGE, "JAWAB": Action.ANSWER, "SELESAI": Action.CLOSE,
            "BUKAN": Action.NOT_OUR_AUTHORITY, "KOORDINASI": Action.COORDINATE, "INFO": Action.VIEW,
            "JENIS": Action.CHANGE_KIND}
# The status each verb leads to: a complaint is a candidate for a verb only when that move is legal now.
_TARGETS = {"TERIMA": Status.IN_PROGRESS, "JAWAB": Status.ANSWERED, "SELESAI": Status.CLOSED,
            "BUKAN": Status.RECEIVED, "KOORDINASI": Status.COORDINATING}
# Verbs that need words after them; without, the official's next message is taken as those words.
_NEEDS_TEXT = {"JAWAB": "official_ask_answer", "KOORDINASI": "official_ask_note", "JENIS": "official_ask_kind"}
# The inline buttons of a Telegram alert, in order.
BUTTON_VERBS = ("TERIMA", "JAWAB", "BUKAN", "KOORDINASI")
PENDING_KEY = "official_pending"
PENDING_FOR = timedelta(days=1)
MAX_LISTED = 5


def button_labels() -> tuple[tuple[str, str], ...]:
    """(verb, label) of an alert's buttons, from the catalogue (the notifier's Telegram transport shows them)."""
    return tuple((verb, say(f"official_button_{verb}", LANGUAGE)) for verb in BUTTON_VERBS)


def answer_official(db: Session, settings: Settings, desk: Desk, inbound: Inbound) -> list[Reply] | None:
    """Replies when this message is an official's (a command, a reply to an alert, a button, the answer to our
    question) or a stranger's command; else None: the citizen dialog takes it."""
    command = parse_command(inbound.text, settings.region.code_prefix)
    official, contact = _sender(db, inbound)
    if official is None or contact is None:
        if command is None or command.code is None:
            return None  # "terima kasih" and friends belong to the citizen dialog
        log.warning("official command refused: unknown sender channel=%s", inbound.channel)
        return [_say("official_stranger")]
    contact.last_inbound_at = desk.now
    return OfficialConversation(db, settings, desk, official, inbound).answer(command)


def _by_lapor_id(db: Session, typed: str) -> str | None:
    if not typed:
        return None
    return db.scalars(select(Complaint.code).where(Complaint.lapor_tracking_id == typed.strip())).first()


def _with_lapor_id(db: Session, command: OfficialCommand) -> OfficialCommand:
    """A SP4N-LAPOR! tracking id works wherever a code does ("INFO 4810001")."""
    if command.code is not None:
        return command
    words = command.rest.split(maxsplit=1)
    typed = command.typed_code or (words[0] if words else "")
    code = _by_lapor_id(db, typed)
    if code is None:
        return command
    rest = command.rest if command.typed_code else (words[1] if len(words) > 1 else "")
    return replace(command, code=code, typed_code=typed, rest=rest, weak=False)


def _sender(db: Session, inbound: Inbound) -> tuple[Official | None, OfficialContact | None]:
    for address in dict.fromkeys((inbound.sender_id, inbound.chat_id)):
        found = official_and_contact(db, inbound.channel, address)
        if found is not None:
            return found
    return None, None


def _say(key: str, **values: Any) -> Reply:
    return Reply(say(key, LANGUAGE, **values))


@dataclass(frozen=True)
class Pending:
    """What the bot asked the official last: the words for a verb on one complaint, or which complaint."""

    verb: str
    rest: str
    codes: tuple[str, ...]
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"verb": self.verb, "rest": self.rest, "codes": list(self.codes), "at": self.at.isoformat()}

    @classmethod
    def from_dict(cls, raw: Any) -> Pending | None:
        try:
            return cls(str(raw["verb"]), str(raw["rest"]), tuple(str(c) for c in raw["codes"]),
                       datetime.fromisoformat(str(raw["at"])))
        except (KeyError, TypeError, ValueError):
            return None


class OfficialConversation:
    """One official's message: which complaint it is about, and the change it asks for."""

    def __init__(self, db: Session, settings: Settings, desk: Desk, official: Official, inbound: Inbound) -> None:
        self.db = db
        self.settings = settings
        self.desk = desk
        self.official = official
        self.inbound = inbound
        self.actor: Actor = official_actor(db, official.id)
        self.prefix = settings.region.code_prefix

    def answer(self, command: OfficialCommand | None) -> list[Reply] | None:
        alert = self._alert()
        if self.inbound.alert_token is not None:
            if alert is None or command is None:
                return [_say("official_button_gone")]
            command = replace(command, weak=False)
        command = _with_lapor_id(self.db, command) if command is not None else None
        pending = self._take_pending()
        if pending is not None and self._awaits_words(pending, command):
            # "Selesai ditambal tadi pagi" after "tulis jawabannya" is the answer, not SELESAI.
            return self._resume(pending)
        if command is None:
            resumed = self._resume(pending) if pending is not None else None
            if resumed is not None:
                return resumed
            return None if alert is None else [self._help_for(alert)]
        if command.code is None and command.typed_code:
            return [_say("official_code_unknown", typed=command.typed_code, example=example_code(self.prefix))]
        if command.code is not None:
            return [self._on_code(command)]
        return self._without_code(command, alert)

    # --- which complaint ---------------------------------------------------------------------

    def _alert(self) -> Notification | None:
        """The alert this message answers: its button's token, or the message it replies to (ours, to them)."""
        found = None
        if self.inbound.alert_token:
            found = alert_by_token(self.db, self.inbound.alert_token)
        elif self.inbound.reply_to:
            found = alert_replied_to(self.db, self.inbound.channel, self.inbound.chat_id, self.inbound.reply_to)
        return found if found is not None and found.recipient_id == self.official.id else None

    def _without_code(self, command: OfficialCommand, alert: Notification | None) -> list[Reply] | None:
        if alert is not None:
            complaint = complaint_of(self.db, alert)
            if complaint is not None:
                return [self._act(command, complaint)]
            candidates = self._bundled(alert, command)
        elif command.weak:
            return None  # "siap", "bukan" out of the blue: ordinary chat, perhaps as a citizen
        else:
            candidates = [c for c in open_alerted_complaints(self.db, self.official.id) if self._fits(command, c)]
            if not candidates and self.official.agency_code:
                # A Kepala Dinas who was never alerted (the admin was) answers for the office all the same.
                candidates = [c for c in open_complaints_of_agency(self.db, self.official.agency_code)
                              if self._fits(command, c)]
        if not candidates:
            return [_say("official_none_open", verb=command.verb, example=example_code(self.prefix))]
        if len(candidates) == 1:
            return [self._act(command, candidates[0])]
        return [self._ask_which(command, candidates[:MAX_LISTED])]

    def _bundled(self, alert: Notification, command: OfficialCommand) -> list[Complaint]:
        """A reply to a bundle (a regional official's list of escalations): the listed complaints it fits."""
        codes = [str(item.get("code")) for item in alert.payload.get("items", []) if isinstance(item, dict)]
        if not codes:
            return []
        found = self.db.scalars(select(Complaint).where(Complaint.code.in_(codes)))
        return [complaint for complaint in found if self._fits(command, complaint)]

    def _fits(self, command: OfficialCommand, complaint: Complaint) -> bool:
        action = self._action(command, complaint)
        if action is None or not allowed(self.actor, action, complaint):
            return False
        target = _TARGETS.get(command.verb)
        return target is None or target in TRANSITIONS[Status(complaint.status)]

    def _ask_which(self, command: OfficialCommand, candidates: list[Complaint]) -> Reply:
        codes = tuple(c.code for c in candidates)
        self._keep_pending(Pending(command.verb, command.rest, codes, self.desk.now))
        options = "\n".join(f"{n}. {c.code}: {summary(shown_text(c), 60)}" for n, c in enumerate(candidates, 1))
        choices = tuple(Choice(code, code) for code in codes)
        return Reply(say("official_which", LANGUAGE, verb=command.verb, options=options), choices=choices)

    # --- what the bot asked before -----------------------------------------------------------

    def _chat(self) -> ChatSession | None:
        return self.db.scalars(select(ChatSession).where(ChatSession.channel == self.inbound.channel,
                                                         ChatSession.chat_id == self.inbound.chat_id)).first()

    def _take_pending(self) -> Pending | None:
        """The last question, forgotten as it is read (a new command replaces it; a stale one has expired)."""
        chat = self._chat()
        if chat is None or not chat.draft or PENDING_KEY not in chat.draft:
            return None
        draft = dict(chat.draft)
        pending = Pending.from_dict(draft.pop(PENDING_KEY))
        chat.draft = draft
        if pending is None or self.desk.now - pending.at > PENDING_FOR:
            return None
        return pending

    def _keep_pending(self, pending: Pending) -> None:
        chat = self._chat()
        if chat is None:
            chat = ChatSession(channel=self.inbound.channel, chat_id=self.inbound.chat_id, state="idle", draft={},
                               language=LANGUAGE, updated_at=self.desk.now)
            self.db.add(chat)
        chat.draft = {**(chat.draft or {}), PENDING_KEY: pending.to_dict()}
        chat.updated_at = self.desk.now
        self.db.flush()

    def _awaits_words(self, pending: Pending, command: OfficialCommand | None) -> bool:
        explicit = command is not None and (command.code is not None or self.inbound.alert_token is not None)
        return len(pending.codes) == 1 and pending.verb in _NEEDS_TEXT and not explicit

    def _resume(self, pending: Pending) -> list[Reply] | None:
        text = self.inbound.text.strip()
        if len(pending.codes) == 1 and pending.verb in _NEEDS_TEXT:
            if not text:
                return None
            return [self._on_code(OfficialCommand(pending.verb, pending.codes[0], pending.codes[0], text))]
        picked = _picked(text, pending.codes, self.prefix) or self._picked_by_topic(text, pending.codes)
        if picked is None:
            return None
        return [self._on_code(OfficialCommand(pending.verb, picked, picked, pending.rest))]

    def _picked_by_topic(self, text: str, codes: tuple[str, ...]) -> str | None:
        """ "yg got mampet", "yang listrik": the one listed complaint sharing a word with the reply."""
        said = _topic_words(text)
        if not said:
            return None
        listed = self.db.scalars(select(Complaint).where(Complaint.code.in_(codes)))
        matching = [c.code for c in listed if said & _topic_words(shown_text(c))]
        return matching[0] if len(matching) == 1 else None

    # --- acting --------------------------------------------------------------------------------

    def _on_code(self, command: OfficialCommand) -> Reply:
        complaint = self.db.scalars(select(Complaint).where(Complaint.code == command.code)).first()
        if complaint is None or not allowed(self.actor, Action.VIEW, complaint):
            # Another office's complaint answers exactly like one that does not exist.
            return _say("official_not_found", code=command.code)
        return self._act(command, complaint)

    def _act(self, command: OfficialCommand, complaint: Complaint) -> Reply:
        verb, code = command.verb, complaint.code
        if verb in _NEEDS_TEXT and not command.rest and allowed(self.actor, _ACTIONS[verb], complaint):
            self._keep_pending(Pending(verb, "", (code,), self.desk.now))
            return _say(_NEEDS_TEXT[verb], code=code, subject=summary(shown_text(complaint), 60))
        try:
            # A savepoint: a refused action leaves nothing behind, the reply is still remembered.
            with self.db.begin_nested():
                reply = self._perform(command, complaint)
        except NotAllowed:
            log.warning("official command refused code=%s official=%s verb=%s", code, self.official.id, verb)
            return _say("official_not_permitted", verb=verb, code=code)
        except IllegalTransition as error:
            log.info("official command out of turn code=%s official=%s verb=%s from=%s", code, self.official.id,
                     verb, error.current)
            return _say("official_not_now", code=code, status=label(error.current, LANGUAGE), verb=verb)
        except DomainError as error:
            log.info("official command rejected code=%s official=%s verb=%s error=%s", code, self.official.id,
                     verb, error)
            return _say("official_failed", verb=verb, code=code)
        log.info("official command code=%s official=%s verb=%s status=%s", code, self.official.id, verb,
                 complaint.status)
        return reply

    def _perform(self, command: OfficialCommand, complaint: Complaint) -> Reply:
        data = {"code": complaint.code}
        if command.verb == "INFO":
            authorize(self.actor, Action.VIEW, complaint)
            return Reply(self._info(complaint), data=data)
        if command.verb == "JENIS":
            return self._change_kind(command, complaint)
        if command.verb == "ALIHKAN":
            problem = self._reroute(command, complaint)
            if problem is not None:
                return problem
        else:
            self.desk.act(complaint, self.actor, _ACTIONS[command.verb], note=command.rest or None)
        return Reply(say("official_done", LANGUAGE, code=complaint.code, status=label(complaint.status, LANGUAGE),
                         name=self.official.name), data=data)

    def _reroute(self, command: OfficialCommand, complaint: Complaint) -> Reply | None:
        target = command.rest.split()[0].upper() if command.rest else None
        if target is None:
            return _say("official_ask_agency", code=complaint.code)
        if not self.settings.has_agency(target):
            examples = ", ".join(agency.code for agency in self.settings.agencies[:4])
            return _say("official_unknown_agency", agency=target, examples=examples)
        if target == complaint.agency_code:
            return _say("official_same_agency", code=complaint.code, agency=self.settings.agency(target).name)
        action = Action.DISPATCH if complaint.status == Status.RECEIVED.value else Action.REROUTE
        self.desk.act(complaint, self.actor, action, to_agency=target)
        return None

    def _change_kind(self, command: OfficialCommand, complaint: Complaint) -> Reply:
        kind = kind_named(command.rest)
        if kind is None:
            return _say("official_ask_kind", code=complaint.code)
        self.desk.change_kind(complaint, self.actor, kind)
        return Reply(say("official_kind_changed", LANGUAGE, code=complaint.code, kind=KIND_LABELS[kind],
                         name=self.official.name), data={"code": complaint.code})

    def _action(self, command: OfficialCommand, complaint: Complaint) -> Action | None:
        if command.verb == "ALIHKAN":
            return Action.DISPATCH if complaint.status == Status.RECEIVED.value else Action.REROUTE
        return _ACTIONS.get(command.verb)

    def _help_for(self, alert: Notification) -> Reply:
        """A reply to an alert we could not read as a command: the official's choices, never the citizen menu."""
        complaint = complaint_of(self.db, alert)
        if complaint is None or not allowed(self.actor, Action.VIEW, complaint):
            return _say("official_help", example=example_code(self.prefix))
        subject = summary(shown_text(complaint), 60)
        if self.actor.role not in AGENCY_ROLES | {Role.TRIAGE}:  # the Bupati, Sekda, Inspectorate
            return _say("official_help_leader", code=complaint.code, subject=subject)
        return _say("official_help_for", code=complaint.code, subject=subject)

    def _info(self, complaint: Complaint) -> str:
        zone = self.desk.calendar.zone
        agency = self.settings.agency(complaint.agency_code).name if complaint.agency_code else "(triase)"
        age = self.desk.calendar.working_days_elapsed(complaint.created_at, self.desk.now)
        return "\n".join([
            f"{complaint.code}: {label(complaint.status)}",
            f"Instansi: {agency}",
            f"Isi: {summary(shown_text(complaint))}",
            reporter_line(complaint),
            f"Umur: {age} hari kerja; eskalasi tingkat {complaint.escalation_level}",
            f"Batas jawaban: {local_date_text(complaint.answer_due_at, zone)}",
            *([f"SP4N-LAPOR!: {complaint.lapor_tracking_id}"] if complaint.lapor_tracking_id else []),
        ])


def _topic_words(text: str) -> set[str]:
    return {word for word in re.findall(r"[^\W\d_]{4,}", text.lower()) if word not in _NOT_TOPICS}


# Words of a pick that say nothing about which complaint ("yang itu", "laporan yang pertama").
_NOT_TOPICS = frozenset({"yang", "itu", "ini", "laporan", "aduan", "tolong", "mohon", "pertama", "kedua", "saja",
                         "dong", "bapak", "ibu", "terima", "jawab", "bukan", "wewenang", "kami", "sudah"})


def _picked(text: str, codes: tuple[str, ...], prefix: str) -> str | None:
    """ "2", "no 2", or one of the listed codes (in any case) picks a complaint from the list."""
    digits = "".join(char for char in text if char.isdigit())
    if digits and len(text) <= 8 and 1 <= int(digits) <= len(codes):
        return codes[int(digits) - 1]
    code = find_code(text, prefix)
    return code if code in codes else None
