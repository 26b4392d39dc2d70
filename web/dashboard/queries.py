"""Read queries behind the inbox: role scope, filters, search and paging (all index-friendly)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from models.codes import normalize_code
from models.lifecycle import OPEN_STATUSES, Status
from models.permissions import Actor
from models.tables import Complaint, Reporter
from models.workdays import WorkingCalendar
from web.dashboard.context import sees_everything

PAGE_SIZE = 50
# Five digits or more (spaces, dots and dashes between them allowed): a phone number, an id, an account.
PERSON_NUMBER = re.compile(r"\d(?:[\s.\-]?\d){4,}")
# What a SP4N-LAPOR! tracking id looks like when typed into the search box.
LAPOR_ID = re.compile(r"[A-Za-z0-9\-]{4,40}")
OPEN = [status.value for status in OPEN_STATUSES]


@dataclass(frozen=True)
class Filters:
    status: str = ""
    agency: str = ""
    category: str = ""
    channel: str = ""
    overdue: bool = False
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        return cls(status=args.get("status", ""), agency=args.get("agency", ""),
                   category=args.get("category", ""), channel=args.get("channel", ""),
                   overdue=args.get("overdue") in {"1", "on", "true"}, date_from=query_date(args.get("from")),
                   date_to=query_date(args.get("to")), q=args.get("q", "").strip()[:200],
                   page=max(1, min(_int(args.get("page"), 1), 100_000)))


def overdue_condition(now: datetime) -> Any:
    """Open and past its deadline: verification for the triage queue, the answer otherwise."""
    return and_(Complaint.status.in_(OPEN), or_(
        Complaint.answer_due_at < now,
        and_(Complaint.status == Status.RECEIVED.value, Complaint.verify_due_at < now)))


def scoped(query: Select[Any], actor: Actor) -> Select[Any]:
    if sees_everything(actor):
        return query
    return query.where(Complaint.agency_code == actor.agency_code)


def inbox_page(db: Session, actor: Actor, filters: Filters, now: datetime, calendar: WorkingCalendar,
               prefix: str) -> tuple[list[Complaint], int]:
    query = _filtered(scoped(select(Complaint), actor), filters, now, calendar, prefix)
    total = db.scalar(query.with_only_columns(func.count(Complaint.id)).order_by(None)) or 0
    return list(db.scalars(page_of(query, filters.page))), int(total)


def page_of(query: Select[Any], page: int) -> Select[Any]:
    """Newest first; (created_at, id) and (agency_code, created_at, id) are indexed for this order."""
    ordered = query.order_by(Complaint.created_at.desc(), Complaint.id.desc())
    return ordered.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)


def inbox_query(actor: Actor, filters: Filters, now: datetime, calendar: WorkingCalendar,
                prefix: str) -> Select[Any]:
    """The page query itself (for query-plan checks)."""
    return page_of(_filtered(scoped(select(Complaint), actor), filters, now, calendar, prefix), filters.page)


def _filtered(query: Select[Any], f: Filters, now: datetime, calendar: WorkingCalendar,
              prefix: str) -> Select[Any]:
    for column, value in ((Complaint.status, f.status), (Complaint.agency_code, f.agency),
                          (Complaint.category, f.category), (Complaint.channel, f.channel)):
        if value:
            query = query.where(column == value)
    if f.overdue:
        query = query.where(overdue_condition(now))
    if f.date_from:
        query = query.where(Complaint.created_at >= _local_midnight(f.date_from, calendar))
    if f.date_to:
        query = query.where(Complaint.created_at < _local_midnight(f.date_to + timedelta(days=1), calendar))
    if f.q:
        query = query.where(_search(f.q, prefix))
    return query


def _search(q: str, prefix: str) -> Any:
    """A code, or words in the text. A hidden reporter's complaint (anonymous, misconduct) is never found by
    what identifies a person: a number with five digits or more, or words of that reporter's name or phone."""
    code = normalize_code(q, prefix)
    if code:
        return Complaint.code == code
    if LAPOR_ID.fullmatch(q):  # one token: maybe a SP4N-LAPOR! tracking id, maybe a word of the text
        return or_(Complaint.lapor_tracking_id == q, _words(q))
    return _words(q)


def _words(q: str) -> Any:
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    # A hidden reporter's complaint is searched in its masked words (their name and numbers are not there).
    in_text = func.coalesce(Complaint.masked_text, Complaint.text).ilike(pattern, escape="\\")
    hidden = or_(Complaint.anonymous.is_(True), Complaint.misconduct.is_(True))
    if PERSON_NUMBER.search(q):
        return and_(in_text, not_(hidden))
    names_them = exists().where(Reporter.id == Complaint.reporter_id, or_(
        Reporter.name.ilike(pattern, escape="\\"), Reporter.phone.ilike(pattern, escape="\\"),
        Reporter.provider_id.ilike(pattern, escape="\\")))
    return and_(in_text, or_(not_(hidden), not_(names_them)))


def _local_midnight(day: date, calendar: WorkingCalendar) -> datetime:
    return datetime.combine(day, time(0), tzinfo=calendar.zone)


def query_date(text: str | None) -> date | None:
    """A day from a query parameter, or None when absent or not a date; kept inside the calendar."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    # The calendar's first and last days have no neighbour once shifted to UTC (an OverflowError).
    return None if day is None else min(max(day, date.min + timedelta(days=1)), date.max - timedelta(days=1))


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


def row_colour(complaint: Complaint, now: datetime) -> str:
    """LAPOR! colours: red unanswered past deadline, yellow reporter not satisfied."""
    if complaint.status in OPEN:
        due = complaint.answer_due_at or (complaint.verify_due_at if complaint.status == "received" else None)
        if due is not None and due < now:
            return "red"
    if complaint.satisfied is False:
        return "yellow"
    return ""
