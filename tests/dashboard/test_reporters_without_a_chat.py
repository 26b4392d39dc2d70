"""Reporters from the web chat, by phone, at the desk and through Open311 leave a number or an e-mail
address and hear back there; without one, their updates are recorded as "no channel", never as "sent"."""

from __future__ import annotations

import io
import random

from sqlalchemy import select

from models.db import transaction
from models.desk import Desk, calendar_for
from models.directory import official_actor
from models.notification import NotificationStatus
from models.permissions import Action
from models.tables import Complaint, Notification
from notifier.dispatcher import Dispatcher
from notifier.transports import LogTransport
from tests.dashboard.conftest import chat_form, post

FILING = ["jalan berlubang depan SDN 2 Marabahan sudah tiga bulan", "depan SDN 2 Marabahan", "lewati", "1", "ya"]


def answer(settings, sessions, clock, code: str, text: str = "Lubang sudah ditambal kemarin.") -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as db:
        complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
        desk = Desk(db, settings, calendar_for(settings), clock())
        if complaint.agency_code is None:
            desk.act(complaint, official_actor(db, "kominfo.triage"), Action.DISPATCH, to_agency="PUPR")
        desk.act(complaint, official_actor(db, "pupr.admin"), Action.ANSWER, note=text)


def relays(sessions, code: str) -> list[Notification]:  # type: ignore[no-untyped-def]
    with sessions() as db:
        return list(db.scalars(select(Notification).join(Complaint).where(
            Complaint.code == code, Notification.recipient_kind == "reporter").order_by(Notification.id)))


def deliver(settings, sessions, clock) -> None:  # type: ignore[no-untyped-def]
    log = LogTransport(io.StringIO())
    Dispatcher(sessions, {}, log, settings.notifier, "test", clock, random.Random(1)).run_pass()


def only_code(sessions) -> str:  # type: ignore[no-untyped-def]
    with sessions() as db:
        return db.scalars(select(Complaint.code)).one()


def test_a_walk_in_without_number_or_email_is_recorded_as_no_channel_never_sent(
        client, login, sessions, settings, clock) -> None:
    login("kominfo.triage")
    page = client.get("/dashboard/intake").get_data(as_text=True)
    assert 'name="email"' in page
    post(client, "/dashboard/intake", {"channel": "walk_in", "name": "Pak Darto", "agency": "PUPR",
                                       "text": "Lampu jalan di depan pasar Marabahan mati sejak seminggu"})
    code = only_code(sessions)
    answer(settings, sessions, clock, code)
    deliver(settings, sessions, clock)
    statuses = [relay.status for relay in relays(sessions, code)]
    assert statuses and set(statuses) == {NotificationStatus.NO_CHANNEL}


def test_a_phone_reporter_hears_back_by_sms_on_the_number_they_gave(client, login, sessions, settings,
                                                                    clock) -> None:
    login("kominfo.triage")
    post(client, "/dashboard/intake", {"channel": "phone", "name": "Ibu Sari", "phone": "0812-5555-0009",
                                       "agency": "PUPR", "text": "Jalan rusak parah di Jl. Pramuka dekat masjid"})
    code = only_code(sessions)
    answer(settings, sessions, clock, code)
    [*_, relay] = relays(sessions, code)
    assert (relay.channel, relay.address, relay.status) == ("sms", "+6281255550009", "queued")
    assert "Lubang sudah ditambal kemarin." in relay.payload["text"]


def test_an_open311_reporter_with_an_email_hears_back_by_email(client, sessions, settings, clock) -> None:
    form = {"api_key": "key-one", "service_code": "PUPR", "email": "warga@contoh.id",
            "description": "Jembatan kayu di desa Anjir licin dan papannya lepas"}
    assert client.post("/open311/v2/requests.json", data=form).status_code == 201
    code = only_code(sessions)
    answer(settings, sessions, clock, code)
    [*_, relay] = relays(sessions, code)
    assert (relay.channel, relay.address, relay.status) == ("email", "warga@contoh.id", "queued")


def test_a_web_chat_reporter_is_asked_for_a_contact_and_earlier_updates_follow_it(client, sessions, settings,
                                                                                   clock) -> None:
    for number, said in enumerate(FILING):
        post(client, "/chat", chat_form(client, {"text": said, "nonce": f"step-{number}"}))
    code = only_code(sessions)
    page = client.get("/chat").get_data(as_text=True)
    assert code in page and "nomor WhatsApp/HP atau alamat e-mail" in page
    answer(settings, sessions, clock, code)  # answered before the citizen left a number
    assert [r.status for r in relays(sessions, code)][-1] == NotificationStatus.NO_CHANNEL
    post(client, "/chat", {"text": "0812 5555 0007", "nonce": "contact"})
    assert "+6281255550007" in client.get("/chat").get_data(as_text=True)
    waiting = relays(sessions, code)
    assert all(r.status == NotificationStatus.QUEUED and (r.channel, r.address) == ("sms", "+6281255550007")
               for r in waiting)
    assert any("Lubang sudah ditambal kemarin." in r.payload["text"] for r in waiting)


def test_a_web_chat_reporter_who_skips_stays_without_a_channel(client, sessions, settings, clock) -> None:
    for number, said in enumerate([*FILING, "lewati"]):
        post(client, "/chat", chat_form(client, {"text": said, "nonce": f"step-{number}"}))
    code = only_code(sessions)
    answer(settings, sessions, clock, code)
    deliver(settings, sessions, clock)
    assert {r.status for r in relays(sessions, code)} == {NotificationStatus.NO_CHANNEL}


def test_an_email_left_in_the_web_chat_is_wiped_with_the_rest_of_the_identity(client, sessions, settings,
                                                                              clock) -> None:
    for number, said in enumerate([*FILING, "rina.w@contoh.id"]):
        post(client, "/chat", chat_form(client, {"text": said, "nonce": f"step-{number}"}))
    code = only_code(sessions)
    answer(settings, sessions, clock, code)
    assert (relays(sessions, code)[-1].channel, relays(sessions, code)[-1].address) == ("email", "rina.w@contoh.id")
    post(client, "/chat", {"text": "hapus data saya", "nonce": "erase-1"})
    post(client, "/chat", {"text": "ya", "nonce": "erase-2"})
    with sessions() as db:
        reporter = db.scalars(select(Complaint).where(Complaint.code == code)).one().reporter
        assert (reporter.email, reporter.erased_at is not None) == (None, True)
    assert all("rina.w@contoh.id" not in (r.address + str(r.payload)) for r in relays(sessions, code))
