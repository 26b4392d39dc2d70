"""The morning (or weekly) digests, one per recipient role, worth reading on a phone.

- Bupati, Sekda, Inspektur: the region's overdue work, oldest first with its subject, and a ranking of
  agencies by overdue count and on-time rate;
- each Kepala OPD: their agency's overdue work and its on-time rate;
- Diskominfo (triage): the verification queue.
Every digest carries the week-on-week change (filed and answered in the last seven days against the seven
before) and a link. The count in the text, in the WhatsApp template's variables and the length of the
list come from one list, so the channels never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models.config import Role, Settings
from models.directory import officials_with_roles, with_deputies
from models.lifecycle import Status
from models.notification import NotificationPayload
from models.outbox import Recipient, enqueue
from models.privacy import shown_text
from models.tables import Complaint, Official, is_open
from models.workdays import WorkingCalendar

LISTED = 10
SUBJECT_CHARS = 60
DAYS = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
ON_TIME_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Overdue:
    code: str
    agency: str | None
    subject: str
    days_late: int


@dataclass(frozen=True)
class Ranked:
    agency: str
    name: str
    overdue: int
    on_time_pct: float | None


@dataclass(frozen=True)
class RoleDigest:
    title: str
    overdue: list[Overdue]
    ranking: list[Ranked]
    filed_week: int
    filed_before: int
    answered_week: int
    answered_before: int
    link: str

    @property
    def count(self) -> int:
        return len(self.overdue)

    @property
    def empty(self) -> bool:
        return not self.overdue and not self.filed_week and not self.answered_week


def digest_due(settings: Settings, calendar: WorkingCalendar, now: datetime) -> bool:
    """Daily: every working morning. Weekly: the configured weekday (or the next working day after it)."""
    today = calendar.local_date(now)
    if settings.notifier.digest_frequency == "daily":
        return True
    start = today - timedelta(days=(today.weekday() - settings.notifier.digest_weekday) % 7)
    first_working = calendar.add_working_days(start, 0)
    return today == first_working


def role_digest(session: Session, settings: Settings, calendar: WorkingCalendar, now: datetime, title: str,
                agency: str | None = None, triage: bool = False) -> RoleDigest:
    scope: list[Any] = [Complaint.agency_code == agency] if agency else []
    if triage:
        scope = [Complaint.status == Status.RECEIVED.value]
    late = _overdue(session, calendar, now, scope, triage)
    ranking = [] if agency or triage else agency_ranking(session, settings, now)
    week, before = now - timedelta(days=7), now - timedelta(days=14)
    filed_week, filed_before = _between(session, Complaint.created_at, scope, week, now, before)
    answered_week, answered_before = _between(session, Complaint.answered_at, scope, week, now, before)
    base = settings.region.dashboard_url.rstrip("/")
    link = f"{base}/dashboard/?overdue=1" + (f"&agency={agency}" if agency else "")
    if triage:
        link = f"{base}/dashboard/?status=received"
    return RoleDigest(title, late, ranking, filed_week, filed_before, answered_week, answered_before, link)


def _overdue(session: Session, calendar: WorkingCalendar, now: datetime, scope: list[Any],
             triage: bool) -> list[Overdue]:
    deadline = Complaint.verify_due_at if triage else Complaint.answer_due_at
    query = (select(Complaint).where(is_open(), deadline < now, *scope)
             .order_by(deadline, Complaint.created_at, Complaint.id))
    found = []
    for complaint in session.scalars(query):
        due = complaint.verify_due_at if triage else complaint.answer_due_at
        assert due is not None
        days = calendar.working_days_elapsed(due, now)
        found.append(Overdue(complaint.code, complaint.agency_code, subject_of(complaint), days))
    return found


def subject_of(complaint: Complaint) -> str:
    """A subject line an official recognises; nothing of a confidential report, no hidden reporter's name."""
    if complaint.confidential:
        return "(laporan rahasia)"
    text = " ".join(shown_text(complaint).split())
    return text if len(text) <= SUBJECT_CHARS else text[:SUBJECT_CHARS - 1].rstrip() + "…"


