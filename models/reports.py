"""Daily digests and the monthly recap: aggregate SQL, then small texts.

Counts are computed by the database (GROUP BY with conditional sums over open complaints, or over
one month of complaints), so a digest costs the open work, not the table's history. Medians are the
one thing SQLite cannot aggregate: only the two duration columns of one month are read for them.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import Session

from models.config import REGIONAL_LEADERSHIP, Role, Settings
from models.directory import officials_with_roles
from models.lifecycle import Status
from models.notification import NotificationPayload
from models.outbox import Recipient, enqueue
from models.tables import Complaint, Official, is_open
from models.workdays import WorkingCalendar

OLDEST = 10
STATUS_GROUPS = {
    Status.ANSWERED.value: "resolved", Status.CLOSED.value: "resolved",
    Status.COORDINATING.value: "coordinating",
    Status.REJECTED.value: "rejected", Status.FORWARDED.value: "forwarded",
}


@dataclass(frozen=True)
class AgencyLine:
    agency: str
    new: int
    due_today: int
    overdue: int

    @property
    def empty(self) -> bool:
        return not (self.new or self.due_today or self.overdue)


@dataclass(frozen=True)
class Digest:
    day: date
    lines: list[AgencyLine]
    oldest: list[tuple[str, str, int]]  # (code, agency, age in working days)

    @property
    def empty(self) -> bool:
        return all(line.empty for line in self.lines)


def digest(session: Session, calendar: WorkingCalendar, now: datetime, agency: str | None = None) -> Digest:
    """Per agency: new since the previous working day, due by tonight, overdue; and the oldest open ten."""
    today = calendar.local_date(now)
    since = _start_of(calendar, _previous_working_day(calendar, today))
    end_of_today = _start_of(calendar, today + timedelta(days=1))
    open_now = is_open()
    query = (
        select(
            Complaint.agency_code,
            func.sum(case((Complaint.dispatched_at >= since, 1), else_=0)),
            func.sum(case(((Complaint.answer_due_at > now) & (Complaint.answer_due_at <= end_of_today), 1),
                          else_=0)),
            func.sum(case((Complaint.answer_due_at <= now, 1), else_=0)),
        )
        .where(open_now, Complaint.agency_code.is_not(None))
        .group_by(Complaint.agency_code)
        .order_by(Complaint.agency_code)
    )
    oldest_query = (select(Complaint.code, Complaint.agency_code, Complaint.created_at)
                    .where(open_now).order_by(Complaint.created_at, Complaint.id).limit(OLDEST))
    if agency is not None:
        query = query.where(Complaint.agency_code == agency)
        oldest_query = oldest_query.where(Complaint.agency_code == agency)
    counted: list[Any] = list(session.execute(query))
    lines = [AgencyLine(code, int(new or 0), int(due or 0), int(late or 0)) for code, new, due, late in counted]
    oldest = [(code, owner or "triase", calendar.working_days_elapsed(created, now))
              for code, owner, created in session.execute(oldest_query)]
    return Digest(today, lines, oldest)


def digest_text(result: Digest, settings: Settings, title: str) -> str:
    lines = [f"{title} {result.day.strftime('%d-%m-%Y')}", "Instansi: baru / jatuh tempo hari ini / terlambat"]
    lines += [f"- {line.agency}: {line.new} / {line.due_today} / {line.overdue}"
              for line in result.lines if not line.empty]
    if result.oldest:
        lines.append(f"{len(result.oldest)} laporan terbuka tertua:")
        lines += [f"- {code} ({agency}) {age} hari kerja" for code, agency, age in result.oldest]
    lines.append(f"Dasbor: {settings.region.dashboard_url}")
    return "\n".join(lines)


def queue_digests(session: Session, settings: Settings, calendar: WorkingCalendar, now: datetime) -> int:
    """The regional head's overview and each agency head's own list; empty digests are not sent."""
    queued = 0
    overview = digest(session, calendar, now)
    referred = ombudsman_referrals(session, _start_of(calendar, _previous_working_day(calendar, overview.day)), now)
    if not overview.empty or referred:
        text = digest_text(overview, settings, "Ringkasan aduan") + referral_text(referred)
        for official in officials_with_roles(session, {Role.REGIONAL_HEAD.value}):
            queued += _queue(session, official, "digest", f"digest:{overview.day}:region", text, now,
                             _digest_variables(settings.region.short_name, overview))
    if referred:  # the Inspectorate supervises the offices a citizen had to take to the Ombudsman
        text = f"Rujukan Ombudsman {overview.day.strftime('%d-%m-%Y')}" + referral_text(referred)
        for official in officials_with_roles(session, {Role.INSPECTORATE.value}):
            queued += _queue(session, official, "digest", f"digest:{overview.day}:ombudsman", text, now,
                             {"agency": "Ombudsman", "count": len(referred)})
    for line in overview.lines:
        if line.empty:
            continue
        own = digest(session, calendar, now, agency=line.agency)
        text = digest_text(own, settings, f"Aduan {line.agency}")
        for official in officials_with_roles(session, {Role.HEAD.value}, line.agency):
            queued += _queue(session, official, "digest", f"digest:{own.day}:{line.agency}", text, now,
                             _digest_variables(line.agency, own))
    return queued


def ombudsman_referrals(session: Session, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Complaints citizens took to the Ombudsman in [start, end): code, agency, office, when."""
    rows = session.execute(
        select(Complaint.code, Complaint.agency_code, Complaint.ombudsman_office, Complaint.ombudsman_referred_at)
        .where(Complaint.ombudsman_referred_at >= start, Complaint.ombudsman_referred_at < end)
        .order_by(Complaint.ombudsman_referred_at, Complaint.id))
    return [{"code": code, "agency": agency or "triase", "office": office, "at": at.isoformat() if at else None}
            for code, agency, office, at in rows]


