"""Read models: complaints and notifications as plain, JSON-ready dictionaries.

The shapes are a documented contract (README, "Admin command line"): add keys,
never rename or remove them. A hidden reporter (anonymous or misconduct, models/privacy.py)
keeps every key, with a per-complaint pseudonym where an identifier was; messages to any
reporter show neither their address nor their id.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from models.lifecycle import label
from models.privacy import HIDDEN_ADDRESS, identity_hidden, pseudonym, pseudonym_key, shown_text
from models.publication import rounded
from models.tables import Complaint, ComplaintEvent, Notification
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
        "misconduct": complaint.misconduct,
        "subject": complaint.subject_agency_code,
        "supporters": complaint.supporter_count,
        "escalation_level": complaint.escalation_level,
        "lapor_tracking_id": complaint.lapor_tracking_id,
        "created_at": iso(complaint.created_at),
        "updated_at": iso(complaint.updated_at),
    }


def complaint_detail(complaint: Complaint, calendar: WorkingCalendar, reveal_identity: bool = False,
                     notifications: list[Notification] | None = None) -> dict[str, Any]:
    detail = complaint_summary(complaint)
    detail.update(
        text=shown_text(complaint, reveal_identity),
        answer=complaint.answer_text,
        location=location_view(complaint, reveal_identity),
        reporter=reporter_view(complaint, reveal_identity),
        routing=complaint.routing,
        deadlines=deadlines(complaint, calendar),
        attachments=[
            {"kind": a.kind, "content_type": a.content_type, "size_bytes": a.size_bytes,
             "provider_file_id": a.provider_file_id, "storage_path": a.storage_path}
            for a in complaint.attachments
        ],
        events=[event_view(e, complaint) for e in complaint.events],
        satisfied=complaint.satisfied,
        rating=complaint.rating,
        reject_reason=complaint.reject_reason,
        duplicate_of=None,
        lapor_pending_since=iso(complaint.lapor_pending_since),
        ombudsman_referral=ombudsman_referral_view(complaint),
    )
    if notifications is not None:
        detail["notifications"] = [notification_view(n, complaint.code) for n in notifications]
    return detail


def ombudsman_referral_view(complaint: Complaint) -> dict[str, Any] | None:
    """The citizen's referral to the Ombudsman RI office: null, or when and to which office."""
    if complaint.ombudsman_referred_at is None:
        return None
    return {"at": iso(complaint.ombudsman_referred_at), "office": complaint.ombudsman_office}


def reporter_view(complaint: Complaint, reveal_identity: bool) -> dict[str, Any]:
    reporter = complaint.reporter
    handle = _pseudonym(complaint, complaint.reporter_id)
    view: dict[str, Any] = {"channel": reporter.channel, "anonymous": complaint.anonymous,
                            "erased": reporter.erased_at is not None, "pseudonym": handle}
    if identity_hidden(complaint) and not reveal_identity:
        view.update(id=handle, name=handle, phone=None, provider_id=None, hidden=True)
        return view
    view.update(id=reporter.id, name=reporter.name, phone=reporter.phone, provider_id=reporter.provider_id,
                hidden=False)
    return view


def location_view(complaint: Complaint, reveal_identity: bool) -> dict[str, Any]:
    """A hidden reporter's shared pin is often their home: officials see it to about 100 m until the reveal."""
    latitude, longitude = complaint.latitude, complaint.longitude
    if identity_hidden(complaint) and not reveal_identity:
        latitude, longitude = rounded(latitude), rounded(longitude)
    return {"latitude": latitude, "longitude": longitude, "text": complaint.location_text}


def event_view(event: ComplaintEvent, complaint: Complaint) -> dict[str, Any]:
    """A citizen acting on a complaint (filing, supporting, rating) appears under a per-complaint pseudonym."""
    actor_id = event.actor_id
    if event.actor_kind == "reporter" and actor_id is not None:
        actor_id = _pseudonym(complaint, actor_id)
    data = event.data
    if isinstance(data, dict) and "reporter_id" in data:
        data = {**data, "reporter_id": _pseudonym(complaint, data["reporter_id"])}
    return {"at": iso(event.at), "actor_kind": event.actor_kind, "actor_id": actor_id, "action": event.action,
            "from_status": event.from_status, "to_status": event.to_status, "note": event.note, "data": data}


def _pseudonym(row: Complaint | Notification, reporter_id: object) -> str:
    session = object_session(row)
    complaint_id = row.id if isinstance(row, Complaint) else row.complaint_id
    if session is None:  # a detached row: no key to read, so no handle that could link anything
        return "Pelapor"
    return pseudonym(pseudonym_key(session), complaint_id or 0, str(reporter_id))


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
    """One outbox row; a citizen recipient shows as a per-complaint pseudonym, never an id or address."""
    recipient_id, address, last_error = notification.recipient_id, notification.address, notification.last_error
    if notification.recipient_kind == "reporter":
        recipient_id = _pseudonym(notification, notification.recipient_id)
        if last_error and address:
            last_error = last_error.replace(address, HIDDEN_ADDRESS)
        address = HIDDEN_ADDRESS
    return {
        "id": notification.id,
        "complaint_code": complaint_code,
        "recipient": f"{notification.recipient_kind}:{recipient_id}",
        "recipient_kind": notification.recipient_kind,
        "recipient_id": recipient_id,
        "channel": notification.channel,
        "address": address,
        "purpose": notification.purpose,
        "level": notification.level,
        "status": notification.status,
        "attempts": notification.attempts,
        "last_error": last_error,
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
