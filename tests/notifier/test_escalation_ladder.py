"""The escalation ladder on the injected clock: exact local times across weekends and holidays."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from models.permissions import Action
from models.tables import ComplaintEvent

WITA = ZoneInfo("Asia/Makassar")


def wita(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WITA)


def escalations(desk, level: int) -> set[str]:  # type: ignore[no-untyped-def]
    return {n.recipient_id for n in desk.notifications() if n.level == level and n.recipient_kind == "official"
            and n.purpose in {"escalation_head", "escalation_regional", "reminder", "verify_overdue"}}


def test_complaint_filed_friday_before_lebaran_escalates_at_exact_office_mornings(desk) -> None:
    desk.clock.set(wita(3, 13, 14, 0))  # Friday 13 March 2026, 14:00 WITA
    code = desk.file()
    complaint = desk.complaint(code)
    # Ack due at the end of Monday 16; escalation waits for 07:30 on Tuesday 17 (still a working day).
    assert complaint.next_escalation_at == wita(3, 17, 7, 30)

    assert desk.sweep_at(wita(3, 17, 7, 29)).escalated == 0
    assert escalations(desk, 1) == set()
    assert desk.sweep_at(wita(3, 17, 7, 30)).escalated == 1
    assert escalations(desk, 1) == {"pupr.head"}

    # Answer due: Mon 16, Tue 17, (closed Wed 18 – Tue 24), Wed 25, Thu 26, Fri 27 -> Monday 30, 07:30.
    assert desk.complaint(code).next_escalation_at == wita(3, 30, 7, 30)
    assert desk.sweep_at(wita(3, 25, 9, 0)).escalated == 0
    assert desk.sweep_at(wita(3, 30, 7, 30)).escalated == 1
    assert escalations(desk, 2) == {"bupati", "sekda", "inspektur"}

    # Reminders every 2 working days at 07:30, up to the cap of 3.
    assert desk.complaint(code).next_escalation_at == wita(4, 1, 7, 30)
    desk.sweep_at(wita(4, 1, 7, 30))
    assert "pupr.admin" in escalations(desk, 3) and "bupati" in escalations(desk, 3)
    assert desk.complaint(code).next_escalation_at == wita(4, 6, 7, 30)  # Fri 3 Apr is Good Friday
    desk.sweep_at(wita(4, 6, 7, 30))
    desk.sweep_at(wita(4, 8, 7, 30))
    complaint = desk.complaint(code)
    assert complaint.escalation_level == 5 and complaint.next_escalation_at is None


def test_unacknowledged_complaint_reaches_the_agency_head_on_the_next_working_morning(desk) -> None:
    desk.clock.set(wita(11, 23, 9, 0))  # Monday
    code = desk.file()
    desk.sweep_at(wita(11, 24, 23, 0))  # due at Wednesday 00:00, not yet
    assert escalations(desk, 1) == set()
    report = desk.sweep_at(wita(11, 25, 6, 0))  # before office hours: deferred, nothing sent
    assert report.escalated == 0 and escalations(desk, 1) == set()
    assert desk.complaint(code).next_escalation_at == wita(11, 25, 7, 30)
    desk.sweep_at(wita(11, 25, 7, 31))
    heads = desk.notifications("escalation_head")
    assert {(n.recipient_id, n.channel) for n in heads} == {("pupr.head", "whatsapp"), ("pupr.head", "email")}
    assert code in heads[0].payload["text"] and "TERIMA" in heads[0].payload["text"]
    assert "Umur: 2 hari kerja" in heads[0].payload["text"]


def test_a_sweep_run_twice_writes_nothing_new(desk) -> None:
    desk.clock.set(wita(11, 23, 9, 0))
    desk.file()
    desk.sweep_at(wita(11, 25, 8, 0))
    rows, events = len(desk.notifications()), _events(desk)
    assert desk.sweep_at(wita(11, 25, 8, 0)).escalated == 0
    assert len(desk.notifications()) == rows and _events(desk) == events


def test_acknowledgement_stops_level_one(desk) -> None:
    desk.clock.set(wita(11, 23, 9, 0))
    code = desk.file()
    desk.clock.set(wita(11, 23, 10, 0))
    desk.act(code, "pupr.admin", Action.ACKNOWLEDGE)
    desk.sweep_at(wita(11, 25, 8, 0))
    assert escalations(desk, 1) == set()
    assert desk.complaint(code).next_escalation_at == wita(12, 1, 7, 30)  # answer due Mon 30 Nov
    desk.sweep_at(wita(12, 1, 7, 30))
    assert escalations(desk, 2) == {"bupati", "sekda", "inspektur"}


def test_answer_stops_the_whole_ladder(desk) -> None:
    desk.clock.set(wita(11, 23, 9, 0))
    code = desk.file()
    desk.sweep_at(wita(11, 25, 8, 0))
    desk.clock.set(wita(11, 25, 9, 0))
    desk.act(code, "pupr.admin", Action.ANSWER, note="Sudah ditambal.")
    before = len(desk.notifications())
    for day in (26, 27, 30):
        desk.sweep_at(wita(11, day, 8, 0))
    desk.sweep_at(wita(12, 2, 8, 0))
    assert len(desk.notifications()) == before
    assert desk.complaint(code).escalation_level == 1


def test_reopen_restarts_the_ladder_toward_the_region(desk) -> None:
    desk.clock.set(wita(11, 23, 9, 0))
    code = desk.file()
    desk.act(code, "pupr.admin", Action.ANSWER, note="sudah")
    desk.clock.set(wita(11, 24, 9, 0))
    desk.feedback(code, satisfied=False)
    complaint = desk.complaint(code)
    assert complaint.status == "reopened" and complaint.next_escalation_at == wita(12, 2, 7, 30)
    desk.sweep_at(wita(12, 2, 7, 30))
    assert escalations(desk, 2) == {"bupati", "sekda", "inspektur"}


def test_bukan_wewenang_restarts_the_ladder_for_the_new_owner(desk) -> None:
    desk.clock.set(wita(11, 23, 9, 0))
    code = desk.file()
    desk.sweep_at(wita(11, 25, 8, 0))
    desk.act(code, "pupr.admin", Action.NOT_OUR_AUTHORITY, note="jalan provinsi")
    desk.act(code, "kominfo.triage", Action.DISPATCH, to="PERKIM")
    complaint = desk.complaint(code)
    assert complaint.escalation_level == 0 and complaint.next_escalation_at == wita(11, 27, 7, 30)
    desk.sweep_at(wita(11, 27, 7, 30))
    assert "perkim.head" in escalations(desk, 1)


def test_unverified_triage_complaint_reaches_diskominfo_head_and_sekda_after_christmas(desk) -> None:
    desk.clock.set(wita(12, 23, 15, 0))  # Wednesday before Christmas (Thu 24 – Fri 25 closed)
    code = desk.file(agency=None)
    # Verify within 3 working days: Mon 28, Tue 29, Wed 30 -> escalation Thursday 31 December, 07:30.
    assert desk.complaint(code).next_escalation_at == wita(12, 31, 7, 30)
    desk.sweep_at(wita(12, 31, 7, 30))
    rows = desk.notifications("verify_overdue")
    assert {n.recipient_id for n in rows} == {"diskominfo.head", "sekda"}
    assert desk.complaint(code).next_escalation_at is None


def test_emergency_complaints_escalate_at_once_even_at_night(desk) -> None:
    desk.clock.set(wita(11, 28, 22, 0))  # Saturday night; Bencana: ack 0 days, emergency
    code = desk.file(agency="BPBD", text="banjir besar rumah terendam")
    complaint = desk.complaint(code)
    assert complaint.sla["emergency"] is True
    due = complaint.next_escalation_at
    # Ack and answer (1 working day) both fall due at midnight after Monday: no waiting for 07:30.
    assert due == complaint.ack_due_at == wita(12, 1, 0, 0)
    report = desk.sweep_at(due)
    assert report.escalated == 2 and report.deferred == 0
    assert escalations(desk, 1) == {"bpbd.head"} and escalations(desk, 2) == {"bupati", "sekda", "inspektur"}


def test_answered_complaint_closes_itself_when_the_reply_window_passes(desk) -> None:
    desk.clock.set(wita(11, 23, 9, 0))
    code = desk.file()
    desk.act(code, "pupr.admin", Action.ANSWER, note="sudah")
    assert desk.sweep_at(wita(12, 7, 23, 0)).closed == 0
    assert desk.sweep_at(wita(12, 8, 0, 1)).closed == 1
    complaint = desk.complaint(code)
    assert complaint.status == "closed"
    last = complaint.events[-1]
    assert last.actor_kind == "system" and last.action == "close"
    relays = [n for n in desk.notifications("status") if n.payload["variables"]["status"] == "Selesai"]
    assert relays and "Ombudsman" not in relays[-1].payload["text"]


def _events(desk) -> int:  # type: ignore[no-untyped-def]
    with desk.sessions() as session:
        return len(list(session.scalars(select(ComplaintEvent.id))))