def referral_text(referred: list[dict[str, Any]]) -> str:
    if not referred:
        return ""
    lines = [f"\nDirujuk ke Ombudsman: {len(referred)} laporan"]
    lines += [f"- {item['code']} ({item['agency']}) ke {item['office']}" for item in referred[:OLDEST]]
    return "\n".join(lines)


def _queue(session: Session, official: Official, purpose: str, key: str, text: str, now: datetime,
           variables: dict[str, Any] | None = None) -> int:
    payload: NotificationPayload = {"text": text, "variables": variables or {}}
    for contact in official.contacts:
        enqueue(session, recipient=Recipient("official", official.id, contact.channel, contact.address),
                purpose=purpose, payload=payload, dedup_key=f"{key}:official-{official.id}:{contact.channel}",
                now=now)
    return len(official.contacts)


def _digest_variables(agency: str, result: Digest) -> dict[str, Any]:
    """For WhatsApp templates outside the 24-hour window: who, and how many need attention."""
    return {"agency": agency, "count": sum(line.new + line.due_today + line.overdue for line in result.lines)}


# --- monthly recap --------------------------------------------------------------------------


def month_bounds(calendar: WorkingCalendar, month: str) -> tuple[datetime, datetime]:
    first = date.fromisoformat(f"{month}-01")
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return _start_of(calendar, first), _start_of(calendar, following)


def monthly_recap(session: Session, calendar: WorkingCalendar, month: str) -> dict[str, Any]:
    """Counts per agency x category x status group, and per agency: medians, on-time share, satisfaction."""
    start, end = month_bounds(calendar, month)
    in_month = (Complaint.created_at >= start) & (Complaint.created_at < end)
    counts = session.execute(
        select(Complaint.agency_code, Complaint.category, Complaint.status, func.count(Complaint.id))
        .where(in_month).group_by(Complaint.agency_code, Complaint.category, Complaint.status)
    ).all()
    grouped: dict[tuple[str, str, str], int] = {}
    for agency, category, status, count in counts:
        key = (agency or "triase", category or "-", STATUS_GROUPS.get(status, "in_progress"))
        grouped[key] = grouped.get(key, 0) + int(count)
    rows = [{"agency": a, "category": c, "status": s, "count": n} for (a, c, s), n in sorted(grouped.items())]
    return {"month": month, "timezone": calendar.zone.key, "counts": rows,
            "agencies": _agency_metrics(session, in_month),
            "ombudsman_referrals": ombudsman_referrals(session, start, end)}