def agency_ranking(session: Session, settings: Settings, now: datetime) -> list[Ranked]:
    """Regional agencies with overdue work or recent answers: most overdue first, then the lowest on-time rate."""
    overdue: dict[str, int] = {str(code): int(count) for code, count in session.execute(
        select(Complaint.agency_code, func.count(Complaint.id))
        .where(is_open(), Complaint.answer_due_at < now, Complaint.agency_code.is_not(None))
        .group_by(Complaint.agency_code))}
    on_time_rows: list[Any] = list(session.execute(
        select(Complaint.agency_code, func.count(Complaint.id),
               func.sum(case((Complaint.answered_at <= Complaint.answer_due_at, 1), else_=0)))
        .where(Complaint.answered_at >= now - ON_TIME_WINDOW, Complaint.agency_code.is_not(None))
        .group_by(Complaint.agency_code)))
    on_time = {code: round(100 * int(good or 0) / int(total), 1) for code, total, good in on_time_rows if total}
    ranked = [Ranked(a.code, a.name, int(overdue.get(a.code, 0)), on_time.get(a.code))
              for a in settings.agencies if a.kind == "regional" and (a.code in overdue or a.code in on_time)]
    return sorted(ranked, key=lambda r: (-r.overdue, 101.0 if r.on_time_pct is None else r.on_time_pct, r.name))


def _between(session: Session, column: Any, scope: list[Any], week: datetime, now: datetime,
             before: datetime) -> tuple[int, int]:
    row = session.execute(select(
        func.sum(case(((column > week) & (column <= now), 1), else_=0)),
        func.sum(case(((column > before) & (column <= week), 1), else_=0)),
    ).where(column > before, *scope)).one()
    return int(row[0] or 0), int(row[1] or 0)


def local_day(day: date) -> str:
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def digest_text(result: RoleDigest, day: date) -> str:
    lines = [f"{result.title} · {local_day(day)}"]
    lines.append(f"{result.count} laporan lewat batas waktu" + (":" if result.overdue else "."))
    for item in result.overdue[:LISTED]:
        owner = f"{item.agency}, " if item.agency else ""
        lines.append(f"- {item.code} ({owner}lewat {item.days_late} hari kerja) {item.subject}")
    if result.count > LISTED:
        lines.append(f"…dan {result.count - LISTED} lainnya di dasbor.")
    if result.ranking:
        lines.append("Peringkat instansi (lewat batas · tepat waktu 30 hari):")
        for place, rank in enumerate(result.ranking, start=1):
            pct = "-" if rank.on_time_pct is None else f"{rank.on_time_pct:.0f}%"
            lines.append(f"{place}. {rank.name}: {rank.overdue} · {pct}")
    lines.append(f"7 hari terakhir: {result.filed_week} masuk ({_change(result.filed_week, result.filed_before)}), "
                 f"{result.answered_week} dijawab ({_change(result.answered_week, result.answered_before)})")
    lines.append(f"Buka: {result.link}")
    return "\n".join(lines)


def _change(now: int, before: int) -> str:
    difference = now - before
    sign = "+" if difference > 0 else ""
    return f"{sign}{difference} dari minggu lalu"


def queue_role_digests(session: Session, settings: Settings, calendar: WorkingCalendar, now: datetime,
                       leaders_note: str = "") -> int:
    """One digest per recipient role; an empty one is not sent. `leaders_note` (e.g. the Ombudsman
    referrals) is appended to the leaders' digest and makes it worth sending on its own."""
    if not digest_due(settings, calendar, now):
        return 0
    day = calendar.local_date(now)
    region = settings.region.short_name
    queued = 0
    plans: list[tuple[set[str], str | None, RoleDigest]] = [
        ({Role.REGIONAL_HEAD.value, Role.SEKDA.value, Role.INSPECTORATE.value}, None,
         role_digest(session, settings, calendar, now, f"Ringkasan aduan {region}")),
        ({Role.TRIAGE.value}, None,
         role_digest(session, settings, calendar, now, f"Antrean verifikasi {region}", triage=True)),
    ]
    for agency in settings.agencies:
        if agency.kind == "regional":
            plans.append(({Role.HEAD.value}, agency.code,
                          role_digest(session, settings, calendar, now, f"Aduan {agency.name}", agency=agency.code)))
    for index, (roles, agency_code, result) in enumerate(plans):
        note = leaders_note if index == 0 else ""
        if result.empty and not note:
            continue
        text = digest_text(result, day) + note
        variables = {"agency": agency_code or region, "count": result.count}
        for official in with_deputies(session, settings, officials_with_roles(session, roles, agency_code), day):
            queued += _queue(session, official, f"digest:{day}:{agency_code or sorted(roles)[0]}", text, now,
                             variables)
    return queued


def _queue(session: Session, official: Official, key: str, text: str, now: datetime,
           variables: dict[str, Any]) -> int:
    payload: NotificationPayload = {"text": text, "variables": variables}
    for contact in official.contacts:
        enqueue(session, recipient=Recipient("official", official.id, contact.channel, contact.address),
                purpose="digest", payload=payload, dedup_key=f"{key}:official-{official.id}:{contact.channel}",
                now=now)
    return len(official.contacts)
