"""A reporter without a chat we can write to (the web chat) is asked, once a complaint is filed, where to
hear back: a WhatsApp/SMS number or an e-mail address. Without one, their updates are recorded as
`no_channel` (models/contacts.py) and they check with CEK <kode>."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.dialog import words
from bot.dialog.context import IDLE, Conversation
from bot.dialog.messages import Choice, Reply
from models.contacts import CHAT_CHANNELS, email_address, phone_number

AWAIT_CONTACT = "await_contact"
_LOOKS_LIKE_CONTACT = re.compile(r"@|\d{6,}|\d{3,}[\s-]\d{3,}")


def with_contact_question(turn: Conversation, filed: Reply) -> Reply:
    """The filing reply, followed (in the same message, so the code and the question are read together) by
    the question where to hear back, for a reporter nobody could otherwise tell."""
    reporter = turn.reporter
    if turn.inbound.channel in CHAT_CHANNELS or reporter.phone or reporter.email:
        return filed
    turn.goto(AWAIT_CONTACT)
    skip = "LEWATI" if turn.lang == "id" else "SKIP"
    return replace(filed, text=f"{filed.text}\n\n{turn.reply('ask_contact').text}",
                   choices=(Choice(skip, "lewati"),))


def await_contact(turn: Conversation) -> list[Reply] | None:
    """A number or an e-mail address; LEWATI; anything else is a fresh message."""
    text = turn.text.strip()
    phone, email = phone_number(text), email_address(text)
    if phone or email:
        turn.desk.set_contact(turn.reporter, phone=phone, email=email)
        turn.goto(IDLE)
        return [turn.reply("contact_saved", contact=phone or email)]
    if words.is_one_of(text, words.SKIP) or words.is_one_of(text, words.NO):
        turn.goto(IDLE)
        return [turn.reply("contact_skipped")]
    if _LOOKS_LIKE_CONTACT.search(text):
        return [turn.reply("contact_invalid")]
    turn.goto(IDLE)
    return None
