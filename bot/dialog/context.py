"""What every step of a citizen's turn shares: the message, the chat, the draft, and the small helpers.

A `Conversation` lives for one message inside one database transaction. The steps (intake, aftercare,
commands, erasure) are functions of it; `bot/dialog/states.py` says which step answers in which state.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.dialog import words
from bot.dialog.messages import Choice, Inbound, Reply
from bot.dialog.texts import SMS, say, say_sms
from bot.routing import RoutingTable
from models.config import Settings
from models.desk import Desk
from models.tables import ChatSession, Reporter
from models.throttle import WEB_FILINGS, count_of, key_for

IDLE = "idle"
# Draft key holding the values of the choices last offered (see engine._offer_numbers_for).
CHOICES_KEY = "_choices"
PHOTO_KINDS = {"photo"}
# Attachments we cannot take, by kind: the catalogue names each in the citizen's language.
UNSUPPORTED_MEDIA = {"audio": "media_audio", "video": "media_video", "sticker": "media_sticker",
                     "document": "media_document"}
# Channels that cannot send a photo: nobody there is asked for one.
NO_PHOTO_CHANNELS = frozenset({"sms", "web"})


class Conversation:
    def __init__(self, db: Session, settings: Settings, desk: Desk, table: RoutingTable,
                 chat: ChatSession, reporter: Reporter, inbound: Inbound, text: str) -> None:
        self.db = db
        self.settings = settings
        self.desk = desk
        self.table = table
        self.chat = chat
        self.reporter = reporter
        self.inbound = inbound
        self.text = text
        # A deep copy: the JSON column only notices changes made by assigning a different value.
        self.draft: dict[str, Any] = copy.deepcopy(chat.draft or {})
        self.text = _numbered_choice(text, self.draft.pop(CHOICES_KEY, []))

    @property
    def lang(self) -> str:
        return self.chat.language or "id"

    @property
    def now(self) -> datetime:
        return self.desk.now

    def reply(self, key: str, **values: Any) -> Reply:
        """A catalogue text, with its one-segment SMS form when the catalogue has one."""
        short = say_sms(key, self.lang, **values) if key in SMS else None
        return Reply(say(key, self.lang, **values), short=short)

    def word(self, key: str) -> str:
        """A button's or label's word in the citizen's language."""
        return say(key, self.lang)

    def goto(self, state: str) -> None:
        self.chat.state = state
        if state == IDLE:
            self.draft = {}

    def yes_no(self, text: str, short: str | None = None) -> Reply:
        choices = (Choice(self.word("choice_yes"), "ya"), Choice(self.word("choice_no"), "tidak"))
        return Reply(text, short=short, choices=choices)

    def unsupported_media(self) -> list[Reply]:
        for attachment in self.inbound.attachments:
            if not is_photo(attachment.kind, attachment.content_type):
                kind = self.word(UNSUPPORTED_MEDIA.get(attachment.kind, "media_other"))
                return [self.reply("media_not_supported", kind=kind)]
        return []

    def daily_limit_reached(self) -> list[Reply] | None:
        """Per reporter, and for the web chat also per client address: a new cookie is a new reporter."""
        limit = self.settings.intake.max_complaints_per_day
        per_address = self.settings.security.web_filings_per_address_per_day
        under = self.desk.complaints_filed_today(self.reporter) < limit
        if under and self.inbound.client_address:
            under = count_of(self.db, self.filings_key(), self.now) < per_address
        if under:
            return None
        self.goto(IDLE)
        return [self.reply("daily_limit", limit=limit)]

    def filings_key(self) -> str:
        day = self.desk.calendar.local(self.now).date().isoformat()
        return key_for(self.db, WEB_FILINGS, str(self.inbound.client_address), day)


def _numbered_choice(text: str, offered: list[str]) -> str:
    """ "2" after choices [ya, tidak] means "tidak"; anything else is kept as typed."""
    number = words.choice_number(text, len(offered)) if offered else None
    return offered[number - 1] if number is not None else text


def is_photo(kind: str, content_type: str | None) -> bool:
    return kind in PHOTO_KINDS or (content_type or "").startswith("image/")
