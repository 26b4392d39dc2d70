"""The set-based sweep against the one-complaint-at-a-time sweep it replaced, on a generated week.

A seeded week of complaints (agencies, triage, emergencies, anonymous and confidential ones, filed at any
hour) with officials acknowledging, answering, coordinating, refusing ("bukan wewenang"), re-dispatching
and citizens reopening, while the sweep runs every few hours (sometimes only at night, sometimes after a
day's gap) for five weeks: once with the old sweep
(`legacy_escalation.py`), once with the new one in small batches, on the same database. Everything must
match (statuses, levels, triggers, every audit event, every outbox row) except what bundling changes on
purpose: the regional leaders hear of the same complaints, steps and levels, in one message per person
per pass instead of one per complaint and channel.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import legacy_escalation
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from models.config import Settings
from models.db import transaction
from models.escalation import REGION_ROLES, sweep
from models.lifecycle import DomainError
from models.permissions import Action
from models.tables import Complaint, ComplaintEvent, Notification, Official

WITA = ZoneInfo("Asia/Makassar")
MONDAY = datetime(2026, 11, 23, 0, 0, tzinfo=WITA)
AGENCIES = ["PUPR", "PUPR", "DINKES", "DISDIK", "BPBD", "INSPEKTORAT", "PERKIM", "DLH", None, None]
FATES = ["ignored", "ignored", "ignored", "ack", "answer", "ack_then_answer", "coordinate", "bukan", "reopen"]
SWEEP_FOR = timedelta(days=35)
CODE = re.compile(r"BTL-[0-9A-Z]{4}-[0-9A-Z]{4}")
STEP_PURPOSES = {"escalation_head", "escalation_regional", "reminder", "verify_overdue"}


@dataclass(frozen=True, order=True)
class Happening:
    at: datetime
    order: int  # filings first, then officials and citizens, then the sweep
    number: int
    what: str
    agency: str | None = None
    anonymous: bool = False


def generated_week(seed: int = 17, complaints: int = 70) -> list[Happening]:
    rng = random.Random(seed)
    timeline = []
    for number in range(complaints):
        filed = MONDAY + timedelta(minutes=rng.randrange(7 * 24 * 60))
        agency = rng.choice(AGENCIES)
        timeline.append(Happening(filed, 0, number, "file", agency, rng.random() < 0.25))
        later = [filed + timedelta(minutes=rng.randrange(30, 9 * 24 * 60)) for _ in range(2)]
        first, second = sorted(later)
        fate = "dispatch" if agency is None else rng.choice(FATES)
        if agency is None and rng.random() < 0.4:
            continue  # left in triage: the verification ladder
        for at, what in {"dispatch": [(first, "dispatch")], "ignored": [], "ack": [(first, "ack")],
                         "answer": [(first, "answer")], "ack_then_answer": [(first, "ack"), (second, "answer")],
                         "coordinate": [(first, "coordinate")], "bukan": [(first, "bukan"), (second, "dispatch")],
                         "reopen": [(first, "answer"), (second, "reopen")]}[fate]:
            timeline.append(Happening(at, 1, number, what))
    # The notifier sweeps every few hours, sometimes only at night (deferrals), with long gaps (catching up).
    tick = MONDAY
    while tick < MONDAY + SWEEP_FOR:
        timeline.append(Happening(tick, 2, -1, "sweep"))
        tick += timedelta(minutes=rng.choice((90, 90, 90, 7 * 60, 13 * 60, 30 * 60)))
    return sorted(timeline)


Sweep = Callable[[sessionmaker[Session], Settings, Any, datetime], Any]


def play(desk: Any, timeline: list[Happening], run_sweep: Sweep) -> list[tuple[Any, ...]]:
    """Play the week through the Desk driver; returns each sweep's report figures."""
    codes: dict[int, str] = {}
    reports = []
    for happening in timeline:
        desk.clock.set(happening.at)
        if happening.what == "file":
            codes[happening.number] = desk.file(agency=happening.agency, anonymous=happening.anonymous,
                                                phone=f"+6281277{happening.number:05d}",
                                                name=f"Warga Nomor {happening.number}",
                                                text=f"keluhan nomor {happening.number}: jalan rusak dan lampu mati")
        elif happening.what == "sweep":
            report = run_sweep(desk.sessions, desk.settings, desk.calendar, happening.at)
            reports.append((happening.at, report.escalated, report.deferred, report.closed, tuple(report.codes)))
        else:
            act(desk, codes[happening.number], happening.what)
    return reports


def act(desk: Any, code: str, what: str) -> None:
    complaint = desk.complaint(code)
    admin = f"{(complaint.agency_code or 'diskominfo').lower()}.admin"
    try:
        if what == "dispatch":
            desk.act(code, "kominfo.triage", Action.DISPATCH, to="PERKIM")
        elif what == "ack":
            desk.act(code, admin, Action.ACKNOWLEDGE)
        elif what == "answer":
            desk.act(code, admin, Action.ANSWER, note="Sudah ditangani petugas.")
        elif what == "coordinate":
            desk.act(code, admin, Action.COORDINATE, note="Menunggu dinas provinsi.")
        elif what == "bukan":
            desk.act(code, admin, Action.NOT_OUR_AUTHORITY, note="bukan kewenangan kami")
        elif what == "reopen":
            desk.feedback(code, satisfied=False)
    except DomainError:
        pass  # e.g. closed by the sweep before the citizen answered: the same in both runs


