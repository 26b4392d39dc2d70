"""The channel-agnostic dialog engine: one message in, replies out, one transaction.

Adapters (console, Telegram, WhatsApp, web) build an `Inbound` and render the
`Reply` list; they never touch the database or the lifecycle themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.dialog.messages import Inbound, Reply, inbound_limit, sanitized, truncated
from bot.dialog.officials import answer_official
from bot.dialog.ombudsman import answer_consent
from bot.dialog.texts import say, say_sms
from bot.dialog.turn import CHOICES_KEY, Turn
from bot.dialog.words import clean
from bot.routing import RoutingTable
from models.config import Settings
from models.db import transaction
from models.desk import Desk, calendar_for
from models.tables import ChatSession, InboundMessage

log = logging.getLogger("aduan.engine")

# Set in the error reply's data when the database could not be reached: nothing of the message was
# stored, so an adapter whose provider retries (Twilio, Telegram's webhook) should ask for a retry.
DATABASE_UNAVAILABLE = "database_unavailable"


class Engine:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session], table: RoutingTable,
                 clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.table = table
        self.clock = clock
        self.calendar = calendar_for(settings)

    def handle(self, inbound: Inbound) -> list[Reply]:
        """Answer one message. Every message gets at least one reply, whatever happens."""
        inbound = sanitized(truncated(inbound, inbound_limit(self.settings)))
        try:
            return self._handle_once(inbound)
        except IntegrityError:
            # A concurrent delivery of the same provider message won the race: answer as it did.
            replayed = self._replay(inbound)
            if replayed is not None:
                return replayed
            log.exception("engine integrity error channel=%s", inbound.channel)
        except Exception as error:
            log.exception("engine failure channel=%s", inbound.channel)
            if _database_unavailable(error):
                return [_error_reply({DATABASE_UNAVAILABLE: True})]
        return [_error_reply({})]

    def _handle_once(self, inbound: Inbound) -> list[Reply]:
        now = self.clock()
        with transaction(self.sessions) as db:
            seen = _stored_replies(db, inbound)
            if seen is not None:
                return seen
            desk = Desk(db, self.settings, self.calendar, now)
            official_replies = answer_official(db, self.settings, desk, inbound)
            if official_replies is not None:
                # A registered official's command (or a stranger's, refused): never a citizen Turn.
                _remember(db, inbound, official_replies, now)
                log.info("official message channel=%s", inbound.channel)
                return official_replies
            # The chat before the reporter: reading it then flushes nothing, so the reporter's update waits
            # for the turn's flush (one flush fewer while SQLite's writer lock is held).
            chat = _chat_session(db, inbound, now)
            reporter = desk.reporter_for(inbound.channel, inbound.sender_id, inbound.sender_name, inbound.phone)
            consent = answer_consent(db, desk, reporter, clean(inbound.text), chat.language == "en")
            if consent is not None:  # "OMBUDSMAN <kode>": the citizen agrees to the referral offered
                _remember(db, inbound, consent, now)
                return consent
            turn = Turn(db, self.settings, desk, self.table, chat, reporter, inbound, clean(inbound.text))
            replies = turn.run() or [Reply(say("help", chat.language), short=say_sms("help", chat.language))]
            replies = [replace(reply, language=chat.language or "id") for reply in replies]
            _offer_numbers_for(chat, replies)
            # A citizen who just had their data erased leaves no chat id behind in this message's record.
            _remember(db, inbound, replies, now, erased=reporter.erased_at is not None)
            codes = [str(r.data["code"]) for r in replies if r.data.get("code")]
            # Never the chat id beside a code: a log line must not tie a person to a complaint.
            log.info("message channel=%s state=%s code=%s", inbound.channel, chat.state, ",".join(codes) or "-")
            return replies

    def _replay(self, inbound: Inbound) -> list[Reply] | None:
        with transaction(self.sessions) as db:
            return _stored_replies(db, inbound)


def _error_reply(data: dict[str, object]) -> Reply:
    return Reply(say("error", "id"), short=say_sms("error", "id"), data=data)


def _database_unavailable(error: Exception) -> bool:
    """A server that is down, restarting or dropped the connection (not a bug in this message)."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _chat_session(db: Session, inbound: Inbound, now: datetime) -> ChatSession:
    chat = db.scalars(_CHAT_SESSION, {"channel": inbound.channel, "chat_id": inbound.chat_id}).first()
    if chat is None:
        # Written with everything else when the turn commits (nothing reads its id before).
        chat = ChatSession(channel=inbound.channel, chat_id=inbound.chat_id, state="idle", draft={},
                           language="id", updated_at=now)
        db.add(chat)
    return chat


def _offer_numbers_for(chat: ChatSession, replies: list[Reply]) -> None:
    """Remember the last choices offered, so "2" works where a button or word was expected (SMS, console)."""
    offered = next((reply.choices for reply in reversed(replies) if reply.choices), ())
    chat.draft = {**(chat.draft or {}), CHOICES_KEY: [choice.value for choice in offered]}


# Prebuilt statements for the two lookups and the one insert every message makes: SQLAlchemy caches
# their compiled form, and they skip the ORM's identity map and unit of work (the writer lock is held
# while they run on SQLite).
_inbound = cast(Table, InboundMessage.__table__)
_SEEN = select(_inbound.c.replies).where(_inbound.c.channel == bindparam("channel"),
                                         _inbound.c.provider_message_id == bindparam("message_id")).limit(1)
_REMEMBER = insert(_inbound)
_CHAT_SESSION = select(ChatSession).where(ChatSession.channel == bindparam("channel"),
                                          ChatSession.chat_id == bindparam("chat_id"))


def _stored_replies(db: Session, inbound: Inbound) -> list[Reply] | None:
    if not inbound.message_id:
        return None
    seen = db.connection().execute(_SEEN, {"channel": inbound.channel, "message_id": inbound.message_id}).first()
    return None if seen is None else [Reply.from_dict(raw) for raw in seen.replies]


def _remember(db: Session, inbound: Inbound, replies: list[Reply], now: datetime, erased: bool = False) -> None:
    """The message id and the replies given, so a redelivery is answered the same (a duplicate raises
    IntegrityError here, which `handle` turns into that answer)."""
    if not inbound.message_id:
        return
    db.connection().execute(_REMEMBER, {"channel": inbound.channel, "provider_message_id": inbound.message_id,
                                        "chat_id": "erased" if erased else inbound.chat_id, "received_at": now,
                                        "replies": [reply.to_dict() for reply in replies]})
