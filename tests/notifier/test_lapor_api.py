"""The SP4N-LAPOR! API connector against a local fake of the configured contract: handovers go through the
outbox, the tracking id LAPOR! answers with is stored, status changes are pushed, failures are retried or
given up as the contract's answers say."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fake_lapor import TOKEN, FakeLapor, api_config
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.clock import FixedClock
from models.config import ConfigError, Role, Settings, parse_settings
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.environment import Environment
from models.notification import NotificationStatus
from models.permissions import Actor
from models.tables import Complaint, Notification
from notifier.service import Notifier, build_transports

PUPR_ADMIN = Actor("official", "pupr.admin", Role.ADMIN, "PUPR")


def with_lapor(settings: Settings, lapor: dict[str, Any]) -> Settings:
    raw = settings.model_dump(mode="json", exclude={"base_dir"})
    raw["lapor"] = {**raw["lapor"], **lapor}
    return parse_settings(raw, base_dir=settings.base_dir)


@pytest.fixture
def fake() -> Iterator[FakeLapor]:
    server = FakeLapor().start()
    yield server
    server.stop()


@pytest.fixture
def lapor_settings(settings: Settings, fake: FakeLapor) -> Settings:
    return with_lapor(settings, api_config(fake))


@pytest.fixture
def notifier(lapor_settings: Settings, sessions: sessionmaker[Session], clock: FixedClock) -> Notifier:
    transports = build_transports(lapor_settings, Environment.of({"LAPOR_API_TOKEN": TOKEN}))
    return Notifier(lapor_settings, sessions, clock, transports)


def file_whatsapp(sessions: sessionmaker[Session], settings: Settings, clock: FixedClock,
                  anonymous: bool = False) -> str:
    with transaction(sessions) as session:
        desk = Desk(session, settings, calendar_for(settings), clock())
        reporter = desk.reporter_for("whatsapp", "+6281255550001", "Siti Rahmawati", "+6281255550001")
        return desk.file(NewComplaint(reporter=reporter, text="jalan berlubang depan SDN 2 Marabahan",
                                      anonymous=anonymous, channel="whatsapp", agency_code="PUPR"),
                         dispatch=True).code


def act(sessions: sessionmaker[Session], settings: Settings, clock: FixedClock, code: str, verb: str,
        note: str | None = None) -> None:
    with transaction(sessions) as session:
        complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
        desk = Desk(session, settings, calendar_for(settings), clock())
        {"ack": lambda: desk.acknowledge(complaint, PUPR_ADMIN),
         "answer": lambda: desk.answer(complaint, PUPR_ADMIN, note or "sudah ditambal")}[verb]()


def complaint(sessions: sessionmaker[Session], code: str) -> Complaint:
    with sessions() as session:
        return session.scalars(select(Complaint).where(Complaint.code == code)).one()


def lapor_rows(sessions: sessionmaker[Session]) -> list[Notification]:
    with sessions() as session:
        return list(session.scalars(select(Notification).where(Notification.channel == "lapor_api")
                                    .order_by(Notification.id)))


def test_a_dispatched_whatsapp_complaint_is_handed_to_lapor_and_its_tracking_id_stored(
        lapor_settings, sessions, clock, fake, notifier) -> None:
    code = file_whatsapp(sessions, lapor_settings, clock)
    notifier.run_once()
    found = complaint(sessions, code)
    [(tracking_id, report)] = fake.reports.items()
    assert found.lapor_tracking_id == tracking_id and found.lapor_pending_since is None
    assert report["id_referensi"] == code and report["rahasia"] is False and report["anonim"] is False
    assert report["kategori"] == "Pekerjaan Umum dan Penataan Ruang"
    assert report["instansi"] == "Pemerintah Kabupaten Barito Kuala"
    assert report["nama_pelapor"] == "Siti Rahmawati"


def test_an_anonymous_reporters_identity_never_reaches_lapor(lapor_settings, sessions, clock, fake, notifier) -> None:
    file_whatsapp(sessions, lapor_settings, clock, anonymous=True)
    notifier.run_once()
    [report] = fake.reports.values()
    assert report["anonim"] is True and report["nama_pelapor"] is None and report["telepon_pelapor"] is None
    assert "Siti" not in str(report) and "6281255550001" not in str(report)


def test_each_status_change_after_the_link_is_pushed_to_lapor_once(lapor_settings, sessions, clock, fake,
                                                                   notifier) -> None:
    code = file_whatsapp(sessions, lapor_settings, clock)
    notifier.run_once()
    act(sessions, lapor_settings, clock, code, "ack")
    act(sessions, lapor_settings, clock, code, "answer", "lubang sudah ditambal")
    notifier.run_once()
    notifier.run_once()
    tracking_id = complaint(sessions, code).lapor_tracking_id
    assert [(tid, body["status"], body["tindak_lanjut"]) for tid, body in fake.follow_ups] == [
        (tracking_id, "diproses", None), (tracking_id, "ditindaklanjuti", "lubang sudah ditambal")]


def test_a_change_made_before_lapor_answered_is_pushed_once_the_tracking_id_arrives(
        lapor_settings, sessions, clock, fake, notifier) -> None:
    code = file_whatsapp(sessions, lapor_settings, clock)
    act(sessions, lapor_settings, clock, code, "answer", "sudah ditambal")  # before any pass: no id yet
    notifier.run_once()
    assert [body["status"] for _, body in fake.follow_ups] == ["ditindaklanjuti"]
    assert complaint(sessions, code).lapor_tracking_id is not None


def test_lapor_down_is_retried_later_and_then_acknowledged(lapor_settings, sessions, clock, fake, notifier) -> None:
    code = file_whatsapp(sessions, lapor_settings, clock)
    fake.fail_next(503)
    notifier.run_once()
    [row] = lapor_rows(sessions)
    assert row.status == NotificationStatus.QUEUED and row.attempts == 1 and "503" in (row.last_error or "")
    assert complaint(sessions, code).lapor_pending_since is not None
    clock.advance(hours=1)
    notifier.run_once()
    assert complaint(sessions, code).lapor_tracking_id in fake.reports


def test_lapors_rate_limit_answer_is_respected(lapor_settings, sessions, clock, fake, notifier) -> None:
    file_whatsapp(sessions, lapor_settings, clock)
    fake.fail_next(429, {"Retry-After": "120"})
    notifier.run_once()
    [row] = lapor_rows(sessions)
    assert row.status == NotificationStatus.QUEUED and row.next_attempt_at >= clock() + timedelta(seconds=119)


def test_a_refused_report_is_given_up_at_once_and_stays_in_the_queue(lapor_settings, sessions, clock, fake,
                                                                      notifier) -> None:
    code = file_whatsapp(sessions, lapor_settings, clock)
    fake.fail_next(422)
    notifier.run_once()
    [row] = lapor_rows(sessions)
    assert row.status == NotificationStatus.FAILED and "422" in (row.last_error or "")
    assert complaint(sessions, code).lapor_pending_since is not None  # an operator sees it on the queue page


def test_a_wrong_token_is_retried_not_given_up(lapor_settings, sessions, clock, fake) -> None:
    transports = build_transports(lapor_settings, Environment.of({"LAPOR_API_TOKEN": "wrong"}))
    notifier = Notifier(lapor_settings, sessions, clock, transports)
    file_whatsapp(sessions, lapor_settings, clock)
    notifier.run_once()
    [row] = lapor_rows(sessions)
    assert row.status == NotificationStatus.QUEUED and "401" in (row.last_error or "")


def test_the_api_connector_without_its_token_refuses_to_start(lapor_settings) -> None:
    with pytest.raises(ValueError, match="LAPOR_API_TOKEN"):
        build_transports(lapor_settings, Environment.of({}))


@pytest.mark.parametrize(("lapor", "message"), [
    ({"connector": "api"}, "lapor.api.base_url: required"),
    ({"connector": "sometimes"}, "lapor.connector"),
    ({"topics": {"Jalan Tol": "Pekerjaan Umum"}}, "lapor.topics['Jalan Tol']: not a category"),
    ({"api": {"fields": {"nik": "nik"}}}, "lapor.api.fields"),
    ({"remind_after_working_days": 0}, "lapor.remind_after_working_days"),
])
def test_lapor_config_mistakes_name_the_key(settings: Settings, lapor: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        with_lapor(settings, lapor)


def test_an_ombudsman_office_needs_an_email_address(settings: Settings) -> None:
    raw = settings.model_dump(mode="json", exclude={"base_dir"})
    raw["ombudsman"] = {"office": {"name": "Ombudsman RI Perwakilan Kalsel", "email": "kalsel"}}
    with pytest.raises(ConfigError, match=r"ombudsman.office.email: 'kalsel' is not an e-mail address"):
        parse_settings(raw, base_dir=settings.base_dir)
