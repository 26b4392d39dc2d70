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
from bot.dialog.texts import say
from bot.routing import RoutingTable
from models.config import Settings
from models.desk import Desk
from models.tables import ChatSession, Reporter
from models.throttle import WEB_FILINGS, count_of, key_for

IDLE = "idle"
# Draft key holding the values of the choices last offered (see engine._offer_numbers_for).
CHOICES_KEY = "_choices"
PHOTO_KINDS = {"photo"}
UNSUPPORTED_MEDIA = {"audio": "pesan suara", "video": "video", "sticker": "stiker", "document": "dokumen"}


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
        return Reply(say(key, self.lang, **values))

    def goto(self, state: str) -> None:
        self.chat.state = state
        if state == IDLE:
            self.draft = {}

    def yes_no(self, text: str) -> Reply:
        yes, no = ("YA", "TIDAK") if self.lang == "id" else ("YES", "NO")
        return Reply(text, choices=(Choice(yes, "ya"), Choice(no, "tidak")))

    def unsupported_media(self) -> list[Reply]:
        for attachment in self.inbound.attachments:
            if not is_photo(attachment.kind, attachment.content_type):
                kind = UNSUPPORTED_MEDIA.get(attachment.kind, attachment.kind)
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
