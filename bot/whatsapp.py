"""The WhatsApp/SMS adapter's pure half: a Twilio webhook form in, an `Inbound` out; replies to TwiML.

One Twilio number serves both channels: a `From` of `whatsapp:+62...` is WhatsApp, a bare
`+62...` is SMS. The HTTP side (signature, media downloads) lives in `web/twilio.py`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from twilio.twiml.messaging_response import MessagingResponse

from bot.dialog.messages import Inbound, IncomingAttachment, Location, Reply
from models.segments import sms_segments, whatsapp_bodies

WHATSAPP_PREFIX = "whatsapp:"
# Twilio sends at most 10 media per message.
MAX_MEDIA = 10
ADDRESS = re.compile(r"^\+?[0-9A-Za-z]{3,20}$")
MESSAGE_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")


class MalformedForm(ValueError):
    """The form cannot be a Twilio message webhook; the text is safe to return in a 400."""


def channel_of(sender: str) -> str:
    return "whatsapp" if sender.startswith(WHATSAPP_PREFIX) else "sms"


def parse_form(form: Mapping[str, str]) -> Inbound:
    """Translate Twilio's message webhook parameters; unknown extra fields are ignored."""
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
        text=form.get("Body", ""),
        sender_name=(form.get("ProfileName") or "").strip()[:200] or None,
        phone=number if number.startswith("+") else None,
        attachments=_attachments(form),
        location=_location(form),
        message_id=message_sid,
    )


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


# --- replies -------------------------------------------------------------------------------


def twiml(replies: list[Reply], channel: str) -> str:
    """One <Message> per piece: SMS pieces are single 160-unit segments, WhatsApp pieces ≤ 1600 chars."""
    response = MessagingResponse()
    for reply in replies:
        for piece in reply_pieces(reply, channel):
            response.message(piece)
    return str(response)


def reply_pieces(reply: Reply, channel: str) -> list[str]:
    if channel == "sms":
        return sms_segments(with_choices(reply.short or reply.text, reply, compact=True))
    return whatsapp_bodies(with_choices(reply.text, reply, compact=False))


def with_choices(text: str, reply: Reply, compact: bool) -> str:
    """Buttons become numbered text; the engine maps a number back to the choice it stood for,
    so a citizen may answer with the number or with the word."""
    choices = reply.choices
    if not choices or _already_listed(text, reply):
        return text
    if all(choice.value.isdigit() for choice in choices):
        if compact:
            return text + "\n" + " ".join(f"{c.value}.{c.label}" for c in choices)
        return text + "\n" + "\n".join(f"{c.value}. {c.label}" for c in choices)
    numbered = enumerate((choice.label for choice in choices), start=1)
    return text + "\n" + "Balas: " + " / ".join(f"{number} {label}" for number, label in numbered)


def _already_listed(text: str, reply: Reply) -> bool:
    upper = text.upper()
    if all(choice.value.isdigit() for choice in reply.choices):
        return all(f"{choice.value}." in text for choice in reply.choices)
    return all(choice.label.upper() in upper for choice in reply.choices)
