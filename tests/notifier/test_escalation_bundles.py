"""Escalations to the regional head, the sekda and the inspectorate come bundled: one message per person per
sweep pass, listing every complaint the pass escalated to them; the audit stays one event per complaint."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from models.db import transaction
from models.escalation import REGION_ROLES, sweep
from models.permissions import Action
from models.tables import ComplaintEvent, Notification, Official, OfficialContact
from notifier.dispatcher import Dispatcher
from notifier.transports import LogTransport, OutgoingMessage, SendResult
from notifier.transports.base import TransportError

WITA = ZoneInfo("Asia/Makassar")
LEADERS = {"bupati", "sekda", "inspektur"}
CODE = re.compile(r"BTL-[0-9A-Z]{4}-[0-9A-Z]{4}")
# Answers were due by the end of Monday 23, Wednesday 25 and Monday 30 November: all overdue on Tuesday
# 1 December at 07:30, by 6, 4 and 1 working days.
FILED = [datetime(2026, 11, 16, 9, tzinfo=WITA), datetime(2026, 11, 18, 9, tzinfo=WITA),
         datetime(2026, 11, 23, 9, tzinfo=WITA)]
AGENCIES = ["PUPR", "DINKES", "DISDIK", "PERKIM"]
TUESDAY_MORNING = datetime(2026, 12, 1, 7, 30, tzinfo=WITA)


class Recording:
    """A transport that keeps what it was asked to send, or refuses every message for good."""

    name = "recording"

    def __init__(self, refuse: bool = False) -> None:
        self.sent: list[OutgoingMessage] = []
        self.refuse = refuse

    def send(self, message: OutgoingMessage) -> SendResult:
        if self.refuse:
            raise TransportError("63016: not a WhatsApp number", permanent=True)
        self.sent.append(message)
        return SendResult(f"sent-{message.notification_id}")


def file_overdue_week(desk, count: int = 14) -> list[str]:  # type: ignore[no-untyped-def]
    """`count` complaints filed over three days to four agencies; two in three acknowledged, none answered."""
    codes = []
    for number in range(count):
        desk.clock.set(FILED[number % 3])
        agency = AGENCIES[number % len(AGENCIES)]
        code = desk.file(agency=agency, anonymous=number % 5 == 0, phone=f"+62812555{number:04d}",
                         name=f"Warga Nomor {number}", text=f"keluhan {number}: saluran air tersumbat")
        if number % 3:
            desk.act(code, f"{agency.lower()}.admin", Action.ACKNOWLEDGE)
        codes.append(code)
    return codes


def bundles(desk) -> list[Notification]:  # type: ignore[no-untyped-def]
    return [n for n in desk.notifications() if n.recipient_id in LEADERS]


def escalate_events(desk, purpose: str) -> list[ComplaintEvent]:  # type: ignore[no-untyped-def]
    with desk.sessions() as session:
        events = session.scalars(select(ComplaintEvent).where(ComplaintEvent.action == "escalate"))
        return [e for e in events if e.data and e.data["purpose"] == purpose]


def test_the_regional_leaders_get_one_message_per_person_per_pass_listing_every_complaint(desk) -> None:
    codes = file_overdue_week(desk)
    desk.clock.set(TUESDAY_MORNING)
    report = sweep(desk.sessions, desk.settings, desk.calendar, TUESDAY_MORNING, batch_size=4)

    regional = escalate_events(desk, "escalation_regional")
    assert len(regional) == len(codes)  # the audit trail: one event per complaint and step
    assert all(set(event.data["recipients"]) == LEADERS for event in regional)
    rows = bundles(desk)
    assert sorted(row.recipient_id for row in rows) == sorted(LEADERS)
    assert report.bundled == 3
    for row in rows:
        assert row.status == "queued" and row.complaint_id is None and row.channel == "whatsapp"
        assert sorted(item["code"] for item in row.payload["items"]) == sorted(codes)
        listed = CODE.findall(row.payload["text"])
        assert listed and set(listed) < set(codes)  # the first ones in the text, all of them in the dashboard
        overdue = {item["code"]: item["overdue_days"] for item in row.payload["items"]}
        assert [overdue[code] for code in listed] == sorted((overdue[code] for code in listed), reverse=True)
        assert overdue[listed[0]] == 6
    # The unacknowledged ones also reached their agency head, one alert per complaint as before.
    heads = desk.notifications("escalation_head")
    assert {n.complaint_id for n in heads} and all(n.recipient_id.endswith(".head") for n in heads)

    transports = {"whatsapp": Recording(), "email": Recording()}
    Dispatcher(desk.sessions, transports, LogTransport(), desk.settings.notifier, "test", desk.clock).run_pass()
    to_leaders = [m for m in transports["whatsapp"].sent if m.payload.get("items")]
    assert sorted(m.address for m in to_leaders) == ["+628110000002", "+628110000003", "+628110000004"]

    again = sweep(desk.sessions, desk.settings, desk.calendar, TUESDAY_MORNING, batch_size=4)
    assert (again.escalated, again.bundled) == (0, 0)
    assert len(bundles(desk)) == 3 and len(escalate_events(desk, "escalation_regional")) == len(codes)


def test_reminders_go_to_the_agency_per_complaint_and_to_the_leaders_in_one_bundle(desk) -> None:
    codes = file_overdue_week(desk, count=6)
    desk.clock.set(TUESDAY_MORNING)
    sweep(desk.sessions, desk.settings, desk.calendar, TUESDAY_MORNING)
    thursday = datetime(2026, 12, 3, 7, 30, tzinfo=WITA)  # two working days after the regional step
    desk.clock.set(thursday)
    sweep(desk.sessions, desk.settings, desk.calendar, thursday)

    reminders = desk.notifications("reminder")
    per_complaint = [n for n in reminders if n.complaint_id is not None]
    assert {n.complaint_id for n in per_complaint} and not {n.recipient_id for n in per_complaint} & LEADERS
    assert {n.recipient_id.split(".")[1] for n in per_complaint} == {"admin", "head"}
    bundled = [n for n in reminders if n.complaint_id is None]
    assert sorted(n.recipient_id for n in bundled) == sorted(LEADERS)
    assert all(sorted(item["code"] for item in n.payload["items"]) == sorted(codes) for n in bundled)
    assert {n.level for n in bundled} == {3}
    assert len(escalate_events(desk, "reminder")) == len(codes)


def test_a_bundle_goes_to_the_first_reachable_channel_and_falls_back_to_the_next(desk) -> None:
    file_overdue_week(desk, count=3)
    with transaction(desk.sessions) as session:
        session.execute(update(OfficialContact).where(OfficialContact.official_id == "sekda",
                                                      OfficialContact.channel == "whatsapp")
                        .values(unreachable_at=FILED[0], unreachable_reason="bukan nomor WhatsApp"))
    desk.clock.set(TUESDAY_MORNING)
    sweep(desk.sessions, desk.settings, desk.calendar, TUESDAY_MORNING)
    channels = {row.recipient_id: row.channel for row in bundles(desk)}
    assert channels == {"bupati": "whatsapp", "sekda": "email", "inspektur": "whatsapp"}

    transports = {"whatsapp": Recording(refuse=True), "email": Recording()}
    dispatcher = Dispatcher(desk.sessions, transports, LogTransport(), desk.settings.notifier, "test", desk.clock)
    dispatcher.run_pass()
    dispatcher.run_pass()
    mailed = {m.address for m in transports["email"].sent if m.payload.get("items")}
    assert mailed == {"bupati@baritokuala.example.org", "sekda@baritokuala.example.org",
                      "inspektur@baritokuala.example.org"}


def test_a_bundle_never_names_an_anonymous_reporter_nor_shows_a_confidential_complaint(desk) -> None:
    desk.clock.set(FILED[0])
    hidden = desk.file(agency="PUPR", anonymous=True, name="Rahmat Hidayat", phone="+6281299991111",
                       text="pungli di loket pelayanan")
    secret = desk.file(agency="INSPEKTORAT", name="Dewi Lestari", phone="+6281299992222",
                       text="kepala bidang minta uang pelicin izin")
    desk.clock.set(TUESDAY_MORNING)
    sweep(desk.sessions, desk.settings, desk.calendar, TUESDAY_MORNING)
    with desk.sessions() as session:
        regional = set(session.scalars(select(Official.id).where(Official.role.in_(REGION_ROLES))))
    assert regional == LEADERS
    for row in bundles(desk):
        text = row.payload["text"]
        assert hidden in text and secret in text
        assert "Rahmat" not in text and "6281299991111" not in text and "(anonim)" in text
        assert "uang pelicin" not in text
