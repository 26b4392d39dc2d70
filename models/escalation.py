"""The escalation sweep: who hears about a complaint nobody acted on, and when.

The ladder (ARCADUMAS style), with the policy snapshotted on the complaint at dispatch (`complaint.sla`):

* level 0 at dispatch: the agency's admins (queued by the Desk itself);
* level 1 when not acknowledged by `ack_due_at`: the agency head;
* level 2 when not answered by `answer_due_at`: the regional head, the sekda and the inspectorate;
* then a reminder every `reminder_every_days` working days, up to `reminder_cap` (levels 3, 4, ...);
* a complaint left unverified in triage past `verify_due_at`: the Diskominfo head and the sekda.

Outside office hours a non-emergency step is deferred to the next office moment instead of sent; an
emergency (`complaints.emergency`, or an emergency policy) climbs at its deadline, day or night, and its
alerts are urgent in the outbox.
Answered complaints whose reply window ran out are closed by the system.

The sweep works on sets, not rows. `complaints.next_escalation_at` is the only trigger: each batch claims
up to `batch_size` due complaints through its index (so the cost follows the due work, not the table) in
one transaction, locked with FOR UPDATE SKIP LOCKED on PostgreSQL (a second notifier takes other rows;
SQLite's writer queue serialises the batches). A few reads (the due rows with the reporter's name, the
last step of those owing a reminder, the directory) give everything the rungs need; they are decided in
memory, with the calendar's answers kept per day for the whole pass (deadlines and office hours are per
day, not per complaint); then one statement per table writes the batch: the audit events, the outbox
rows and one UPDATE moving every claimed complaint's trigger. A crash rolls the whole batch back; dedup
keys built from the deadline make a repeated pass a no-op. What the regional leaders must hear is
bundled: one message per person per pass (`models/bundles.py`).
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import DateTime, Text, cast, func, select, type_coerce
from sqlalchemy.orm import Session, sessionmaker

from models import bundles
from models.bulk import insert_rows, update_rows
from models.config import REGIONAL_LEADERSHIP, Role, Settings
from models.db import transaction
from models.desk import Desk, may_hear_about
from models.lifecycle import Status
from models.notices import local_date_text, official_alert, summary, triage_alert
from models.notification import as_payload
from models.outbox import CallbackTokens, Recipient, outbox_row
from models.permissions import SYSTEM
from models.tables import Complaint, ComplaintEvent, Notification, Official, OfficialContact, Reporter
from models.workdays import WorkingCalendar

log = logging.getLogger("aduan.escalation")

LEVEL_HEAD = 1
LEVEL_REGION = 2
REGION_ROLES = frozenset(role.value for role in REGIONAL_LEADERSHIP)
HEAD_ROLE = frozenset({Role.HEAD.value})
SEKDA_ROLE = frozenset({Role.SEKDA.value})
AGENCY_ROLES = frozenset({Role.ADMIN.value, Role.HEAD.value})
STATUSES = {status.value: status for status in Status}  # a dict lookup per claimed row, not an enum call
UNANSWERED = frozenset({Status.DISPATCHED, Status.IN_PROGRESS, Status.COORDINATING, Status.REOPENED})
AUTO_CLOSE_NOTE = "ditutup otomatis: tidak ada tanggapan pelapor dalam batas waktu"
STEPS_PER_PASS = 3  # at most: head, region, first reminder overdue at once
BUNDLE_SUBJECT_CHARS = 70
# Complaints per batch (one transaction). SQLite's batch holds the one writer lock, so every other writer
# (the webhook) waits for it: kept short. PostgreSQL locks only the claimed rows, and a batch's fixed costs
# (claim, directory, commit) weigh less in a larger one: 1,000 took 6 % less client and 4 % less server CPU
# than 500 for the bench's 10,000 due (bench/escalation.py, alternating runs, load 4.5).
BATCH_SIZE = {"sqlite": 500, "postgresql": 1000}


@dataclass
class SweepReport:
    escalated: int = 0
    deferred: int = 0
    closed: int = 0
    bundled: int = 0  # messages queued to regional leaders, one per person per pass
    codes: list[str] = field(default_factory=list)


class Step(NamedTuple):  # immutable and cheap to build: up to four per due complaint
    level: int
    purpose: str
    heading: str
    deadline: datetime


@dataclass(frozen=True, slots=True)
class ReporterName:
    name: str | None
    provider_id: str


@dataclass(slots=True)
class Due:
    """What the sweep reads of one due complaint (enough for the alert texts: see `AlertSubject`)."""

    id: int
    code: str
    kind: str
    status: Status
    text: str
    agency_code: str | None
    anonymous: bool
    confidential: bool
    misconduct: bool
    subject_agency_code: str | None  # the office a misconduct report accuses hears nothing of it
    masked_text: str | None
    location_text: str | None
    latitude: float | None
    longitude: float | None
    created_at: datetime
    verify_due_at: datetime | None
    ack_due_at: datetime | None
    answer_due_at: datetime | None
    sla: dict[str, Any] | None  # the policy snapshotted at dispatch; the ladder fills in the default
    level: int
    reporter: ReporterName
    emergency: bool = False
    last_escalation_at: datetime | None = None


class Rung(NamedTuple):
    """The decision for one due complaint: the steps taken now and the next trigger."""

    due: Due
    steps: tuple[Step, ...]
    level: int
    next_at: datetime | None
    deferred: bool = False


def sweep(sessions: sessionmaker[Session], settings: Settings, calendar: WorkingCalendar, now: datetime,
          batch_size: int | None = None) -> SweepReport:
    """One pass over everything due at `now`: escalations, deferrals, auto-closes, then the bundles.
    `batch_size`: complaints per transaction, by default the database's `BATCH_SIZE`."""
    batch_size = batch_size or default_batch_size(sessions)
    report = SweepReport()
    ladder = Ladder(settings, calendar, now)
    # Rows this pass left due (more steps overdue than one pass takes) wait for the next pass.
    left_due: set[int] = set()
    while _escalate_batch(sessions, ladder, batch_size, left_due, report):
        pass
    while _close_batch(sessions, settings, calendar, now, batch_size, report):
        pass
    with _collecting_cycles_afterwards():  # every held row's items are decoded and folded at once
        report.bundled = bundles.release(sessions, settings.region.dashboard_url, now)
    return report


