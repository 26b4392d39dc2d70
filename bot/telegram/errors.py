"""What Telegram's answers mean, and the limits Telegram sets: shared by the adapter (replies to
citizens) and the outbound transport (notifier/transports/telegram.py), so both read a flood-control
wait the same way and never send more than Telegram allows. Light on purpose: no python-telegram-bot."""

from __future__ import annotations

import warnings
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # python-telegram-bot is not imported here: the notifier's transport reads this module
    from telegram.error import RetryAfter

# Where the Bot API is unless TELEGRAM_API_BASE_URL names another server (a local Bot API server).
PUBLIC_API = "https://api.telegram.org"
# Telegram refuses longer messages.
MESSAGE_LIMIT = 4096
# Telegram's published send limits: overall, per chat, and per group chat (negative ids).
MESSAGES_PER_SECOND = 30.0
PER_CHAT_PER_SECOND = 1.0
PER_GROUP_PER_MINUTE = 20.0
# Answers that mean this chat cannot be reached at all; anything else is worth retrying.
PERMANENT = ("bot was blocked by the user", "chat not found", "user is deactivated", "bot was kicked",
             "have no rights to send", "peer_id_invalid")


def is_group(chat_id: str) -> bool:
    return chat_id.startswith("-")


def is_permanent(description: str) -> bool:
    lowered = description.lower()
    return any(marker in lowered for marker in PERMANENT)


def retry_seconds(value: object) -> float:
    """Telegram's retry_after, given as seconds (the Bot API's JSON) or a timedelta; at least one second."""
    if isinstance(value, timedelta):
        return max(1.0, value.total_seconds())
    try:
        return max(1.0, float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1.0


def flood_wait(error: RetryAfter) -> float:
    """Seconds a RetryAfter asks for. PTB 22 gives an int or a timedelta depending on PTB_TIMEDELTA
    (and warns about the int form); either is fine here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # PTBDeprecationWarning is one
        return retry_seconds(error.retry_after)
