"""Where a reporter hears back: the chat they wrote from, else the number or e-mail address they left.

Citizens on WhatsApp, SMS and Telegram (and the developer's console) are answered where they wrote. The
web chat, phone calls, walk-ins, letters, social media and Open311 clients are no chat we can write to:
those reporters are asked for a WhatsApp/SMS number (answered by SMS: no 24-hour window, any phone) or
an e-mail address. Without one, there is nobody to send to, and the outbox says so (`no_channel`).
"""

from __future__ import annotations

import re

from models.notification import Channel
from models.outbox import Recipient
from models.tables import Reporter

# Channels whose reporters are answered in the same chat they wrote from.
CHAT_CHANNELS = frozenset({Channel.WHATSAPP, Channel.SMS, Channel.TELEGRAM, Channel.CONSOLE})
EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$")
_PHONE_NOISE = re.compile(r"[\s\-().]")
_INDONESIAN_MOBILE = re.compile(r"^(?:\+?62|0)(8\d{7,12})$")
_INTERNATIONAL = re.compile(r"^\+[1-9]\d{7,14}$")


def reporter_recipient(reporter: Reporter) -> Recipient | None:
    """Where to tell this reporter about their complaint, or None when there is nowhere."""
    if reporter.channel in CHAT_CHANNELS:
        return Recipient("reporter", str(reporter.id), reporter.channel, reporter.provider_id)
    if reporter.phone and phone_number(reporter.phone):
        return Recipient("reporter", str(reporter.id), Channel.SMS, phone_number(reporter.phone) or "")
    if reporter.email and email_address(reporter.email):
        return Recipient("reporter", str(reporter.id), Channel.EMAIL, reporter.email)
    return None


def phone_number(text: str) -> str | None:
    """E.164 for a number as people write it: "0812-5555-0001", "+62 812 5555 0001", "62812..."."""
    compact = _PHONE_NOISE.sub("", text.strip())
    local = _INDONESIAN_MOBILE.match(compact)
    if local is not None:
        return f"+62{local.group(1)}"
    return compact if _INTERNATIONAL.match(compact) else None


def email_address(text: str) -> str | None:
    candidate = text.strip().strip("<>").strip()
    return candidate if len(candidate) <= 200 and EMAIL.match(candidate) else None