def _agency_metrics(session: Session, in_month: Any) -> list[dict[str, Any]]:
    on_time = func.sum(case((Complaint.answered_at <= Complaint.answer_due_at, 1), else_=0))
    answered = func.count(Complaint.answered_at)
    summary: list[Any] = session.execute(
        select(Complaint.agency_code, func.count(Complaint.id), answered, on_time, func.avg(Complaint.rating),
               func.sum(func.cast(Complaint.satisfied, Integer)), func.count(Complaint.satisfied))
        .where(in_month, Complaint.agency_code.is_not(None)).group_by(Complaint.agency_code)
        .order_by(Complaint.agency_code)
    ).all()  # type: ignore[assignment]
    durations = _durations(session, in_month)
    result = []
    for agency, total, answered_n, on_time_n, rating, satisfied, rated in summary:
        ack, ans = durations.get(agency, ([], []))
        result.append({
            "agency": agency, "complaints": int(total), "answered": int(answered_n),
            "median_hours_to_acknowledge": _median(ack), "median_hours_to_answer": _median(ans),
            "answered_within_deadline": round(int(on_time_n or 0) / answered_n, 3) if answered_n else None,
            "average_rating": round(float(rating), 2) if rating is not None else None,
            "satisfied_share": round(int(satisfied or 0) / rated, 3) if rated else None,
        })
    return result


def _durations(session: Session, in_month: Any) -> dict[str, tuple[list[float], list[float]]]:
    rows: list[Any] = list(session.execute(
        select(Complaint.agency_code, Complaint.dispatched_at, Complaint.acknowledged_at, Complaint.answered_at)
        .where(in_month, Complaint.dispatched_at.is_not(None))
    ))
    found: dict[str, tuple[list[float], list[float]]] = {}
    for agency, dispatched, acknowledged, answered in rows:
        ack, ans = found.setdefault(agency, ([], []))
        if acknowledged is not None:
            ack.append((acknowledged - dispatched).total_seconds() / 3600)
        if answered is not None:
            ans.append((answered - dispatched).total_seconds() / 3600)
    return found


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def recap_text(recap: dict[str, Any], settings: Settings) -> str:
    lines = [f"Rekap bulanan aduan {recap['month']} ({settings.region.short_name})"]
    for row in recap["agencies"]:
        lines.append(
            f"- {row['agency']}: {row['complaints']} aduan, {row['answered']} dijawab, tepat waktu "
            f"{_percent(row['answered_within_deadline'])}, median jawab {row['median_hours_to_answer'] or '-'} jam, "
            f"puas {_percent(row['satisfied_share'])}")
    referred = recap.get("ombudsman_referrals") or []
    if referred:
        lines.append(referral_text(referred).strip())
    lines.append(f"Dasbor: {settings.region.dashboard_url}")
    return "\n".join(lines)


def queue_monthly_recap(session: Session, settings: Settings, calendar: WorkingCalendar, now: datetime) -> int:
    """On the first working day of a month: last month's recap to the regional roles."""
    today = calendar.local_date(now)
    if today != first_working_day(calendar, today.year, today.month):
        return 0
    previous = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    recap = monthly_recap(session, calendar, previous)
    if not recap["counts"] and not recap["ombudsman_referrals"]:
        return 0
    text = recap_text(recap, settings)
    queued = 0
    for official in officials_with_roles(session, REGIONAL_LEADERSHIP):
        queued += _queue(session, official, "recap", f"recap:{previous}", text, now)
    return queued


def first_working_day(calendar: WorkingCalendar, year: int, month: int) -> date:
    return calendar.add_working_days(date(year, month, 1), 0)


def _previous_working_day(calendar: WorkingCalendar, day: date) -> date:
    current = day - timedelta(days=1)
    while not calendar.is_working_day(current):
        current -= timedelta(days=1)
    return current


def _start_of(calendar: WorkingCalendar, day: date) -> datetime:
    return datetime.combine(day, time(0), calendar.zone)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"