def default_batch_size(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return BATCH_SIZE.get(session.get_bind().dialect.name, min(BATCH_SIZE.values()))


# --- one batch ------------------------------------------------------------------------------------


def _escalate_batch(sessions: sessionmaker[Session], ladder: Ladder, batch_size: int, left_due: set[int],
                    report: SweepReport) -> bool:
    with _collecting_cycles_afterwards(), transaction(sessions) as session:
        claimed = [due for due in _claim(session, ladder, batch_size + len(left_due)) if due.id not in left_due]
        if not claimed:
            return False
        batch = claimed[:batch_size]
        _read_last_escalations(session, batch)
        writes = BatchWrites(ladder, Directory.read(session, ladder.deputies_today()))
        for due in batch:
            writes.add(ladder.decide(due), report)
        writes.write(session)
        left_due.update(writes.left_due)
    return True


@contextmanager
def _collecting_cycles_afterwards() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one batch. A batch allocates tens of thousands of
    containers (rows, payloads, audit data) that all live until its write and are freed by reference
    counting; the collector would scan them about twenty times per batch for cycles there are none of,
    and now and then scan the whole heap (measured: a tenth of a 10,000-complaint sweep in the bench's
    process). It runs as usual once the batch is done, and collects whatever cycles the batch did make.
    The switch is process-wide: a thread that finds it off leaves it to the one that turned it off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _claim(session: Session, ladder: Ladder, limit: int) -> list[Due]:
    # Range scan on ix_complaints_next_escalation: only due rows are ever read. The SLA comes as its text,
    # decoded once per distinct policy (a region has a handful), not once per row; the instants come naive
    # and are made aware (UTC, as stored) below, in the loop that builds the rows anyway.
    query = (
        select(Complaint.id, Complaint.code, Complaint.kind, Complaint.status, Complaint.text, Complaint.agency_code,
               Complaint.anonymous, Complaint.confidential, Complaint.misconduct, Complaint.subject_agency_code,
               Complaint.masked_text, Complaint.location_text, Complaint.latitude, Complaint.longitude,
               *(type_coerce(column, DateTime()) for column in (Complaint.created_at, Complaint.verify_due_at,
                                                                Complaint.ack_due_at, Complaint.answer_due_at)),
               cast(Complaint.sla, Text), Complaint.escalation_level, Reporter.name,
               Reporter.provider_id, Complaint.emergency)
        .join(Reporter, Reporter.id == Complaint.reporter_id)
        .where(Complaint.next_escalation_at <= ladder.now)
        .order_by(Complaint.next_escalation_at, Complaint.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Another notifier's batch holding a row skips it; SQLite writers are serialised already.
        query = query.with_for_update(skip_locked=True, of=Complaint)
    # Core rows, not the ORM's: nothing here becomes an ORM instance, and the ORM's row loading costs more
    # than the query. Twenty-three columns: wider than SQLAlchemy's typed rows.
    rows: Any = session.connection().execute(query).all()  # one fetchall, not a fetch per row
    sla_of = ladder.sla_of
    return [Due(id_, code, kind, STATUSES.get(status) or Status(status), text, agency, anonymous, confidential,
                misconduct, subject, masked, place, latitude, longitude, created.replace(tzinfo=UTC),
                verify_due and verify_due.replace(tzinfo=UTC), ack_due and ack_due.replace(tzinfo=UTC),
                answer_due and answer_due.replace(tzinfo=UTC), sla_of(sla), level, ReporterName(name, provider),
                bool(emergency))
            for (id_, code, kind, status, text, agency, anonymous, confidential, misconduct, subject, masked, place,
                 latitude, longitude, created, verify_due, ack_due, answer_due, sla, level, name, provider,
                 emergency) in rows]


def _read_last_escalations(session: Session, batch: list[Due]) -> None:
    """When each complaint that may be due a reminder took its last step (reminders count from it)."""
    waiting = {due.id: due for due in batch if due.status in UNANSWERED and due.level >= LEVEL_REGION}
    if not waiting:
        return
    latest = (select(func.max(ComplaintEvent.id))
              .where(ComplaintEvent.action == "escalate", ComplaintEvent.complaint_id.in_(list(waiting)))
              .group_by(ComplaintEvent.complaint_id))
    rows = session.execute(select(ComplaintEvent.complaint_id, ComplaintEvent.at).where(ComplaintEvent.id.in_(latest)))
    for complaint_id, at in rows:
        waiting[complaint_id].last_escalation_at = at


def _close_batch(sessions: sessionmaker[Session], settings: Settings, calendar: WorkingCalendar, now: datetime,
                 batch_size: int, report: SweepReport) -> bool:
    """Answered complaints whose reply window ran out, closed by the system through the Desk."""
    with transaction(sessions) as session:
        query = (select(Complaint).where(Complaint.status == Status.ANSWERED.value, Complaint.reply_due_at <= now)
                 .order_by(Complaint.id).limit(batch_size))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        expired = list(session.scalars(query))
        desk = Desk(session, settings, calendar, now)
        for complaint in expired:
            desk.close(complaint, SYSTEM, AUTO_CLOSE_NOTE)
            log.info("auto-closed code=%s reply_due_at=%s", complaint.code, complaint.reply_due_at)
        report.closed += len(expired)
    return bool(expired)


# --- deciding -------------------------------------------------------------------------------------


class Ladder:
    """The rungs of one pass: pure decisions at `now`, with the calendar's answers kept per day."""

    def __init__(self, settings: Settings, calendar: WorkingCalendar, now: datetime) -> None:
        self.settings = settings
        self.calendar = calendar
        self.now = now
        self.default_sla = _default_sla(settings)
        self.agency_names = {agency.code: agency.name for agency in settings.agencies}
        self._office: dict[datetime, datetime] = {}
        self._reminders: dict[tuple[date, int], datetime] = {}
        self._reminder_after: dict[tuple[datetime, int], datetime] = {}
        self._elapsed: dict[date, int] = {}
        self._policies: dict[str, dict[str, Any]] = {}

    def sla_of(self, stored: str | None) -> dict[str, Any] | None:
        """A complaint's stored policy, decoded once per distinct text for the whole pass. The dicts are
        shared between complaints: the ladder reads them and never changes one (`decide` copies)."""
        if stored is None:
            return None
        policy = self._policies.get(stored)
        if policy is None:
            policy = self._policies[stored] = json.loads(stored)
        return policy

    def deputies_today(self) -> dict[str, list[str]]:
        """Holder -> deputies whose Plt. range (config `deputies`) includes today's local date."""
        today = self.calendar.local_date(self.now)
        found: dict[str, list[str]] = {}
        for deputy in self.settings.deputies:
            if deputy.start <= today <= deputy.end:
                found.setdefault(deputy.holder, []).append(deputy.deputy)
        return found

    def decide(self, due: Due) -> Rung:
        sla = due.sla = due.sla or self.default_sla
        if due.emergency and not sla.get("emergency"):
            # Flagged before any policy was snapshotted (still in triage): it never waits for the office either.
            sla = due.sla = {**sla, "emergency": True}
        moment = self.escalation_moment(self.now, sla)
        if moment is not None and moment > self.now:
            # Escalations wait for office hours on working days; emergencies never wait.
            return Rung(due, (), due.level, moment, deferred=True)
        level, last, steps = due.level, due.last_escalation_at, []
        for _ in range(STEPS_PER_PASS):
            step = self.next_step(due, sla, level, last)
            if step is None or step.deadline > self.now:
                following = step  # the rung not reached yet is the next trigger's
                break
            steps.append(step)
            level, last = step.level, self.now
        else:
            following = self.next_step(due, sla, level, last)
        next_at = self.escalation_moment(following.deadline, sla) if following else None
        return Rung(due, tuple(steps), level, next_at)

    def next_step(self, due: Due, sla: dict[str, Any], level: int, last: datetime | None) -> Step | None:
        if due.status == Status.RECEIVED:
            if level == 0 and due.verify_due_at is not None:
                return Step(LEVEL_HEAD, "verify_overdue", "BELUM DIVERIFIKASI lewat batas", due.verify_due_at)
            return None
        if due.status not in UNANSWERED:
            return None
        if due.status == Status.DISPATCHED and level == 0 and due.ack_due_at is not None:
            return Step(LEVEL_HEAD, "escalation_head", "ESKALASI: belum diterima (TERIMA) oleh admin", due.ack_due_at)
        if level < LEVEL_REGION and due.answer_due_at is not None:
            return Step(LEVEL_REGION, "escalation_regional", "ESKALASI: belum dijawab lewat batas",
                        due.answer_due_at)
        reminder = level - LEVEL_REGION + 1
        if due.answer_due_at is not None and reminder <= int(sla.get("reminder_cap", 0)):
            cap = int(sla["reminder_cap"])
            return Step(level + 1, "reminder", f"PENGINGAT {reminder}/{cap}: belum dijawab",
                        self.reminder_due(sla, last or due.answer_due_at or self.now))
        return None

    def escalation_moment(self, deadline: datetime | None, sla: dict[str, Any]) -> datetime | None:
        """When to act on `deadline`: office hours of a working day, or at once for emergencies."""
        if deadline is None:
            return None
        if sla.get("emergency"):
            return deadline
        moment = self._office.get(deadline)
        if moment is None:
            moment = self._office[deadline] = self.calendar.next_office_moment(deadline)
        return moment

    def reminder_due(self, sla: dict[str, Any], last: datetime) -> datetime:
        """N working days after the last escalation step, at the start of office hours."""
        calendar, every = self.calendar, int(sla.get("reminder_every_days", 2))
        if sla.get("emergency"):
            day = calendar.add_working_days(calendar.local_date(last), every)
            return datetime.combine(day, calendar.local(last).time(), calendar.zone).astimezone(UTC)
        moment = self._reminder_after.get((last, every))  # the same instant again (a shared deadline)
        if moment is not None:
            return moment
        key = (calendar.local_date(last), every)
        moment = self._reminders.get(key)
        if moment is None:
            day = calendar.add_working_days(key[0], every)
            moment = self._reminders[key] = calendar.next_office_moment(datetime.combine(day, time(0), calendar.zone))
        self._reminder_after[(last, every)] = moment
        return moment

    def working_days_since(self, day: date) -> int:
        elapsed = self._elapsed.get(day)
        if elapsed is None:
            elapsed = self._elapsed[day] = self.calendar.working_days_between(day, self.calendar.local_date(self.now))
        return elapsed

    def age_text(self, due: Due) -> str:
        local = self.calendar.local(due.created_at)
        return f"{self.working_days_since(local.date())} hari kerja (masuk {local.strftime('%d-%m-%Y %H:%M')})"

    def agency_name(self, due: Due) -> str | None:
        return self.agency_names[due.agency_code] if due.agency_code else None


# --- who hears about it ---------------------------------------------------------------------------


@dataclass
class Directory:
    """Active officials (in the database's id order, as the one-at-a-time queries returned them) and the
    contacts each can be reached on, read once per batch."""

    officials: list[tuple[str, str, str | None]]  # (id, role, agency)
    contacts: dict[str, list[Recipient]]
    # holder -> the Plt. standing in for them today (config `deputies`)
    deputies: dict[str, list[str]] = field(default_factory=dict)
    _chosen: dict[tuple[frozenset[str], str | None], list[str]] = field(default_factory=dict)
    _heard: dict[tuple[str, int, str | None, str | None], Recipients] = field(default_factory=dict)
    _regional: frozenset[str] | None = None
    _agencies: dict[str, str | None] | None = None

    @classmethod
    def read(cls, session: Session, deputies: dict[str, list[str]] | None = None) -> Directory:
        officials = [(id_, role, agency) for id_, role, agency in session.execute(
            select(Official.id, Official.role, Official.agency_code).where(Official.active.is_(True))
            .order_by(Official.id))]
        everyone: dict[str, list[tuple[str, str, datetime | None]]] = {}
        for official_id, channel, address, unreachable_at in session.execute(
                select(OfficialContact.official_id, OfficialContact.channel, OfficialContact.address,
                       OfficialContact.unreachable_at).order_by(OfficialContact.priority, OfficialContact.id)):
            everyone.setdefault(official_id, []).append((channel, address, unreachable_at))
        active = {id_ for id_, _, _ in officials}
        standing_in = {holder: [d for d in names if d in active] for holder, names in (deputies or {}).items()}
        return cls(officials, {official_id: _reachable(official_id, contacts)
                               for official_id, contacts in everyone.items()}, standing_in)

    def agency_of(self, official_id: str) -> str | None:
        if self._agencies is None:
            self._agencies = {id_: agency for id_, _, agency in self.officials}
        return self._agencies.get(official_id)

    def with_roles(self, roles: frozenset[str], agency: str | None = None) -> list[str]:
        key = (roles, agency)
        chosen = self._chosen.get(key)
        if chosen is None:
            chosen = self._chosen[key] = [official_id for official_id, role, owner in self.officials
                                          if role in roles and (agency is None or owner == agency)]
        return chosen

    def for_step(self, step: Step, agency: str | None) -> list[str]:
        chosen = self._for_step(step, agency)
        if not self.deputies:
            return chosen
        extra = [d for holder in chosen for d in self.deputies.get(holder, []) if d not in chosen]
        return chosen + list(dict.fromkeys(extra))

    def _for_step(self, step: Step, agency: str | None) -> list[str]:
        if step.purpose == "verify_overdue":
            return self.with_roles(HEAD_ROLE, "DISKOMINFO") + self.with_roles(SEKDA_ROLE)
        if step.level == LEVEL_HEAD:
            return self.with_roles(HEAD_ROLE, agency)
        region = self.with_roles(REGION_ROLES)
        if step.purpose == "reminder":
            return self.with_roles(AGENCY_ROLES, agency) + region
        return region

    def recipients(self, step: Step, due: Due) -> Recipients:
        """Who hears of this step: the same for every complaint of one office (and accused office, for
        misconduct) at one rung, so it is worked out once per batch for each of those."""
        key = (step.purpose, step.level, due.agency_code, due.subject_agency_code)
        known = self._heard.get(key)
        if known is None:
            ids = [official_id for official_id in self.for_step(step, due.agency_code)
                   if may_hear_about(self.agency_of(official_id), due)]
            reachable = [official_id for official_id in ids if self.contacts.get(official_id)]
            known = self._heard[key] = Recipients(
                ids, [official_id for official_id in reachable if not self.is_regional(official_id)],
                [official_id for official_id in reachable if self.is_regional(official_id)],
                ",".join(ids) or "-")
        return known

    def is_regional(self, official_id: str) -> bool:
        if self._regional is None:
            self._regional = frozenset(self.with_roles(REGION_ROLES))
        return official_id in self._regional


class Recipients(NamedTuple):
    everyone: list[str]  # the audit event's recipients, reachable or not
    alone: list[str]  # alerted one complaint at a time
    leaders: list[str]  # regional leaders: told in their bundle
    logged: str


def _reachable(official_id: str, contacts: list[tuple[str, str, datetime | None]]) -> list[Recipient]:
    """Every contact of the official, skipping ones marked unreachable while another one still works."""
    usable = [c for c in contacts if c[2] is None] or contacts
    return [Recipient("official", official_id, channel, address) for channel, address, _ in usable]


# --- writing a batch ------------------------------------------------------------------------------


class BatchWrites:
    """Everything one batch writes, collected in memory and written with one statement per table."""

    def __init__(self, ladder: Ladder, directory: Directory) -> None:
        self.ladder = ladder
        self.directory = directory
        self.now = ladder.now
        self.events: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.bundled: dict[str, list[dict[str, Any]]] = {}
        self.left_due: list[int] = []
        self._data: dict[tuple[int, str, datetime, int], dict[str, Any]] = {}
        self._deadline_keys: dict[datetime, str] = {}
        self._tokens = CallbackTokens()

    def add(self, rung: Rung, report: SweepReport) -> None:
        due = rung.due
        if rung.deferred:
            report.deferred += 1
            log.info("escalation deferred code=%s until=%s", due.code, rung.next_at)
        for step in rung.steps:
            self._take(due, step)
            report.escalated += 1
            report.codes.append(due.code)
        self.updates.append({"id": due.id, "next_escalation_at": rung.next_at, "escalation_level": rung.level,
                             "updated_at": self.now if rung.steps else None})
        if rung.next_at is not None and rung.next_at <= self.now:
            self.left_due.append(due.id)

    def write(self, session: Session) -> None:
        held = bundles.held_rows(self.bundled, {official_id: self.directory.contacts[official_id][0]
                                                for official_id in self.bundled},
                                 self.now, self.ladder.settings.region.dashboard_url)
        insert_rows(session, ComplaintEvent.__table__, self.events)
        insert_rows(session, Notification.__table__, self.messages + held, skip_duplicates_of="dedup_key")
        update_rows(session, Complaint.__table__, self.updates, keep_when_null=("updated_at",))

    def _take(self, due: Due, step: Step) -> None:
        heard = self.directory.recipients(step, due)
        if heard.alone:
            self._alert(due, step, heard.alone)
        if heard.leaders:
            item = self._bundle_item(due, step)  # one dict, listed in each leader's bundle
            for official_id in heard.leaders:
                self.bundled.setdefault(official_id, []).append(item)
        self.events.append({
            "complaint_id": due.id, "at": self.now, "actor_kind": SYSTEM.kind, "actor_id": SYSTEM.audit_id,
            "action": "escalate", "from_status": None, "to_status": None, "note": step.heading,
            "data": self._event_data(step, heard),
        })
        log.info("escalated code=%s level=%d purpose=%s recipients=%s", due.code, step.level, step.purpose,
                 heard.logged)

    def _event_data(self, step: Step, heard: Recipients) -> dict[str, Any]:
        """The audit event's data, one dict per rung, deadline and recipients in the batch (complaints due
        the same day share it): the SQLite writer encodes a shared dict once."""
        key = (step.level, step.purpose, step.deadline, id(heard.everyone))  # `heard` is kept by the directory
        data = self._data.get(key)
        if data is None:
            data = self._data[key] = {"level": step.level, "purpose": step.purpose,
                                      "deadline": step.deadline.isoformat(), "recipients": heard.everyone}
        return data

    def _alert(self, due: Due, step: Step, officials: Iterable[str]) -> None:
        """The complaint's own alert to each official who acts on it, on every reachable channel."""
        # One checked payload object for every row of this alert: the SQLite writer encodes it once.
        payload = as_payload(self._payload(due, step))
        deadline_key = self._deadline_keys.get(step.deadline)
        if deadline_key is None:
            deadline_key = self._deadline_keys[step.deadline] = step.deadline.strftime("%Y%m%dT%H%MZ")
        prefix = f"{due.code}:{step.purpose}:{step.level}:official-"
        for official_id in officials:
            for recipient in self.directory.contacts[official_id]:
                key = f"{prefix}{official_id}:{recipient.channel}:{deadline_key}"
                self.messages.append(outbox_row(recipient=recipient, purpose=step.purpose, payload=payload,
                                                dedup_key=key, now=self.now, complaint_id=due.id, level=step.level,
                                                urgent=due.emergency, checked=True,
                                                callback_token=self._tokens()))

    def _payload(self, due: Due, step: Step) -> dict[str, Any]:
        zone = self.ladder.calendar.zone
        if step.purpose == "verify_overdue":
            payload = triage_alert(due, f"belum diverifikasi; batas {local_date_text(due.verify_due_at, zone)}", zone)
            payload["text"] = f"{step.heading}\n" + payload["text"]
        else:
            payload = official_alert(due, self.ladder.agency_name(due) or "-", step.heading, zone)
        heading, newline, rest = payload["text"].partition("\n")  # the age goes right under the heading
        payload["text"] = f"{heading}\nUmur: {self.ladder.age_text(due)}{newline}{rest}"
        payload["variables"] = {**payload.get("variables", {}), "level": step.level}
        return payload

    def _bundle_item(self, due: Due, step: Step) -> dict[str, Any]:
        missed = due.verify_due_at if step.purpose == "verify_overdue" else due.answer_due_at
        overdue = self.ladder.working_days_since(_due_date(self.ladder.calendar, missed)) if missed else 0
        return {"complaint_id": due.id, "code": due.code, "agency": self.ladder.agency_name(due) or "triase",
                "subject": summary(due.text, BUNDLE_SUBJECT_CHARS), "state": _state(step, due.sla),
                "overdue_days": overdue, "anonymous": due.anonymous, "confidential": due.confidential,
                "purpose": step.purpose, "level": step.level, "deadline": step.deadline.isoformat()}


def _state(step: Step, sla: dict[str, Any] | None) -> str:
    if step.purpose == "verify_overdue":
        return "belum diverifikasi"
    if step.purpose == "reminder":
        return f"pengingat {step.level - LEVEL_REGION}/{(sla or {}).get('reminder_cap', '-')}, belum dijawab"
    return "belum dijawab"


def _due_date(calendar: WorkingCalendar, deadline: datetime) -> date:
    """A deadline is the midnight after its due date: the day itself is the one before."""
    return calendar.local_date(deadline - timedelta(microseconds=1))


def _default_sla(settings: Settings) -> dict[str, Any]:
    sla = settings.sla
    return {"verify_days": sla.verify_days, "ack_days": sla.ack_days, "answer_days": sla.answer_days,
            "reply_window_days": sla.reply_window_days, "reminder_every_days": sla.reminder_every_days,
            "reminder_cap": sla.reminder_cap, "emergency": False}
