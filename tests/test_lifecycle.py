"""The complaint lifecycle: transitions, permissions, deadlines, audit events and the outbox,
all written in one transaction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.clock import FixedClock
from models.config import Role, Settings
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.directory import official_actor
from models.lifecycle import TRANSITIONS, IllegalTransition, NotAllowed, Status, check_transition
from models.permissions import Action, Actor
from models.tables import Complaint, ComplaintEvent, Notification, Reporter
from models.views import complaint_detail


def make_desk(session: Session, settings: Settings, clock: FixedClock) -> Desk:
    return Desk(session, settings, calendar_for(settings), clock())


def file_complaint(sessions: sessionmaker[Session], settings: Settings, clock: FixedClock,
                   agency: str | None = "PUPR", anonymous: bool = False, text: str = "jalan berlubang") -> str:
    with transaction(sessions) as session:
        desk = make_desk(session, settings, clock)
        reporter = desk.reporter_for("whatsapp", "+6281299990001", "Siti Aminah", "+6281299990001")
        complaint = desk.file(NewComplaint(reporter=reporter, text=text, channel="whatsapp",
                                           agency_code=agency, anonymous=anonymous), dispatch=True)
        return complaint.code


def act(sessions: sessionmaker[Session], settings: Settings, clock: FixedClock, code: str, official: str,
        action: Action, note: str | None = None, to: str | None = None) -> Complaint:
    with transaction(sessions) as session:
        complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        make_desk(session, settings, clock).act(complaint, official_actor(session, official), action, note, to)
        return complaint


def notifications(sessions: sessionmaker[Session]) -> list[Notification]:
    with sessions() as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))


def test_every_status_has_a_row_in_the_transition_table() -> None:
    assert set(TRANSITIONS) == set(Status)


def test_illegal_transition_names_both_states() -> None:
    with pytest.raises(IllegalTransition, match="closed -> dispatched"):
        check_transition("closed", "dispatched")


def test_confirmed_complaint_is_dispatched_with_deadlines_in_working_days(sessions, settings, clock) -> None:
    code = file_complaint(sessions, settings, clock)
    with sessions() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        detail = complaint_detail(complaint, calendar_for(settings))
    assert complaint.status == Status.DISPATCHED and complaint.agency_code == "PUPR"
    # Filed Monday 23 Nov 2026 09:00 WITA: verify within 3 working days, answer within 5.
    assert detail["deadlines"]["verify_due"] == "2026-11-26"
    assert detail["deadlines"]["ack_due"] == "2026-11-24"
    assert detail["deadlines"]["answer_due"] == "2026-11-30"
    assert [e["action"] for e in detail["events"]] == ["file", "dispatch"]
    assert detail["events"][1]["from_status"] == "received" and detail["events"][1]["to_status"] == "dispatched"


def test_dispatch_queues_an_alert_for_every_contact_of_the_agency_admin(sessions, settings, clock) -> None:
    file_complaint(sessions, settings, clock)
    alerts = [n for n in notifications(sessions) if n.purpose == "new_complaint"]
    assert {(n.recipient_id, n.channel) for n in alerts} == {
        ("pupr.admin", "whatsapp"), ("pupr.admin", "telegram"), ("pupr.admin", "email")}
    assert all(n.status == "queued" for n in alerts)
    assert "LAPORAN BARU" in alerts[0].payload["text"]


def test_admin_of_dinkes_cannot_close_a_pupr_complaint(sessions, settings, clock) -> None:
    code = file_complaint(sessions, settings, clock)
    with pytest.raises(NotAllowed, match="dinkes.admin may not close"):
        act(sessions, settings, clock, code, "dinkes.admin", Action.CLOSE)


def test_acknowledge_then_answer_relays_each_step_to_the_reporter(sessions, settings, clock) -> None:
    code = file_complaint(sessions, settings, clock)
    clock.advance(hours=2)
    act(sessions, settings, clock, code, "pupr.admin", Action.ACKNOWLEDGE)
    clock.advance(hours=20)
    complaint = act(sessions, settings, clock, code, "pupr.admin", Action.ANSWER, note="Sudah ditambal.")
    assert complaint.status == Status.ANSWERED
    relays = [n for n in notifications(sessions) if n.recipient_kind == "reporter"]
    assert [n.payload["variables"]["status"] for n in relays] == ["Diproses", "Dijawab"]
    assert "Sudah ditambal." in relays[-1].payload["text"]
    assert "YA atau TIDAK" in relays[-1].payload["text"]
    assert relays[-1].address == "+6281299990001" and relays[-1].channel == "whatsapp"


def test_answer_stops_escalation_and_opens_the_reply_window(sessions, settings, clock) -> None:
    code = file_complaint(sessions, settings, clock)
    complaint = act(sessions, settings, clock, code, "pupr.admin", Action.ANSWER, note="Selesai diperbaiki.")
    assert complaint.next_escalation_at is None
    reply_due = calendar_for(settings).local(complaint.reply_due_at - timedelta(seconds=1)).date()
    assert reply_due == date(2026, 12, 7)


def test_illegal_action_leaves_nothing_behind(sessions, settings, clock) -> None:
    code = file_complaint(sessions, settings, clock)
    act(sessions, settings, clock, code, "pupr.admin", Action.ANSWER, note="ok")
    act(sessions, settings, clock, code, "kominfo.triage", Action.CLOSE)
    before = len(notifications(sessions))
    with pytest.raises(IllegalTransition, match="closed -> in_progress"):
        act(sessions, settings, clock, code, "pupr.admin", Action.ACKNOWLEDGE)
    assert len(notifications(sessions)) == before
    with sessions() as session:
        events = session.scalar(select(func.count(ComplaintEvent.id)))
        assert events == 4


def test_bukan_wewenang_returns_the_complaint_to_triage(sessions, settings, clock) -> None:
    code = file_complaint(sessions, settings, clock)
    complaint = act(sessions, settings, clock, code, "pupr.admin", Action.NOT_OUR_AUTHORITY,
                    note="ini jalan provinsi")
    assert complaint.status == Status.RECEIVED and complaint.agency_code is None
    triage = [n for n in notifications(sessions) if n.purpose == "triage"]
    assert triage and "bukan wewenang PUPR" in triage[-1].payload["text"]


def test_reroute_by_triage_records_from_and_to(sessions, settings, clock) -> None:
    code = file_complaint(sessions, settings, clock)
    complaint = act(sessions, settings, clock, code, "kominfo.triage", Action.REROUTE, to="PERKIM")
    assert complaint.agency_code == "PERKIM"
    with sessions() as session:
        event = session.scalars(select(ComplaintEvent).order_by(ComplaintEvent.id.desc())).first()
        assert event is not None and event.action == "reroute"
        assert event.data == {"from": "PUPR", "to": "PERKIM"}


def test_agency_admin_cannot_reroute(sessions, settings, clock) -> None:
    code = file_complaint(sessions, settings, clock)
    with pytest.raises(NotAllowed):
        act(sessions, settings, clock, code, "pupr.admin", Action.REROUTE, to="PERKIM")


def test_pungli_complaints_are_confidential_by_force(sessions, settings, clock) -> None:
    code = file_complaint(sessions, settings, clock, agency="INSPEKTORAT", text="ada pungli di kantor desa")
    with sessions() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        assert complaint.confidential is True


def test_external_body_is_forwarded_not_dispatched(sessions, settings, clock) -> None:
    code = file_complaint(sessions, settings, clock, agency="EXT_PLN", text="listrik padam")
    with sessions() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        assert complaint.status == Status.FORWARDED and complaint.agency_code == "EXT_PLN"


def test_anonymous_reporter_never_appears_in_officials_payloads(sessions, settings, clock) -> None:
    code = file_complaint(sessions, settings, clock, anonymous=True)
    act(sessions, settings, clock, code, "pupr.admin", Action.NOT_OUR_AUTHORITY, note="bukan kami")
    official_texts = [str(n.payload) for n in notifications(sessions) if n.recipient_kind == "official"]
    assert official_texts
    for text in official_texts:
        assert "Siti" not in text and "6281299990001" not in text
        assert "(anonim)" in text


def test_reporter_not_satisfied_reopens_and_alerts_agency(sessions, settings, clock) -> None:
    code = file_complaint(sessions, settings, clock)
    act(sessions, settings, clock, code, "pupr.admin", Action.ANSWER, note="sudah")
    with transaction(sessions) as session:
        complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        make_desk(session, settings, clock).record_feedback(complaint, complaint.reporter, satisfied=False)
    with sessions() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        assert complaint.status == Status.REOPENED and complaint.reopen_count == 1
    reopened = [n for n in notifications(sessions) if n.purpose == "reopened"]
    assert {n.recipient_id for n in reopened} == {"pupr.admin", "pupr.head"}


def test_closing_unsatisfied_points_the_citizen_to_the_ombudsman(sessions, settings, clock) -> None:
    code = file_complaint(sessions, settings, clock)
    act(sessions, settings, clock, code, "pupr.admin", Action.ANSWER, note="sudah")
    with transaction(sessions) as session:
        complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        desk = make_desk(session, settings, clock)
        desk.record_feedback(complaint, complaint.reporter, satisfied=False)
        desk.answer(complaint, Actor("official", "pupr.admin", Role.ADMIN, "PUPR"), "sudah lagi")
        complaint.satisfied = False
        desk.close(complaint, Actor("system", "system"), "batas tanggapan lewat")
    last = notifications(sessions)[-1]
    assert "Ombudsman" in last.payload["text"] and code in last.payload["text"]


def test_erasing_a_reporter_wipes_identity_and_keeps_complaints(sessions, settings, clock) -> None:
    code = file_complaint(sessions, settings, clock)
    with transaction(sessions) as session:
        reporter = session.scalars(select(Reporter)).one()
        assert make_desk(session, settings, clock).erase_reporter(reporter) == 1
    with sessions() as session:
        reporter = session.scalars(select(Reporter)).one()
        assert reporter.name is None and reporter.phone is None and "6281" not in reporter.provider_id
        complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        assert complaint.events[-1].action == "erase_identity"


def test_a_notification_written_twice_is_stored_once(sessions, settings, clock) -> None:
    from models.outbox import Recipient, enqueue

    with transaction(sessions) as session:
        for _ in range(2):
            enqueue(session, recipient=Recipient("operations", "ops", "email", "ops@example.org"),
                    purpose="digest", payload={"text": "x"}, dedup_key="digest:2026-11-23", now=clock())
    assert len(notifications(sessions)) == 1
