"""The escalation sweep: who hears about a complaint nobody acted on, and when.

The ladder (ARCADUMAS style), with the policy snapshotted on the complaint at dispatch (`complaint.sla`):

* level 0 at dispatch: the agency's admins (queued by the Desk itself);
* level 1 when not acknowledged by `ack_due_at`: the agency head;
* level 2 when not answered by `answer_due_at`: the regional head, the sekda and the inspectorate;
* then a reminder every `reminder_every_days` working days, up to `reminder_cap` (levels 3, 4, ...);
* a complaint left unverified in triage past `verify_due_at`: the Diskominfo head and the sekda.

`complaints.next_escalation_at` is the only trigger: the sweep reads the due rows through its index,
so the cost follows the due work, not the size of the table. Each complaint is handled in its own
transaction (row locked, due-ness re-checked), writes its audit event and its outbox rows together,
and moves `next_escalation_at` on; dedup keys built from the deadline make a repeated sweep a no-op.
Outside office hours a non-emergency step is deferred to the next office moment instead of sent.
Answered complaints whose reply window ran out are closed by the system.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.config import Role, Settings
from models.db import transaction
from models.desk import Desk, may_hear_about
from models.directory import officials_with_roles
from models.lifecycle import Status
from models.notices import local_date_text, official_alert, triage_alert
from models.outbox import Recipient, enqueue
from models.permissions import SYSTEM
from models.tables import Complaint, Official
from models.workdays import WorkingCalendar

log = logging.getLogger("aduan.escalation")

LEVEL_HEAD = 1
LEVEL_REGION = 2
REGION_ROLES = {Role.REGIONAL_HEAD.value, Role.SEKDA.value, Role.INSPECTORATE.value}
UNANSWERED = frozenset({Status.DISPATCHED, Status.IN_PROGRESS, Status.COORDINATING, Status.REOPENED})
AUTO_CLOSE_NOTE = "ditutup otomatis: tidak ada tanggapan pelapor dalam batas waktu"


@dataclass
class SweepReport:
    escalated: int = 0
    deferred: int = 0
    closed: int = 0
    codes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    level: int
    purpose: str
    heading: str
    deadline: datetime


def sweep(sessions: sessionmaker[Session], settings: Settings, calendar: WorkingCalendar, now: datetime,
          batch_size: int = 500) -> SweepReport:
    """One pass over everything due at `now`: escalations, deferrals and auto-closes."""
    report = SweepReport()
    seen: set[int] = set()
    while True:
        # Handled rows leave the due range (their trigger moves on); `seen` only guards against a row
        # another notifier holds locked right now, which must not be retried in a loop.
        with sessions() as session:
            ids = [i for i in _due_ids(session, now, batch_size + len(seen)) if i not in seen]
        if not ids:
            break
        for complaint_id in ids:
            seen.add(complaint_id)
            _escalate_one(sessions, settings, calendar, now, complaint_id, report)
    with sessions() as session:
        expired = list(session.scalars(select(Complaint.id).where(
            Complaint.status == Status.ANSWERED.value, Complaint.reply_due_at <= now)))
    for complaint_id in expired:
        _close_one(sessions, settings, calendar, now, complaint_id, report)
    return report


def _due_ids(session: Session, now: datetime, limit: int) -> list[int]:
    # Range scan on ix_complaints_next_escalation: only due rows are ever read.
    query = (select(Complaint.id).where(Complaint.next_escalation_at <= now)
             .order_by(Complaint.next_escalation_at, Complaint.id).limit(limit))
    return list(session.scalars(query))


def _locked(session: Session, query: Any) -> Complaint | None:
    if session.get_bind().dialect.name == "postgresql":
        # Another notifier's sweep holding the row skips it; SQLite writers are serialised already.
        query = query.with_for_update(skip_locked=True)
    result: Complaint | None = session.scalars(query).first()
    return result


def _escalate_one(sessions: sessionmaker[Session], settings: Settings, calendar: WorkingCalendar,
                  now: datetime, complaint_id: int, report: SweepReport) -> None:
    with transaction(sessions) as session:
        complaint = _locked(session, select(Complaint).where(
            Complaint.id == complaint_id, Complaint.next_escalation_at <= now))
        if complaint is None:
            return
        Ladder(Desk(session, settings, calendar, now), complaint).advance(report)


def _close_one(sessions: sessionmaker[Session], settings: Settings, calendar: WorkingCalendar,
               now: datetime, complaint_id: int, report: SweepReport) -> None:
    with transaction(sessions) as session:
        complaint = _locked(session, select(Complaint).where(
            Complaint.id == complaint_id, Complaint.status == Status.ANSWERED.value,
            Complaint.reply_due_at <= now))
        if complaint is None:
            return
        Desk(session, settings, calendar, now).close(complaint, SYSTEM, AUTO_CLOSE_NOTE)
        report.closed += 1
        log.info("auto-closed code=%s reply_due_at=%s", complaint.code, complaint.reply_due_at)


class Ladder:
    """One complaint's next rung: decide, notify, audit, and set the next trigger."""

    def __init__(self, desk: Desk, complaint: Complaint) -> None:
        self.desk = desk
        self.complaint = complaint
        self.now = desk.now
        self.sla: dict[str, Any] = complaint.sla or _default_sla(desk.settings)

    def advance(self, report: SweepReport) -> None:
        moment = self.desk.escalation_moment(self.now, self.sla)
        if moment is not None and moment > self.now:
            # Escalations wait for office hours on working days; emergencies never wait.
            self.complaint.next_escalation_at = moment
            report.deferred += 1
            log.info("escalation deferred code=%s until=%s", self.complaint.code, moment.isoformat())
            return
        for _ in range(3):  # at most: head, region, first reminder overdue at once
            step = self.next_step()
            if step is None or step.deadline > self.now:
                break
            self.take(step)
            report.escalated += 1
            report.codes.append(self.complaint.code)
        self.complaint.next_escalation_at = self.next_trigger()

    def next_step(self) -> Step | None:
        c = self.complaint
        status = Status(c.status)
        if status == Status.RECEIVED:
            if c.escalation_level == 0 and c.verify_due_at is not None:
                return Step(LEVEL_HEAD, "verify_overdue", "BELUM DIVERIFIKASI lewat batas", c.verify_due_at)
            return None
        if status not in UNANSWERED:
            return None
        if status == Status.DISPATCHED and c.escalation_level == 0 and c.ack_due_at is not None:
            return Step(LEVEL_HEAD, "escalation_head", "ESKALASI: belum diterima (TERIMA) oleh admin", c.ack_due_at)
        if c.escalation_level < LEVEL_REGION and c.answer_due_at is not None:
            return Step(LEVEL_REGION, "escalation_regional", "ESKALASI: belum dijawab lewat batas", c.answer_due_at)
        reminder = c.escalation_level - LEVEL_REGION + 1
        if c.answer_due_at is not None and reminder <= int(self.sla.get("reminder_cap", 0)):
            cap = int(self.sla["reminder_cap"])
            return Step(c.escalation_level + 1, "reminder", f"PENGINGAT {reminder}/{cap}: belum dijawab",
                        self._reminder_due())
        return None

    def next_trigger(self) -> datetime | None:
        step = self.next_step()
        if step is None:
            return None
        return self.desk.escalation_moment(step.deadline, self.sla)

    def take(self, step: Step) -> None:
        officials = [o for o in self._recipients(step) if may_hear_about(o, self.complaint)]
        payload = self._payload(step)
        deadline_key = step.deadline.strftime("%Y%m%dT%H%MZ")
        for official in officials:
            for recipient in _reachable(official):
                key = (f"{self.complaint.code}:{step.purpose}:{step.level}:official-{official.id}:"
                       f"{recipient.channel}:{deadline_key}")
                enqueue(self.desk.session, recipient=recipient, purpose=step.purpose, payload=payload,
                        dedup_key=key, now=self.now, complaint_id=self.complaint.id, level=step.level)
        ids = [official.id for official in officials]
        data = {"level": step.level, "purpose": step.purpose, "deadline": step.deadline.isoformat(),
                "recipients": ids}
        self.desk.record_escalation(self.complaint, step.level, step.heading, data)
        log.info("escalated code=%s level=%d purpose=%s recipients=%s", self.complaint.code, step.level,
                 step.purpose, ",".join(ids) or "-")

    def _recipients(self, step: Step) -> list[Official]:
        session, agency = self.desk.session, self.complaint.agency_code
        if step.purpose == "verify_overdue":
            heads = officials_with_roles(session, {Role.HEAD.value}, "DISKOMINFO")
            return heads + officials_with_roles(session, {Role.SEKDA.value})
        if step.level == LEVEL_HEAD:
            return officials_with_roles(session, {Role.HEAD.value}, agency)
        region = officials_with_roles(session, REGION_ROLES)
        if step.purpose == "reminder":
            return officials_with_roles(session, {Role.ADMIN.value, Role.HEAD.value}, agency) + region
        return region

    def _payload(self, step: Step) -> dict[str, Any]:
        c, zone = self.complaint, self.desk.calendar.zone
        if step.purpose == "verify_overdue":
            payload = triage_alert(c, f"belum diverifikasi; batas {local_date_text(c.verify_due_at, zone)}", zone)
            payload["text"] = f"{step.heading}\n" + payload["text"]
        else:
            agency_name = self.desk.settings.agency(c.agency_code).name if c.agency_code else "-"
            payload = official_alert(c, agency_name, step.heading, zone)
        lines = payload["text"].split("\n")
        lines.insert(1, f"Umur: {self._age_text()}")
        payload["text"] = "\n".join(lines)
        payload["variables"] = {**payload.get("variables", {}), "level": step.level}
        return payload

    def _age_text(self) -> str:
        calendar = self.desk.calendar
        working = calendar.working_days_elapsed(self.complaint.created_at, self.now)
        filed = calendar.local(self.complaint.created_at).strftime("%d-%m-%Y %H:%M")
        return f"{working} hari kerja (masuk {filed})"

    def _reminder_due(self) -> datetime:
        """N working days after the last escalation step, at the start of office hours."""
        calendar = self.desk.calendar
        every = int(self.sla.get("reminder_every_days", 2))
        last = self._last_escalation_at()
        day = calendar.add_working_days(calendar.local_date(last), every)
        if self.sla.get("emergency"):
            return datetime.combine(day, calendar.local(last).time(), calendar.zone).astimezone(UTC)
        return calendar.next_office_moment(datetime.combine(day, time(0), calendar.zone))

    def _last_escalation_at(self) -> datetime:
        for event in reversed(self.complaint.events):
            if event.action == "escalate":
                return event.at
        return self.complaint.answer_due_at or self.now


def _reachable(official: Official) -> list[Recipient]:
    """Every contact of the official, skipping ones marked unreachable while another one still works."""
    contacts = [c for c in official.contacts if c.unreachable_at is None] or list(official.contacts)
    return [Recipient("official", official.id, c.channel, c.address) for c in contacts]


def _default_sla(settings: Settings) -> dict[str, Any]:
    sla = settings.sla
    return {"verify_days": sla.verify_days, "ack_days": sla.ack_days, "answer_days": sla.answer_days,
            "reply_window_days": sla.reply_window_days, "reminder_every_days": sla.reminder_every_days,
            "reminder_cap": sla.reminder_cap, "emergency": False}
