"""Same problem, many reporters: find an open complaint this one probably repeats."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
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
    query = (
        select(Complaint)
        .where(
            Complaint.agency_code == agency_code,
            Complaint.status.in_([status.value for status in OPEN_STATUSES]),
            Complaint.created_at >= now - LOOKBACK,
            Complaint.confidential.is_(False),
            Complaint.duplicate_of_id.is_(None),
        )
        .order_by(Complaint.created_at.desc())
        .limit(MAX_CANDIDATES)
    )
    best: tuple[float, Complaint] | None = None
    for candidate in db.scalars(query):
        if not _near_enough(candidate, latitude, longitude):
            continue
        score = text_similarity(text, candidate.text, table)
        if score >= DUPLICATE_THRESHOLD and (best is None or score > best[0]):
            best = (score, candidate)
    return best[1] if best else None


def _near_enough(candidate: Complaint, latitude: float | None, longitude: float | None) -> bool:
    if latitude is None or longitude is None or candidate.latitude is None or candidate.longitude is None:
        return True
    return distance_m(latitude, longitude, candidate.latitude, candidate.longitude) <= MAX_DISTANCE_M
