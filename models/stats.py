"""SLA statistics per local month and agency, the tables behind the dashboard charts and exports.

Counts by status and category are GROUP BY queries; medians need the durations, so those
rows (a few timestamps per complaint) are read once and aggregated here.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.tables import Complaint


@dataclass
class Row:
    """One (month, agency) line of the statistics table."""

    month: str
    agency: str
    total: int = 0
    answered: int = 0
    answered_in_time: int = 0
    reopened: int = 0
    rated: int = 0
    satisfied: int = 0
    ack_hours: list[float] = field(default_factory=list)
    answer_hours: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "agency": self.agency,
            "total": self.total,
            "answered": self.answered,
            "answered_in_time_pct": _pct(self.answered_in_time, self.answered),
            "median_ack_hours": _median(self.ack_hours),
            "median_answer_hours": _median(self.answer_hours),
            "reopen_rate_pct": _pct(self.reopened, self.total),
            "satisfaction_pct": _pct(self.satisfied, self.rated),
        }


COLUMNS = ("month", "agency", "total", "answered", "answered_in_time_pct", "median_ack_hours",
           "median_answer_hours", "reopen_rate_pct", "satisfaction_pct")


def sla_table(session: Session, start: datetime, end: datetime, zone: ZoneInfo,
              agency: str | None = None, public: bool = False) -> list[dict[str, Any]]:
    """Per month and agency, for complaints filed in [start, end); `public` leaves confidential ones out."""
    rows: dict[tuple[str, str], Row] = {}
    query = _timing_query(start, end, agency)
    if public:
        query = query.where(Complaint.confidential.is_(False))
    for complaint in session.execute(query):
        key = (_month(complaint.created_at, zone), complaint.agency_code or "-")
        _add(rows.setdefault(key, Row(*key)), complaint)
    return [rows[key].as_dict() for key in sorted(rows)]


def counts_by(session: Session, column: str, start: datetime, end: datetime,
              agency: str | None = None) -> list[tuple[str, int]]:
    """Complaint counts grouped by `status`, `category` or `channel` (GROUP BY in the database)."""
    grouped = {"status": Complaint.status, "category": Complaint.category, "channel": Complaint.channel}[column]
    query = (select(grouped, func.count(Complaint.id))
             .where(Complaint.created_at >= start, Complaint.created_at < end)
             .group_by(grouped).order_by(func.count(Complaint.id).desc()))
    if agency:
        query = query.where(Complaint.agency_code == agency)
    return [(str(value or "-"), int(count)) for value, count in session.execute(query)]


def response_times(session: Session, start: datetime, end: datetime, agency: str | None = None) -> dict[str, Any]:
    """Hours from dispatch to the first response and to the answer (median and 90th percentile), the share
    of rated answers the reporter was satisfied with, and the share of complaints reopened."""
    query = _timing_query(start, end, agency)
    first: list[float] = []
    answer: list[float] = []
    total = reopened = rated = satisfied = 0
    for row in session.execute(query):
        total += 1
        reopened += 1 if row.reopen_count else 0
        if row.satisfied is not None:
            rated += 1
            satisfied += 1 if row.satisfied else 0
        if row.dispatched_at is not None and row.acknowledged_at is not None:
            first.append((row.acknowledged_at - row.dispatched_at).total_seconds() / 3600)
        if row.dispatched_at is not None and row.answered_at is not None:
            answer.append((row.answered_at - row.dispatched_at).total_seconds() / 3600)
    return {"first_response_median": _quantile(first, 0.5), "first_response_p90": _quantile(first, 0.9),
            "answer_median": _quantile(answer, 0.5), "answer_p90": _quantile(answer, 0.9),
            "satisfied_pct": _pct(satisfied, rated), "reopen_pct": _pct(reopened, total), "rated": rated,
            "total": total}


def _quantile(values: list[float], share: float) -> float | None:
    """The value below which `share` of them lie (linear between neighbours), in hours, one decimal."""
    if not values:
        return None
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 1)


def monthly_totals(table: list[dict[str, Any]]) -> list[tuple[str, int]]:
    totals: dict[str, int] = defaultdict(int)
    for row in table:
        totals[row["month"]] += row["total"]
    return sorted(totals.items())


def agency_response(table: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per agency over the whole period: total, answered and share answered within deadline."""
    merged: dict[str, dict[str, float]] = defaultdict(lambda: {"total": 0, "answered": 0, "in_time": 0.0})
    for row in table:
        line = merged[row["agency"]]
        line["total"] += row["total"]
        line["answered"] += row["answered"]
        line["in_time"] += (row["answered_in_time_pct"] or 0) * row["answered"] / 100
    return [{"agency": code, "total": int(v["total"]), "answered": int(v["answered"]),
             "answered_pct": _pct(int(v["answered"]), int(v["total"])),
             "answered_in_time_pct": _pct(round(v["in_time"]), int(v["answered"]))}
            for code, v in sorted(merged.items())]


def _timing_query(start: datetime, end: datetime, agency: str | None) -> Any:
    query = select(Complaint.created_at, Complaint.agency_code, Complaint.status, Complaint.dispatched_at,
                   Complaint.acknowledged_at, Complaint.answered_at, Complaint.answer_due_at,
                   Complaint.reopen_count, Complaint.satisfied).where(
        Complaint.created_at >= start, Complaint.created_at < end)
    return query.where(Complaint.agency_code == agency) if agency else query


def _add(row: Row, complaint: Any) -> None:
    row.total += 1
    row.reopened += 1 if complaint.reopen_count else 0
    if complaint.satisfied is not None:
        row.rated += 1
        row.satisfied += 1 if complaint.satisfied else 0
    start = complaint.dispatched_at or complaint.created_at
    if complaint.acknowledged_at is not None:
        row.ack_hours.append(_hours(complaint.acknowledged_at - start))
    if complaint.answered_at is not None:
        row.answered += 1
        row.answer_hours.append(_hours(complaint.answered_at - start))
        due = complaint.answer_due_at
        row.answered_in_time += 1 if due is None or complaint.answered_at <= due else 0


def _month(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m")


def _hours(delta: timedelta) -> float:
    return max(0.0, delta.total_seconds() / 3600)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
