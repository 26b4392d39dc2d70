"""Emergencies at the desk: filed with an SLA in hours, the duty roster alerted at once, urgent in the outbox,
and the sweep climbing at night instead of waiting for office hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from models.config import Settings
from models.db import transaction
from models.desk import Desk, NewComplaint
from models.tables import Complaint
from notifier.dispatcher import Dispatcher
from notifier.transports.log import LogTransport

WITA = ZoneInfo("Asia/Makassar")
REPORTER_PHONE = "+6281299990001"


def wita(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WITA)


SUNDAY_2AM = wita(2026, 11, 29, 2, 0)


def file_emergency(desk, kind: str, text: str) -> str:  # type: ignore[no-untyped-def]
    with transaction(desk.sessions) as session:
        core = Desk(session, desk.settings, desk.calendar, desk.clock())
        reporter = core.reporter_for("whatsapp", REPORTER_PHONE, "Siti Aminah", REPORTER_PHONE)
        complaint = core.file(NewComplaint(reporter=reporter, text=text, channel="whatsapp", emergency_kind=kind),
                              dispatch=False)
        return complaint.code


def test_a_flood_emergency_at_two_on_sunday_night_reaches_the_bpbd_duty_official_at_once(desk) -> None:
    desk.clock.set(SUNDAY_2AM)
    code = file_emergency(desk, "flood", "banjir, ada warga terjebak di atap rumah di Anjir Pasar")
    complaint = desk.complaint(code)
    assert complaint.emergency is True and complaint.agency_code == "BPBD" and complaint.status == "dispatched"
    assert complaint.ack_due_at == SUNDAY_2AM + timedelta(hours=1)
    assert complaint.answer_due_at == SUNDAY_2AM + timedelta(hours=24)
    assert [e.action for e in complaint.events] == ["file", "emergency", "dispatch"]
    assert complaint.events[1].data == {"kind": "flood", "to": "BPBD"}

    rows = [n for n in desk.notifications() if n.complaint_id == complaint.id]
    on_duty = [n for n in rows if n.purpose == "emergency_duty"]
    assert {n.recipient_id for n in on_duty} == {"bpbd.head"}
    assert {n.recipient_id for n in rows if n.purpose == "new_complaint"} == {"bpbd.admin"}
    assert all(n.urgent and n.next_attempt_at == SUNDAY_2AM for n in rows)
    assert all("DARURAT" in n.payload["text"] for n in rows)


def test_a_fire_goes_to_the_damkar_and_an_official_on_duty_who_is_also_admin_hears_once(desk) -> None:
    desk.clock.set(wita(2026, 11, 25, 13, 0))  # Wednesday, office hours; SATPOLPP's admin is on call all week
    code = file_emergency(desk, "fire", "kebakaran rumah warga di Jl. Panglima Batur, api besar")
    complaint = desk.complaint(code)
    assert complaint.agency_code == "SATPOLPP" and complaint.emergency
    rows = [n for n in desk.notifications() if n.complaint_id == complaint.id]
    assert {(n.recipient_id, n.purpose) for n in rows} == {("satpolpp.admin", "new_complaint")}


def test_an_unacknowledged_emergency_climbs_to_the_head_within_the_hour_on_a_sunday_night(desk) -> None:
    desk.clock.set(SUNDAY_2AM)
    code = file_emergency(desk, "collapse", "jembatan ambruk, ada korban jatuh ke sungai")
    report = desk.sweep_at(SUNDAY_2AM + timedelta(hours=1))
    assert report.deferred == 0 and report.escalated == 1
    heads = desk.notifications("escalation_head")
    assert {n.recipient_id for n in heads} == {"bpbd.head"} and all(n.urgent for n in heads)
    assert desk.complaint(code).escalation_level == 1


def test_an_emergency_still_in_triage_is_not_deferred_to_office_hours(desk, sessions) -> None:
    desk.clock.set(SUNDAY_2AM)
    code = desk.file(agency=None, text="ada orang pingsan tidak sadarkan diri")
    with transaction(sessions) as session:
        complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        complaint.emergency = True
        complaint.next_escalation_at = complaint.verify_due_at = SUNDAY_2AM + timedelta(minutes=30)
    report = desk.sweep_at(SUNDAY_2AM + timedelta(minutes=30))
    assert report.deferred == 0 and report.escalated == 1
    assert {n.recipient_id for n in desk.notifications("verify_overdue")} == {"diskominfo.head", "sekda"}


def test_the_notifier_claims_an_emergencys_alerts_before_older_ordinary_ones(desk, settings: Settings) -> None:
    desk.clock.set(SUNDAY_2AM)
    for _ in range(3):
        desk.file(agency="PUPR", text="jalan berlubang di depan pasar")
    code = file_emergency(desk, "medical", "ada warga kejang kejang butuh ambulans segera")
    small = settings.notifier.model_copy(update={"batch_size": 1})
    [first] = Dispatcher(desk.sessions, {}, LogTransport(), small, "test", desk.clock).claim(desk.clock())
    assert first.complaint_code == code
