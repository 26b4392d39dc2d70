"""Pure translation between Telegram objects and the engine's Inbound/Reply: no I/O here."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    PhotoSize,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)

from bot.dialog.messages import Choice, Inbound, Reply
from bot.telegram.errors import MESSAGE_LIMIT

log = logging.getLogger("aduan.telegram")

CHANNEL = "telegram"
# Callback data is "<keyboard token>|<choice value>"; Telegram allows 64 bytes of it.
CALLBACK_LIMIT = 64
SHARE_LOCATION = "📍 Kirim lokasi saya"
SHORT_LABEL = 12
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def base_inbound(update: Update) -> Inbound:
    """Who wrote, where, and the idempotency key; the handler adds what they sent."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None, "handlers only see updates that have a chat"
    sender = user.id if user is not None else chat.id
    message = update.message or update.edited_message
    replied = message.reply_to_message if message is not None else None
    return Inbound(channel=CHANNEL, chat_id=str(chat.id), sender_id=str(sender),
                   sender_name=sender_name(user, chat), message_id=f"tg-update-{update.update_id}",
                   reply_to=str(replied.message_id) if replied is not None else None)


def sender_name(user: User | None, chat: Chat) -> str | None:
    """"Full Name (@username)": both survive in Reporter.name for officials and the audit."""
    if user is None:
        return chat.title
    handle = f" (@{user.username})" if user.username else ""
    return f"{user.full_name}{handle}"[:200]


def largest_photo(sizes: Sequence[PhotoSize]) -> PhotoSize:
    """Telegram sends several renditions; the biggest one is the evidence."""
    return max(sizes, key=lambda size: (size.width * size.height, size.file_size or 0))


def callback_data(token: str, value: str) -> str | None:
    data = f"{token}|{value}"
    return data if len(data.encode()) <= CALLBACK_LIMIT else None


def parse_callback(data: str | None) -> tuple[str, str] | None:
    token, separator, value = (data or "").partition("|")
    return (token, value) if separator and token and value else None


def markup_for(reply: Reply, token: str) -> Markup:
    """Location request → reply keyboard; choices → inline keyboard; otherwise clear old keyboards."""
    if reply.request_location:
        return location_keyboard(reply.choices)
    if reply.choices:
        return inline_keyboard(reply.choices, token)
    return ReplyKeyboardRemove()


def location_keyboard(choices: Sequence[Choice]) -> ReplyKeyboardMarkup:
    # Reply-keyboard buttons send their label as text, so the engine sees e.g. "LEWATI".
    rows = [[KeyboardButton(SHARE_LOCATION, request_location=True)]]
    if choices:
        rows.append([KeyboardButton(choice.label) for choice in choices])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def inline_keyboard(choices: Sequence[Choice], token: str) -> InlineKeyboardMarkup:
    buttons = []
    for choice in choices:
        data = callback_data(token, choice.value)
        if data is None:
            log.warning("telegram: choice value too long for a button, dropped: %r", choice.value)
            continue
        buttons.append(InlineKeyboardButton(choice.label, callback_data=data))
    return InlineKeyboardMarkup(_rows(buttons))


def _rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    # Short labels (YA/TIDAK, ratings) share a row; agency names get a row each to stay readable.
    if all(len(button.text) <= SHORT_LABEL for button in buttons):
        return [buttons[index:index + 5] for index in range(0, len(buttons), 5)]
    return [[button] for button in buttons]


def chunks(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Telegram refuses messages over 4096 characters; split on line breaks where possible."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*parts, text] if text or not parts else parts
