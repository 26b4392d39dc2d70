"""The transport contract: `send()` returns a SendResult or raises TransportError."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from models.notification import Channel, NotificationPayload, RecipientKind


class TransportError(Exception):
    """A failed send. `permanent` means retrying cannot help (blocked bot, invalid number)."""

    def __init__(self, message: str, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True)
class OutgoingMessage:
    notification_id: int
    channel: Channel
    address: str
    purpose: str
    payload: NotificationPayload
    callback_token: str | None = None
    # When the recipient last wrote to us on this channel (WhatsApp's 24-hour window).
    recipient_last_inbound_at: datetime | None = None
    recipient_kind: RecipientKind = RecipientKind.OFFICIAL

    def __post_init__(self) -> None:
        object.__setattr__(self, "channel", Channel(self.channel))
        object.__setattr__(self, "recipient_kind", RecipientKind(self.recipient_kind))

    @property
    def text(self) -> str:
        return str(self.payload.get("text", ""))


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str | None = None


class Transport(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> SendResult: ...


@dataclass(frozen=True)
class CheckResult:
    """Outcome of a transport's self-test (SMTP login, Telegram getMe, Twilio account fetch)."""

    transport: str
    ok: bool
    detail: str = ""


def self_check(transport: Transport) -> CheckResult:
    """Run the transport's optional `check()`; a transport without one counts as healthy."""
    check = getattr(transport, "check", None)
    if check is None:
        return CheckResult(transport.name, True, "no self-check")
    try:
        result = check()
    except Exception as error:  # a broken channel must be reported, not crash the notifier
        return CheckResult(transport.name, False, f"{type(error).__name__}: {error}")
    if isinstance(result, CheckResult):
        return result
    return CheckResult(transport.name, True, str(result or "ok"))
