"""A Twilio message webhook's form in, the engine's `Inbound` out (pure: no I/O).

One Twilio number serves both channels: a `From` of `whatsapp:+62...` is WhatsApp, a bare
`+62...` is SMS. The HTTP side (signature, status callbacks) is webhook.py, the replies replies.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from bot.dialog.messages import Inbound, IncomingAttachment, Location
from bot.whatsapp.errors import MAX_MEDIA

WHATSAPP_PREFIX = "whatsapp:"
ADDRESS = re.compile(r"^\+?[0-9A-Za-z]{3,20}$")
MESSAGE_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")


class MalformedForm(ValueError):
    """The form cannot be a Twilio message webhook; the text is safe to return in a 400."""


def channel_of(sender: str) -> str:
    return "whatsapp" if sender.startswith(WHATSAPP_PREFIX) else "sms"


def parse_form(form: Mapping[str, str], text_limit: int) -> Inbound:
    """Translate Twilio's message webhook parameters; unknown extra fields are ignored. The text is cut to
    `text_limit` characters here, before anything else reads it (the engine cuts the other fields)."""
    sender = _required(form, "From")
    message_sid = _required(form, "MessageSid")
    if not MESSAGE_SID.match(message_sid):
        raise MalformedForm("MessageSid is not a Twilio message sid")
    number = sender.removeprefix(WHATSAPP_PREFIX)
    if not ADDRESS.match(number):
        raise MalformedForm("From is not a phone number")
    return Inbound(
        channel=channel_of(sender),
        chat_id=number,
        sender_id=number,
        text=form.get("Body", "")[:text_limit],
        sender_name=(form.get("ProfileName") or "").strip()[:200] or None,
        phone=number if number.startswith("+") else None,
        attachments=_attachments(form),
        location=_location(form),
        message_id=message_sid,
        reply_to=_replied_sid(form),
    )


def _replied_sid(form: Mapping[str, str]) -> str | None:
    """The message this one answers (a WhatsApp "reply" to one of ours); anything not sid-shaped is ignored."""
    replied = (form.get("OriginalRepliedMessageSid") or "").strip()
    return replied if MESSAGE_SID.match(replied) else None


def _required(form: Mapping[str, str], key: str) -> str:
    value = (form.get(key) or "").strip()
    if not value:
        raise MalformedForm(f"{key} is missing")
    return value


def _attachments(form: Mapping[str, str]) -> tuple[IncomingAttachment, ...]:
    raw = form.get("NumMedia") or "0"
    # isdigit() alone accepts "²" and "٣", which int() then refuses or reads as Arabic-Indic digits.
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_MEDIA:
        raise MalformedForm("NumMedia is not a number from 0 to 10")
    attachments = []
    for index in range(int(raw)):
        url = form.get(f"MediaUrl{index}") or ""
        if not url.startswith(("https://", "http://")):
            raise MalformedForm(f"MediaUrl{index} is missing or not a URL")
        # Bounded like the attachments.content_type column it ends up in.
        content_type = (form.get(f"MediaContentType{index}") or "").strip().lower()[:100] or None
        attachments.append(IncomingAttachment(kind=media_kind(content_type), content_type=content_type,
                                              source_url=url[:1000]))
    return tuple(attachments)


def media_kind(content_type: str | None) -> str:
    major = (content_type or "").split("/")[0]
    return {"image": "photo", "audio": "audio", "video": "video"}.get(major, "document")


def _location(form: Mapping[str, str]) -> Location | None:
    latitude, longitude = form.get("Latitude"), form.get("Longitude")
    if not latitude and not longitude:
        return None
    try:
        lat, lon = float(latitude or ""), float(longitude or "")
    except ValueError:
        raise MalformedForm("Latitude/Longitude are not numbers") from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise MalformedForm("Latitude/Longitude are out of range")
    address = " ".join(filter(None, (form.get("Label"), form.get("Address")))).strip()
    return Location(lat, lon, address[:500] or None)
