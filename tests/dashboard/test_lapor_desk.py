"""SP4N-LAPOR! and the Ombudsman on the desk, end to end: a WhatsApp complaint waits in the manual handover
queue until an operator records LAPOR!'s tracking id; a report from LAPOR! entered by an operator escalates
on LAPOR!'s dates; an unsatisfied reporter is referred to the Ombudsman with consent and the referral shows
in the recap and the digests; open data shows public complaints only."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dialog.messages import Inbound
from models.clock import FixedClock
from models.config import Role, Settings, parse_settings
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.environment import Environment
from models.escalation import sweep
from models.permissions import SYSTEM, Actor
from models.reports import monthly_recap, queue_digests, recap_text
from models.runtime import Database
from models.tables import Complaint, ComplaintEvent, Notification
from models.views import complaint_detail, complaint_summary
from notifier.lapor import LaporSteps
from web.dashboard import install_dashboard

from .conftest import post

OFFICE = {"name": "Ombudsman RI Perwakilan Kalimantan Selatan", "email": "kalsel@ombudsman.example.org",
          "phone": "0511-0000000"}
CODE = re.compile(r"BTL-[0-9A-Z]{4}-[0-9A-Z]{4}")
PUPR_ADMIN = Actor("official", "pupr.admin", Role.ADMIN, "PUPR")
CITIZEN = "+6281255550001"


@pytest.fixture
def lapor_settings(settings: Settings) -> Settings:
    raw = settings.model_dump(mode="json", exclude={"base_dir"})
    raw["lapor"] = {**raw["lapor"], "connector": "manual"}
    raw["ombudsman"] = {"office": OFFICE, "offer_after_working_days": 2}
    return parse_settings(raw, base_dir=settings.base_dir)


@pytest.fixture
def engine(lapor_settings: Settings, sessions: sessionmaker[Session], clock: FixedClock, routing_table: Any) -> Any:
    from bot.setup import build_engine

    return build_engine(lapor_settings, sessions, clock, routing_table)


@pytest.fixture
def app(lapor_settings: Settings, database: Database, engine: Any, environment: Environment) -> Flask:
    flask_app = Flask("lapor-test")
    flask_app.config["TESTING"] = True
    install_dashboard(flask_app, lapor_settings, database, engine, environment)
    return flask_app


def say(engine: Any, text: str, sender: str = CITIZEN) -> str:
    inbound = Inbound(channel="whatsapp", chat_id=sender, sender_id=sender, sender_name="Siti Rahmawati",
                      phone=sender, text=text)
    return "\n".join(reply.text for reply in engine.handle(inbound))


def file_by_whatsapp(engine: Any, privacy: str = "1") -> str:
    for text in ("jalan berlubang depan SDN 2 Marabahan", "lewati", "lewati", privacy):
        say(engine, text)
    found = CODE.search(say(engine, "ya"))
    assert found is not None
    return found.group(0)


def complaint(sessions: sessionmaker[Session], code: str) -> Complaint:
    with sessions() as session:
        found = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        _ = found.events, found.reporter, found.attachments
        return found


def outbox(sessions: sessionmaker[Session], **where: Any) -> list[Notification]:
    with sessions() as session:
        query = select(Notification).filter_by(**where).order_by(Notification.id)
        return list(session.scalars(query))


def change(sessions: sessionmaker[Session], settings: Settings, now: Any, code: str, step: Any) -> None:
    with transaction(sessions) as session:
        found = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        step(Desk(session, settings, calendar_for(settings), now), found)


# --- the manual connector --------------------------------------------------------------------------


def test_a_whatsapp_complaint_waits_in_the_lapor_queue_until_its_tracking_id_is_recorded(
        engine, lapor_settings, sessions, login, client) -> None:
    code = file_by_whatsapp(engine)
    assert complaint(sessions, code).lapor_pending_since is not None
    login("kominfo.triage")
    page = client.get("/dashboard/lapor").get_data(as_text=True)
    assert code in page and "Pekerjaan Umum dan Penataan Ruang" in page and "Pemerintah Kabupaten Barito Kuala" in page
    assert "Siti Rahmawati" in page and "jalan berlubang depan SDN 2 Marabahan" in page

    response = post(client, f"/dashboard/lapor/{code}/tracking", {"tracking_id": "4810001"})
    assert response.status_code == 303
    found = complaint(sessions, code)
    assert found.lapor_tracking_id == "4810001" and found.lapor_pending_since is None
    assert [e.data for e in found.events if e.action == "lapor_link"] == [{"tracking_id": "4810001", "via": "manual"}]
    assert code not in client.get("/dashboard/lapor").get_data(as_text=True)
    assert "4810001" in client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    with sessions() as session:
        row = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        assert complaint_summary(row)["lapor_tracking_id"] == "4810001"
        detail = complaint_detail(row, calendar_for(lapor_settings))
        assert detail["lapor_tracking_id"] == "4810001" and detail["ombudsman_referral"] is None
    # The tracking id works wherever a code does: the inbox search and the officials' chat commands.
    assert code in client.get("/dashboard/?q=4810001").get_data(as_text=True)
    assert code in client.get("/dashboard/c/4810001").get_data(as_text=True)
    info = say(engine, "INFO 4810001", sender="+62811100101")
    assert code in info and "SP4N-LAPOR!: 4810001" in info


def test_a_tracking_id_is_linked_to_one_complaint_only(engine, sessions, login, client) -> None:
    first, second = file_by_whatsapp(engine), file_by_whatsapp(engine)
    login("kominfo.triage")
    post(client, f"/dashboard/lapor/{first}/tracking", {"tracking_id": "4810002"})
    post(client, f"/dashboard/lapor/{second}/tracking", {"tracking_id": "4810002"})
    assert complaint(sessions, second).lapor_tracking_id is None
    assert complaint(sessions, second).lapor_pending_since is not None


def test_the_queue_never_shows_an_anonymous_reporters_identity(engine, sessions, login, client) -> None:
    code = file_by_whatsapp(engine, privacy="2")
    assert complaint(sessions, code).anonymous
    login("kominfo.triage")
    page = client.get("/dashboard/lapor").get_data(as_text=True)
    assert code in page and "Siti" not in page and "81255550001" not in page
    assert re.search(r"<dt>Anonim</dt><dd>Ya</dd>", page)


def test_only_the_triage_desk_works_the_lapor_queue(engine, login, client) -> None:
    login("pupr.admin")
    assert client.get("/dashboard/lapor").status_code == 403


def test_a_queue_older_than_a_working_day_reminds_the_triage_desk_once_a_day(
        engine, lapor_settings, sessions, clock) -> None:
    file_by_whatsapp(engine)
    steps = LaporSteps(lapor_settings, sessions, calendar_for(lapor_settings))
    assert steps.remind_manual_queue(clock()) == 0  # the same day: not yet
    tuesday = clock() + timedelta(days=1)
    assert steps.remind_manual_queue(tuesday) > 0
    steps.remind_manual_queue(tuesday + timedelta(hours=2))
    reminders = outbox(sessions, purpose="lapor_queue")
    assert {n.recipient_id for n in reminders} == {"kominfo.triage", "kominfo.ops"}
    assert len(reminders) == len({(n.recipient_id, n.channel) for n in reminders})
    assert "1 laporan perlu dicatat di SP4N-LAPOR!" in reminders[0].payload["text"]


# --- reports that came through LAPOR! --------------------------------------------------------------


def test_a_lapor_report_entered_by_an_operator_escalates_on_lapors_dates(
        lapor_settings, sessions, clock, login, client) -> None:
    login("kominfo.triage")
    response = post(client, "/dashboard/lapor/intake", {
        "tracking_id": "4799123", "title": "Jalan rusak", "text": "Jalan poros Anjir Pasar berlubang besar",
        "agency": "PUPR", "filed_at": "2026-11-09T09:00", "dispatched_at": "2026-11-10T10:00", "location": "Anjir"})
    assert response.status_code == 303, response.get_data(as_text=True)
    code = response.headers["Location"].rsplit("/", 1)[-1]
    calendar = calendar_for(lapor_settings)
    found = complaint(sessions, code)
    dispatched = calendar.local(found.dispatched_at or found.created_at)
    assert (found.channel, found.lapor_tracking_id, found.agency_code) == ("SP4N-LAPOR!", "4799123", "PUPR")
    assert calendar.local(found.created_at).date().isoformat() == "2026-11-09"
    assert dispatched.date().isoformat() == "2026-11-10"
    assert found.answer_due_at == calendar.due_at(dispatched, lapor_settings.sla.answer_days)
    assert found.lapor_pending_since is None  # it came from LAPOR!: nothing to hand back
    [alert] = [n for n in outbox(sessions, purpose="new_complaint", complaint_id=found.id)][:1]
    assert "SP4N-LAPOR!: 4799123" in alert.payload["text"]
    sweep(sessions, lapor_settings, calendar, clock())
    escalated = complaint(sessions, code)
    assert escalated.escalation_level >= 1
    assert outbox(sessions, purpose="escalation_head", complaint_id=found.id)


def test_pasting_lapors_notification_fills_the_intake_form(login, client) -> None:
    login("kominfo.triage")
    notification = ("Laporan baru dari SP4N-LAPOR!\nNomor Tracking: 4799555\nJudul: Lampu jalan mati\n"
                    "Isi Laporan: Lampu PJU di jalan Anjir Pasar mati\nsudah seminggu.\n"
                    "Kategori: Pekerjaan Umum dan Penataan Ruang\nInstansi Tujuan: PUPR\n"
                    "Tanggal Laporan: 16 November 2026 08.30\nAnonim: Ya\nRahasia: Tidak\n")
    page = post(client, "/dashboard/lapor/intake", {"paste": notification, "read_paste": "1"}).get_data(as_text=True)
    assert 'value="4799555"' in page and "sudah seminggu." in page and 'value="2026-11-16T08:30"' in page
    assert 'value="PUPR" selected' in page
    assert re.search(r'name="anonymous" value="1"\s+checked', page)
    assert not re.search(r'name="confidential" value="1"\s+checked', page)


def test_lapor_dates_in_the_future_are_refused(login, client, sessions) -> None:
    login("kominfo.triage")
    response = post(client, "/dashboard/lapor/intake", {
        "tracking_id": "4799124", "text": "Jalan poros Anjir Pasar berlubang besar", "filed_at": "2027-01-05T09:00"})
    assert response.status_code == 400
    with sessions() as session:
        assert session.scalars(select(Complaint)).first() is None


# --- the Ombudsman path ----------------------------------------------------------------------------


def test_an_unsatisfied_reporter_is_referred_to_the_ombudsman_with_consent_and_it_shows_in_the_recap(
        engine, lapor_settings, sessions, clock, login, client) -> None:
    code = file_by_whatsapp(engine)
    change(sessions, lapor_settings, clock(), code, lambda desk, c: desk.answer(c, PUPR_ADMIN, "sudah"))
    assert "belum" in say(engine, "tidak").lower() or complaint(sessions, code).status == "reopened"
    change(sessions, lapor_settings, clock(), code, lambda desk, c: desk.answer(c, PUPR_ADMIN, "sudah lagi"))
    change(sessions, lapor_settings, clock(), code,
           lambda desk, c: (setattr(c, "satisfied", False), desk.close(c, SYSTEM, "batas tanggapan lewat")))
    offer = outbox(sessions, recipient_kind="reporter")[-1]
    assert f"OMBUDSMAN {code}" in offer.payload["text"] and OFFICE["name"] in offer.payload["text"]

    answer = say(engine, f"ombudsman {code}")
    assert code in answer and OFFICE["name"] in answer
    found = complaint(sessions, code)
    assert found.ombudsman_office == OFFICE["name"] and found.ombudsman_referred_at == clock()
    [event] = [e for e in found.events if e.action == "ombudsman_referral"]
    assert event.data == {"office": OFFICE["name"], "with_identity": False}
    [mail] = outbox(sessions, purpose="ombudsman_referral", channel="email")
    assert mail.address == OFFICE["email"] and code in mail.payload["text"]
    assert "Siti" not in mail.payload["text"] and "81255550001" not in mail.payload["text"]
    [steps] = outbox(sessions, purpose="ombudsman_referral", recipient_kind="reporter")
    assert "14 hari" in steps.payload["text"]
    assert say(engine, f"OMBUDSMAN {code}").startswith(f"Laporan {code} sudah dirujuk")  # once only

    with sessions() as session:
        row = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        referral = complaint_detail(row, calendar_for(lapor_settings))["ombudsman_referral"]
        assert referral == {"at": clock().isoformat(), "office": OFFICE["name"]}
        recap = monthly_recap(session, calendar_for(lapor_settings), "2026-11")
    assert [item["code"] for item in recap["ombudsman_referrals"]] == [code]
    assert f"{code} (PUPR) ke {OFFICE['name']}" in recap_text(recap, lapor_settings)
    login("kominfo.triage")
    assert "Dirujuk ke Ombudsman" in client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    tuesday_morning = clock() + timedelta(days=1)
    with transaction(sessions) as session:
        queue_digests(session, lapor_settings, calendar_for(lapor_settings), tuesday_morning)
    digests = outbox(sessions, purpose="digest")
    told = {n.recipient_id for n in digests if code in n.payload["text"]}
    assert {"bupati", "inspektur"} <= told


def test_consent_with_identity_sends_the_reporters_name_to_the_office(engine, lapor_settings, sessions,
                                                                     clock) -> None:
    code = file_by_whatsapp(engine)
    change(sessions, lapor_settings, clock(), code, lambda desk, c: desk.offer_ombudsman(c, "test"))
    say(engine, f"OMBUDSMAN {code} IDENTITAS")
    [mail] = outbox(sessions, purpose="ombudsman_referral", channel="email")
    assert "Siti Rahmawati" in mail.payload["text"] and CITIZEN in mail.payload["text"]


def test_no_referral_without_an_offer_and_none_for_another_citizens_complaint(engine, sessions) -> None:
    code = file_by_whatsapp(engine)
    assert "belum dapat dirujuk" in say(engine, f"OMBUDSMAN {code}")
    assert "tidak ditemukan" in say(engine, f"OMBUDSMAN {code}", sender="+6281299990000")
    assert complaint(sessions, code).ombudsman_referred_at is None
    assert not outbox(sessions, purpose="ombudsman_referral")


def test_an_unanswered_complaint_is_offered_the_ombudsman_after_the_regional_head_was_alerted(
        engine, lapor_settings, sessions, clock) -> None:
    code = file_by_whatsapp(engine)
    calendar = calendar_for(lapor_settings)
    moment = clock()
    for _ in range(30):  # morning by morning until the sweep reached the regional head
        moment += timedelta(days=1)
        sweep(sessions, lapor_settings, calendar, moment)
        if complaint(sessions, code).escalation_level >= 2:
            break
    with sessions() as session:
        alerted = session.scalars(select(ComplaintEvent.at).where(ComplaintEvent.action == "escalate")
                                  .order_by(ComplaintEvent.id)).all()[-1]
    assert LaporSteps(lapor_settings, sessions, calendar).offer_ombudsman(alerted + timedelta(hours=1)) == 0
    later = calendar.due_at(alerted, 2) + timedelta(hours=9)
    assert LaporSteps(lapor_settings, sessions, calendar).offer_ombudsman(later) == 1
    assert LaporSteps(lapor_settings, sessions, calendar).offer_ombudsman(later) == 0
    [offer] = outbox(sessions, purpose="ombudsman_offer")
    assert offer.address == CITIZEN and f"OMBUDSMAN {code}" in offer.payload["text"]


# --- open data -------------------------------------------------------------------------------------


def publish(sessions: sessionmaker[Session], code: str, text: str | None) -> None:
    with transaction(sessions) as session:
        session.scalars(select(Complaint).where(Complaint.code == code)).one().public_text = text


def test_open_data_shows_public_complaints_only_without_identities(engine, lapor_settings, sessions, clock,
                                                                   client) -> None:
    public, confidential, unmoderated = file_by_whatsapp(engine), file_by_whatsapp(engine), file_by_whatsapp(engine)
    publish(sessions, public, "Jalan berlubang di depan SDN 2 Marabahan")
    publish(sessions, confidential, "Jalan berlubang (rahasia)")
    with transaction(sessions) as session:
        session.scalars(select(Complaint).where(Complaint.code == confidential)).one().confidential = True
    data = client.get("/data/complaints.json").get_json()
    assert data["total"] == 1 and [item["code"] for item in data["items"]] == [public]
    item = data["items"][0]
    assert item["text"] == "Jalan berlubang di depan SDN 2 Marabahan" and item["agency"] == "PUPR"
    assert item["filed"] == "2026-11-23" and item["status"] == "dispatched"
    assert "Siti" not in str(data) and "81255550001" not in str(data) and unmoderated not in str(data)
    csv = client.get("/data/complaints.csv").get_data(as_text=True)
    assert csv.splitlines()[0].startswith("code,lapor_tracking_id,text,category,agency")
    assert public in csv and confidential not in csv


def test_open_data_is_paged_and_cached(engine, sessions, clock, client) -> None:
    codes = [file_by_whatsapp(engine) for _ in range(3)]
    for code in codes:
        publish(sessions, code, f"Jalan berlubang {code}")
    first = client.get("/data/complaints.json?page=1&per_page=2").get_json()
    second = client.get("/data/complaints.json?page=2&per_page=2").get_json()
    assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == (3, 2, 2, 1)
    assert {i["code"] for i in first["items"] + second["items"]} == set(codes)
    whole = client.get("/data/complaints.json").get_json()
    publish(sessions, codes[0], None)
    assert client.get("/data/complaints.json").get_json() == whole  # the usual page size is cached ...
    assert client.get("/data/complaints.json?page=1&per_page=2").get_json()["total"] == 2  # ... odd ones are not
    clock.advance(seconds=301)
    assert client.get("/data/complaints.json").get_json()["total"] == 2


def test_the_triage_desk_records_a_consent_given_by_phone(engine, lapor_settings, sessions, clock, login,
                                                          client) -> None:
    code = file_by_whatsapp(engine)
    change(sessions, lapor_settings, clock(), code, lambda desk, c: desk.offer_ombudsman(c, "test"))
    login("kominfo.triage")
    assert "Catat persetujuan pelapor" in client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    assert post(client, f"/dashboard/c/{code}/ombudsman", {}).status_code == 303
    found = complaint(sessions, code)
    assert found.ombudsman_office == OFFICE["name"]
    assert [e.actor_id for e in found.events if e.action == "ombudsman_referral"] == ["kominfo.triage"]


def test_a_misconduct_report_never_enters_the_lapor_queue(lapor_settings, sessions, clock) -> None:
    with transaction(sessions) as session:
        desk = Desk(session, lapor_settings, calendar_for(lapor_settings), clock())
        reporter = desk.reporter_for("whatsapp", CITIZEN, "Siti", CITIZEN)
        code = desk.file(NewComplaint(reporter=reporter, text="petugas minta uang pelicin di kantor dinas",
                                      channel="whatsapp", agency_code="PUPR", misconduct=True,
                                      subject_agency_code="PUPR"), dispatch=True).code
    found = complaint(sessions, code)
    assert found.agency_code == "INSPEKTORAT" and found.lapor_pending_since is None


def test_open_data_has_a_per_address_budget(lapor_settings, database, engine, environment) -> None:
    raw = lapor_settings.model_dump(mode="json", exclude={"base_dir"})
    raw["security"] = {**raw["security"], "public_requests_per_minute": 2}
    tight = Flask("lapor-budget-test")
    install_dashboard(tight, parse_settings(raw, base_dir=lapor_settings.base_dir), database, engine, environment)
    browser = tight.test_client()
    answers = [browser.get(url).status_code for url in ("/data/complaints.json", "/data/complaints.csv",
                                                         "/data/complaints.json?page=2")]
    assert answers == [200, 200, 429]
    assert browser.get("/data/complaints.csv").headers["Retry-After"]


def test_words_that_merely_start_with_ombudsman_stay_with_the_dialog(engine) -> None:
    answer = say(engine, "ombudsman tidak membantu, jalan di depan rumah rusak parah")
    assert "tidak ditemukan di antara laporan Anda" not in answer
