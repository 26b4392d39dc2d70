"""Delivery status callbacks (Twilio's StatusCallback), recorded against the notification's token.

Callbacks may arrive out of order (a late "sent" after "read"), so a status only ever moves
forward. 63016 means a free-text message went outside WhatsApp's 24-hour window: the
notification is queued again, flagged so the transport sends the approved template. Error
codes that no retry can fix mark the recipient unreachable with the reason, so "why did the
Kepala Dinas not get the alert?" has an answer on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.tables import Notification, OfficialContact, Reporter

OUTSIDE_WINDOW = "63016"
# Numbers that do not exist, cannot receive WhatsApp/SMS, or opted out.
PERMANENT_CODES: dict[str, str] = {
    "21211": "nomor tidak valid",
    "21214": "nomor tidak dapat dihubungi",
    "21408": "wilayah tujuan tidak diizinkan",
    "21610": "penerima berhenti berlangganan (STOP)",
    "21612": "nomor tidak dapat menerima pesan dari pengirim ini",
    "21614": "nomor bukan nomor seluler",
    "30005": "nomor tujuan tidak dikenal",
    "30006": "nomor telepon rumah (landline)",
    "63003": "nomor tidak terdaftar di WhatsApp",
    "63024": "penerima tidak valid",
}
PROGRESS = {"queued": 0, "sending": 0, "sent": 1, "delivered": 2, "read": 3}
FAILURES = {"failed", "undelivered"}


@dataclass(frozen=True)
class CallbackOutcome:
    found: bool
    status: str | None = None
    requeued: bool = False
    unreachable: bool = False


def record_callback(session: Session, token: str, status: str, error_code: str | None,
                    now: datetime, provider_message_id: str | None = None) -> CallbackOutcome:
    """Apply one callback in the caller's transaction; an unknown token changes nothing."""
    notification = session.scalars(
        select(Notification).where(Notification.callback_token == token).with_for_update()
    ).first()
    if notification is None:
        return CallbackOutcome(found=False)
    if provider_message_id and not notification.provider_message_id:
        notification.provider_message_id = provider_message_id[:200]
    if status in FAILURES:
        return _failure(session, notification, status, (error_code or "").strip(), now)
    if status in PROGRESS and PROGRESS[status] > PROGRESS.get(notification.status, -1):
        notification.status = status
        if status in ("delivered", "read") and notification.delivered_at is None:
            notification.delivered_at = now
        if notification.sent_at is None:
            notification.sent_at = now
    return CallbackOutcome(found=True, status=notification.status)


def _failure(session: Session, notification: Notification, status: str, code: str,
             now: datetime) -> CallbackOutcome:
    if code == OUTSIDE_WINDOW and not notification.payload.get("force_template"):
        # Assign a new dict: the JSON column only notices a changed value.
        notification.payload = {**notification.payload, "force_template": True}
        notification.status = "queued"
        notification.next_attempt_at = now
        notification.last_error = f"{code}: di luar jendela 24 jam WhatsApp; dikirim ulang dengan template"
        return CallbackOutcome(found=True, status="queued", requeued=True)
    reason = PERMANENT_CODES.get(code)
    notification.status = status
    notification.last_error = f"{status} {code}: {reason}" if reason else f"{status} (kode {code or '-'})"
    if reason is not None:
        mark_unreachable(session, notification.channel, notification.address, f"Twilio {code}: {reason}", now)
    return CallbackOutcome(found=True, status=status, unreachable=reason is not None)


def mark_unreachable(session: Session, channel: str, address: str, reason: str, now: datetime) -> None:
    session.execute(
        update(OfficialContact)
        .where(OfficialContact.channel == channel, OfficialContact.address == address)
        .values(unreachable_at=now, unreachable_reason=reason[:500])
    )
    session.execute(
        update(Reporter)
        .where(Reporter.channel == channel, Reporter.provider_id == address)
        .values(unreachable_at=now, unreachable_reason=reason[:500])
    )
