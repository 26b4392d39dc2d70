"""What adapters hand to the engine and what they get back: channel-agnostic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "short": self.short,
            "choices": [{"label": c.label, "value": c.value} for c in self.choices],
            "request_location": self.request_location,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Reply:
        return cls(
            text=str(raw.get("text", "")),
            short=raw.get("short"),
            choices=tuple(Choice(str(c["label"]), str(c["value"])) for c in raw.get("choices", [])),
            request_location=bool(raw.get("request_location", False)),
        )
