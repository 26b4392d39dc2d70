"""Which alert an official's reply is about: the one it replies to, the one whose button was pressed, or
the open complaints they were alerted about (newest first). Read-only queries over the outbox."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.lifecycle import OPEN_VALUES, Status
from models.notification import RecipientKind
from models.tables import Complaint, Notification


def alert_replied_to(session: Session, channel: str, address: str, provider_message_id: str) -> Notification | None:
    """The official's alert with this provider id, sent to this address (Telegram's ids count per chat)."""
    query = select(Notification).where(
        Notification.channel == channel, Notification.provider_message_id == provider_message_id,
        Notification.address == address, Notification.recipient_kind == RecipientKind.OFFICIAL,
    )
    return session.scalars(query.order_by(Notification.id.desc())).first()


def alert_by_token(session: Session, token: str) -> Notification | None:
    """The official's alert whose (unguessable) token a button carried."""
    query = select(Notification).where(Notification.callback_token == token,
                                       Notification.recipient_kind == RecipientKind.OFFICIAL)
    return session.scalars(query).first()


def open_alerted_complaints(session: Session, official_id: str, limit: int = 20) -> list[Complaint]:
    """Complaints this official was alerted about that still await someone (answered ones await closing),
    the most recently alerted first."""
    latest = (
        select(Notification.complaint_id, func.max(Notification.id).label("last_alert"))
        .where(Notification.recipient_kind == RecipientKind.OFFICIAL, Notification.recipient_id == official_id,
               Notification.complaint_id.is_not(None))
        .group_by(Notification.complaint_id)
        .subquery()
    )
    query = (
        select(Complaint).join(latest, latest.c.complaint_id == Complaint.id)
        .where(Complaint.status.in_((*OPEN_VALUES, Status.ANSWERED.value)))
        .order_by(latest.c.last_alert.desc()).limit(limit)
    )
    return list(session.scalars(query))


def complaint_of(session: Session, notification: Notification) -> Complaint | None:
    return session.get(Complaint, notification.complaint_id) if notification.complaint_id is not None else None


def open_complaints_of_agency(session: Session, agency_code: str, limit: int = 20) -> list[Complaint]:
    """The agency's complaints that still await it (answered ones await closing), newest first."""
    query = select(Complaint).where(Complaint.agency_code == agency_code,
                                    Complaint.status.in_((*OPEN_VALUES, Status.ANSWERED.value)))
    return list(session.scalars(query.order_by(Complaint.updated_at.desc(), Complaint.id.desc()).limit(limit)))
