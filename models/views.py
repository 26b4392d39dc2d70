"""Read models: complaints and notifications as plain, JSON-ready dictionaries.

The shapes are a documented contract (README, "Admin command line"): add keys,
never rename or remove them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.lifecycle import label
from models.tables import Complaint, Notification
from models.workdays import WorkingCalendar


def iso(instant: datetime | None) -> str | None:
    return None if instant is None else instant.isoformat()


def local_day(instant: datetime | None, calendar: WorkingCalendar) -> str | None:
    """A deadline stored as 'end of day' shown as the local date it falls on."""
    if instant is None:
        return None
    return calendar.local(instant - timedelta(seconds=1)).date().isoformat()


def complaint_summary(complaint: Complaint) -> dict[str, Any]:
    return {
        "code": complaint.code,
        "status": complaint.status,
        "status_label": label(complaint.status),
        "kind": complaint.kind,
        "agency": complaint.agency_code,
        "category": complaint.category,
        "channel": complaint.channel,
        "anonymous": complaint.anonymous,
        "confidential": complaint.confidential,
        "supporters": complaint.supporter_count,
        "escalation_level": complaint.escalation_level,
        "created_at": iso(complaint.created_at),
        "updated_at": iso(complaint.updated_at),
    }


def complaint_detail(complaint: Complaint, calendar: WorkingCalendar, reveal_identity: bool = False,
                     notifications: list[Notification] | None = None) -> dict[str, Any]:
    detail = complaint_summary(complaint)
    detail.update(
        text=complaint.text,
        answer=complaint.answer_text,
        location={"latitude": complaint.latitude, "longitude": complaint.longitude,
                  "text": complaint.location_text},
        reporter=reporter_view(complaint, reveal_identity),
        routing=complaint.routing,
        deadlines=deadlines(complaint, calendar),
        attachments=[
            {"kind": a.kind, "content_type": a.content_type, "size_bytes": a.size_bytes,
             "provider_file_id": a.provider_file_id, "storage_path": a.storage_path}
            for a in complaint.attachments
        ],
        events=[
            {"at": iso(e.at), "actor_kind": e.actor_kind, "actor_id": e.actor_id, "action": e.action,
             "from_status": e.from_status, "to_status": e.to_status, "note": e.note, "data": e.data}
            for e in complaint.events
        ],
        satisfied=complaint.satisfied,
        rating=complaint.rating,
        reject_reason=complaint.reject_reason,
        duplicate_of=None,
    )
    if notifications is not None:
        detail["notifications"] = [notification_view(n, complaint.code) for n in notifications]
    return detail


def reporter_view(complaint: Complaint, reveal_identity: bool) -> dict[str, Any]:
    reporter = complaint.reporter
    view: dict[str, Any] = {"channel": reporter.channel, "anonymous": complaint.anonymous,
                            "erased": reporter.erased_at is not None}
    if complaint.anonymous and not reveal_identity:
        return view
    view.update(id=reporter.id, name=reporter.name, phone=reporter.phone, provider_id=reporter.provider_id)
    return view


def deadlines(complaint: Complaint, calendar: WorkingCalendar) -> dict[str, Any]:
    return {
        "timezone": calendar.zone.key,
        "verify_due": local_day(complaint.verify_due_at, calendar),
        "ack_due": local_day(complaint.ack_due_at, calendar),
        "answer_due": local_day(complaint.answer_due_at, calendar),
        "reply_due": local_day(complaint.reply_due_at, calendar),
        "verify_due_at": iso(complaint.verify_due_at),
        "ack_due_at": iso(complaint.ack_due_at),
        "answer_due_at": iso(complaint.answer_due_at),
        "reply_due_at": iso(complaint.reply_due_at),
        "next_escalation_at": iso(complaint.next_escalation_at),
    }


def notification_view(notification: Notification, complaint_code: str | None) -> dict[str, Any]:
    return {
        "id": notification.id,
        "complaint_code": complaint_code,
        "recipient": f"{notification.recipient_kind}:{notification.recipient_id}",
        "recipient_kind": notification.recipient_kind,
        "recipient_id": notification.recipient_id,
        "channel": notification.channel,
        "address": notification.address,
        "purpose": notification.purpose,
        "level": notification.level,
        "status": notification.status,
        "attempts": notification.attempts,
        "last_error": notification.last_error,
        "created_at": iso(notification.created_at),
        "next_attempt_at": iso(notification.next_attempt_at),
        "sent_at": iso(notification.sent_at),
        "delivered_at": iso(notification.delivered_at),
    }


def list_complaints(session: Session, status: str | None = None, agency: str | None = None,
                    limit: int = 1000) -> list[Complaint]:
    query = select(Complaint).order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(limit)
    if status:
        query = query.where(Complaint.status == status)
    if agency:
        query = query.where(Complaint.agency_code == agency)
    return list(session.scalars(query))


def list_notifications(session: Session, status: str | None = None, complaint_id: int | None = None,
                       limit: int = 1000) -> list[tuple[Notification, str | None]]:
    query = (
        select(Notification, Complaint.code)
        .outerjoin(Complaint, Complaint.id == Notification.complaint_id)
        .order_by(Notification.id)
        .limit(limit)
    )
    if status:
        query = query.where(Notification.status == status)
    if complaint_id is not None:
        query = query.where(Notification.complaint_id == complaint_id)
    return [(row, code) for row, code in session.execute(query).all()]
