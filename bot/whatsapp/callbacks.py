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

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.whatsapp.errors import OUTSIDE_WINDOW, PERMANENT_CODES
from models.notification import NotificationStatus
from models.reachability import mark_unreachable
from models.tables import Notification

Status = NotificationStatus
# A callback only ever moves a notification forward along this order.
PROGRESS = {Status.QUEUED: 0, Status.SENDING: 0, Status.SENT: 1, Status.DELIVERED: 2, Status.READ: 3}
FAILURES = frozenset({Status.FAILED, Status.UNDELIVERED})


@dataclass(frozen=True)
class CallbackOutcome:
    found: bool
    status: NotificationStatus | None = None
    requeued: bool = False
    unreachable: bool = False


def record_callback(session: Session, token: str, reported: str, error_code: str | None,
                    now: datetime, provider_message_id: str | None = None) -> CallbackOutcome:
    """Apply one callback in the caller's transaction; an unknown token (or status) changes nothing."""
    notification = session.scalars(
        select(Notification).where(Notification.callback_token == token).with_for_update()
    ).first()
    if notification is None:
        return CallbackOutcome(found=False)
    if provider_message_id and not notification.provider_message_id:
        notification.provider_message_id = provider_message_id[:200]
    status = _known(reported)
    if status in FAILURES:
        return _failure(session, notification, status, (error_code or "").strip(), now)
    if status in PROGRESS and PROGRESS[status] > PROGRESS.get(notification.status, -1):
        notification.status = status
        if status in (Status.DELIVERED, Status.READ) and notification.delivered_at is None:
            notification.delivered_at = now
        if notification.sent_at is None:
            notification.sent_at = now
    return CallbackOutcome(found=True, status=notification.status)


def _known(reported: str) -> NotificationStatus | None:
    """Twilio's MessageStatus as ours; statuses we do not track (accepted, scheduled...) are None."""
    try:
        return NotificationStatus(reported)
    except ValueError:
        return None


def _failure(session: Session, notification: Notification, status: NotificationStatus, code: str,
             now: datetime) -> CallbackOutcome:
    if code == OUTSIDE_WINDOW and not notification.payload.get("force_template"):
        # Assign a new dict: the JSON column only notices a changed value.
        notification.payload = {**notification.payload, "force_template": True}
        notification.status = Status.QUEUED
        notification.next_attempt_at = now
        notification.last_error = f"{code}: di luar jendela 24 jam WhatsApp; dikirim ulang dengan template"
        return CallbackOutcome(found=True, status=Status.QUEUED, requeued=True)
    reason = PERMANENT_CODES.get(code)
    notification.status = status
    notification.last_error = f"{status} {code}: {reason}" if reason else f"{status} (kode {code or '-'})"
    if reason is not None:
        mark_unreachable(session, notification.channel, notification.address, f"Twilio {code}: {reason}", now)
    return CallbackOutcome(found=True, status=status, unreachable=reason is not None)

