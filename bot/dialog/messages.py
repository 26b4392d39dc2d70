"""What adapters hand to the engine and what they get back: channel-agnostic."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from bot.dialog.words import clean
from models.config import Settings
from models.desk import AttachmentIn


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    address: str | None = None


# A photo or file as the provider announced it; the same shape the desk stores.
IncomingAttachment = AttachmentIn


@dataclass(frozen=True)
class Inbound:
    channel: str  # console | telegram | whatsapp | sms | web
    chat_id: str
    sender_id: str
    text: str = ""
    sender_name: str | None = None
    phone: str | None = None
    attachments: tuple[IncomingAttachment, ...] = ()
    location: Location | None = None
    # Provider's id of this message; a repeated id is answered the same way and changes nothing.
    message_id: str | None = None
    # Deep-link payload (Telegram /start PAYLOAD, QR codes): presets the place.
    start_payload: str | None = None
    # The provider's id of the message this one replies to (WhatsApp's OriginalRepliedMessageSid, Telegram's
    # reply_to_message): binds the answer to the question that message asked. The wings fill it.
    reply_to: str | None = None
    # The web chat's client address, for the per-address filing limit (only ever stored as a keyed hash).
    client_address: str | None = None
    # An official's press of an alert's inline button: the alert's opaque token (bot/telegram/buttons.py).
    alert_token: str | None = None


NAME_CHARS = 200
PHONE_CHARS = 40
# Inbound text beyond this many times `intake.max_text_chars` is cut where each wing builds its Inbound (and
# again by the engine), before cleaning, routing or any transaction: a 200,000-character message must not cost
# seconds of CPU (inside SQLite's write lock, too). docs/SECURITY.md documents it.
INBOUND_LIMIT_FACTOR = 2


def inbound_limit(settings: Settings) -> int:
    return settings.intake.max_text_chars * INBOUND_LIMIT_FACTOR


def sanitized(inbound: Inbound) -> Inbound:
    """The text and the provider's free-form fields (a profile name, a place's label) cleaned, so no control
    character, bidi override or broken surrogate is stored or relayed (officials' commands included);
    a location that is not on Earth is dropped."""
    location = inbound.location
    if location is not None and not _on_earth(location):
        location = None
    elif location is not None and location.address is not None:
        location = replace(location, address=clean(location.address) or None)
    # Cut to what the reporters table holds: PostgreSQL refuses longer values, SQLite would keep them.
    name = (clean(inbound.sender_name)[:NAME_CHARS] or None) if inbound.sender_name is not None else None
    phone = (clean(inbound.phone)[:PHONE_CHARS] or None) if inbound.phone is not None else None
    payload = clean(inbound.start_payload) if inbound.start_payload is not None else None
    return replace(inbound, text=clean(inbound.text), sender_name=name, phone=phone, location=location,
                   start_payload=payload)


def truncated(inbound: Inbound, limit: int) -> Inbound:
    """At most `limit` characters of text and of each free-form field, before anything parses them."""
    def cut(text: str | None) -> str | None:
        return text if text is None or len(text) <= limit else text[:limit]

    location = inbound.location
    if location is not None and location.address is not None and len(location.address) > limit:
        location = replace(location, address=location.address[:limit])
    return replace(inbound, text=cut(inbound.text) or "", sender_name=cut(inbound.sender_name),
                   start_payload=cut(inbound.start_payload), location=location,
                   reply_to=inbound.reply_to[:200] if inbound.reply_to else None)


def _on_earth(location: Location) -> bool:
    latitude, longitude = location.latitude, location.longitude
    return math.isfinite(latitude) and math.isfinite(longitude) and -90 <= latitude <= 90 and -180 <= longitude <= 180


@dataclass(frozen=True)
class Choice:
    label: str
    value: str


@dataclass(frozen=True)
class Reply:
    text: str
    # A form that fits one 160-character SMS segment.
    short: str | None = None
    choices: tuple[Choice, ...] = ()
    request_location: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    # The reader's language, for the words an adapter adds around the text ("Balas:" / "Reply:").
    language: str = "id"

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "short": self.short,
            "choices": [{"label": c.label, "value": c.value} for c in self.choices],
            "request_location": self.request_location,
            "language": self.language,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Reply:
        return cls(
            text=str(raw.get("text", "")),
            short=raw.get("short"),
            choices=tuple(Choice(str(c["label"]), str(c["value"])) for c in raw.get("choices", [])),
            request_location=bool(raw.get("request_location", False)),
            language=str(raw.get("language", "id")),
        )
