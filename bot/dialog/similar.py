"""Same problem, many reporters: find an open complaint this one probably repeats."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.routing import DUPLICATE_THRESHOLD, RoutingTable, distance_m, text_similarity
from models.lifecycle import OPEN_STATUSES
from models.tables import Complaint

LOOKBACK = timedelta(days=30)
MAX_DISTANCE_M = 250.0
MAX_CANDIDATES = 200


def find_similar_open(
    db: Session, table: RoutingTable, agency_code: str, text: str,
    latitude: float | None, longitude: float | None, now: datetime,
) -> Complaint | None:
    """The most similar open, non-confidential complaint of the same agency from the last 30 days."""
    # Only what the comparison reads: up to 200 candidates, and only the best one becomes a Complaint.
    candidates = db.execute(_CANDIDATES, {"agency_code": agency_code, "since": now - LOOKBACK})
    best: tuple[float, int] | None = None
    for candidate_id, candidate_text, candidate_latitude, candidate_longitude in candidates:
        if not _near_enough(candidate_latitude, candidate_longitude, latitude, longitude):
            continue
        score = text_similarity(text, candidate_text, table)
        if score >= DUPLICATE_THRESHOLD and (best is None or score > best[0]):
            best = (score, candidate_id)
    return db.get(Complaint, best[1]) if best else None


def _near_enough(candidate_latitude: float | None, candidate_longitude: float | None,
                 latitude: float | None, longitude: float | None) -> bool:
    if latitude is None or longitude is None or candidate_latitude is None or candidate_longitude is None:
        return True
    return distance_m(latitude, longitude, candidate_latitude, candidate_longitude) <= MAX_DISTANCE_M


# Built once (SQLAlchemy reuses its compiled form): every complaint a citizen files runs it first.
_CANDIDATES = (
    select(Complaint.id, Complaint.text, Complaint.latitude, Complaint.longitude)
    .where(
        Complaint.agency_code == bindparam("agency_code"),
        Complaint.status.in_([status.value for status in OPEN_STATUSES]),
        Complaint.created_at >= bindparam("since"),
        Complaint.confidential.is_(False),
        Complaint.duplicate_of_id.is_(None),
    )
    .order_by(Complaint.created_at.desc())
    .limit(MAX_CANDIDATES)
)