LINK_SIGNATURE = re.compile(r"(/l/[A-Z0-9-]+\.[0-9a-z]+\.)[A-Za-z0-9_-]+")


def snapshot(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """Everything the runs wrote, with the random tracking codes replaced by the complaints' ids."""
    with sessions() as session:
        names = {code: f"C{id_}" for id_, code in session.execute(select(Complaint.id, Complaint.code))}
        regional = set(session.scalars(select(Official.id).where(Official.role.in_(REGION_ROLES))))

        def plain(value: Any) -> Any:
            # An alert's signed link signs the random code: its signature is as random as the code itself.
            unsigned = LINK_SIGNATURE.sub(r"\1<signature>", str(value))
            return CODE.sub(lambda match: names.get(match.group(), "?"), unsigned)

        complaints = [(c.id, c.status, c.escalation_level, c.next_escalation_at, c.updated_at, c.closed_at)
                      for c in session.scalars(select(Complaint).order_by(Complaint.id))]
        events = [(e.complaint_id, e.at, e.actor_kind, e.action, e.from_status, e.to_status, plain(e.note),
                   plain(e.data)) for e in session.scalars(select(ComplaintEvent).order_by(ComplaintEvent.id))]
        own, heard = [], Counter()
        for n in session.scalars(select(Notification).order_by(Notification.id)):
            if n.recipient_id in regional and n.purpose in STEP_PURPOSES:
                if n.complaint_id is not None:  # the old sweep: one row per complaint, step and channel
                    heard.update({(n.complaint_id, n.recipient_id, n.purpose, n.level, n.created_at)})
                else:  # a bundle: one row per person, listing each complaint and step
                    heard.update((item["complaint_id"], n.recipient_id, item["purpose"], item["level"], n.created_at)
                                 for item in n.payload["items"])
                continue
            own.append((plain(n.dedup_key), n.recipient_kind, n.recipient_id, n.channel, n.address, n.purpose,
                        n.level, n.complaint_id, plain(n.payload), n.status, n.next_attempt_at, n.created_at))
    return {"complaints": complaints, "events": events, "own": sorted(own, key=str), "regional": heard}


def wipe(sessions: sessionmaker[Session]) -> None:
    """Empty everything but the directory, with ids starting again at 1 (so both runs number alike)."""
    tables = ["open_questions", "notifications", "complaint_events", "supporters", "attachments", "complaints",
              "chat_sessions", "inbound_messages", "reporters"]
    with transaction(sessions) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                session.execute(text(f"DELETE FROM {table}"))


def test_a_generated_week_escalates_exactly_as_the_one_complaint_at_a_time_sweep_did(desk) -> None:
    timeline = generated_week()
    old_reports = plain_reports(desk.sessions, play(desk, timeline, legacy_escalation.sweep))
    old = snapshot(desk.sessions)
    wipe(desk.sessions)
    new_reports = plain_reports(desk.sessions, play(desk, timeline, lambda *args: sweep(*args, batch_size=4)))
    new = snapshot(desk.sessions)

    # The week exercised the whole ladder: every step, deferrals outside office hours, auto-closes.
    steps = Counter(data_purpose(event) for event in old["events"] if event[3] == "escalate")
    assert set(steps) == STEP_PURPOSES and all(steps[purpose] >= 3 for purpose in STEP_PURPOSES), steps
    assert sum(report[2] for report in old_reports) > 0 and sum(report[3] for report in old_reports) > 0

    assert new_reports == old_reports
    assert new["complaints"] == old["complaints"]
    assert new["events"] == old["events"]
    assert new["own"] == old["own"]
    # (complaint, official, step, level, pass): the old rows, one per channel, folded together.
    assert set(new["regional"]) == set(old["regional"])
    assert max(new["regional"].values()) == 1  # each complaint and step listed once per person and pass


def test_a_bundle_is_one_message_per_person_per_pass_in_the_generated_week(desk) -> None:
    play(desk, generated_week(seed=29), lambda *args: sweep(*args, batch_size=4))
    with desk.sessions() as session:
        bundles = list(session.scalars(select(Notification).where(Notification.complaint_id.is_(None),
                                                                  Notification.purpose.in_(STEP_PURPOSES))))
    per_person_and_pass = Counter((row.recipient_id, row.created_at) for row in bundles)
    assert bundles and max(per_person_and_pass.values()) == 1
    assert {row.status for row in bundles} == {"queued"}


def plain_reports(sessions: sessionmaker[Session], reports: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    with sessions() as session:
        names = {code: f"C{id_}" for id_, code in session.execute(select(Complaint.id, Complaint.code))}
    return [(*report[:4], tuple(names[code] for code in report[4])) for report in reports]


def data_purpose(event: tuple[Any, ...]) -> str:
    match = re.search(r"'purpose': '(\w+)'", event[7])
    return match.group(1) if match else "-"
