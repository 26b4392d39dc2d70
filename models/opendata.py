"""Open data: the public complaints as records, like LAPOR!'s data-access API (schema in docs/LAPOR.md).

Only what `models.publication.public_record` lets out: moderated text, never a confidential complaint,
never an identity, coordinates to about 100 m. The order is newest first, stable for paging.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.config import Settings
from models.lifecycle import label
from models.publication import public_record
from models.tables import Complaint
from models.workdays import WorkingCalendar

COLUMNS = ("code", "lapor_tracking_id", "text", "category", "agency", "agency_name", "status", "status_label",
           "kind", "filed", "dispatched", "answered", "closed", "supporters", "latitude", "longitude", "location")
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000


def _published() -> Any:
    return (Complaint.public_text.is_not(None), Complaint.confidential.is_(False), Complaint.misconduct.is_(False))


def public_page(session: Session, settings: Settings, calendar: WorkingCalendar, page: int,
                per_page: int) -> dict[str, Any]:
    total = int(session.scalar(select(func.count(Complaint.id)).where(*_published())) or 0)
    query = (select(Complaint).where(*_published()).order_by(Complaint.created_at.desc(), Complaint.id.desc())
             .limit(per_page).offset((page - 1) * per_page))
    names = {agency.code: agency.name for agency in settings.agencies}
    items = [record for record in (public_item(c, names, calendar) for c in session.scalars(query)) if record]
    return {"page": page, "per_page": per_page, "total": total, "pages": max(1, -(-total // per_page)),
            "items": items}


def public_item(complaint: Complaint, names: dict[str, str], calendar: WorkingCalendar) -> dict[str, Any] | None:
    shown = public_record(complaint)
    if not shown.published:
        return None
    return {
        "code": complaint.code,
        "lapor_tracking_id": complaint.lapor_tracking_id,
        "text": shown.description,
        "category": complaint.category,
        "agency": complaint.agency_code,
        "agency_name": names.get(complaint.agency_code or ""),
        "status": complaint.status,
        "status_label": label(complaint.status),
        "kind": complaint.kind,
        "filed": _day(complaint.created_at, calendar),
        "dispatched": _day(complaint.dispatched_at, calendar),
        "answered": _day(complaint.answered_at, calendar),
        "closed": _day(complaint.closed_at, calendar),
        "supporters": complaint.supporter_count,
        "latitude": shown.latitude,
        "longitude": shown.longitude,
        "location": shown.address,
    }


def _day(instant: Any, calendar: WorkingCalendar) -> str | None:
    return None if instant is None else calendar.local(instant).date().isoformat()
