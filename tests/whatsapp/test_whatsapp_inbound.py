"""Citizens' WhatsApp messages reach the engine only when Twilio signed them, and get TwiML back."""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select
from twilio_support import CITIZEN, PUBLIC, Twilio, sign
from werkzeug.serving import make_server

from models.desk import calendar_for
from models.tables import ChatSession, Complaint, InboundMessage, OfficialContact, Reporter
from models.views import complaint_detail

PATH = "/webhooks/twilio/whatsapp"
JPEG = b"\xff\xd8\xff\xe0" + b"photo-bytes" * 100


def bodies(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.text or "" for m in ET.fromstring(response.get_data(as_text=True)).iter("Message")]


def said(response) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(bodies(response))


def count(sessions, table) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def the_complaint(sessions, settings) -> dict:  # type: ignore[no-untyped-def,type-arg]
    with sessions() as session:
        complaint = session.scalars(select(Complaint)).one()
        return complaint_detail(complaint, calendar_for(settings))


def test_a_full_complaint_over_whatsapp_keeps_its_photo_and_location(twilio: Twilio, message, fake_twilio,
                                                                     sessions, wa_settings, download_photos) -> None:
    photo_url = fake_twilio.add_media("ME1", JPEG, "image/jpeg")
    assert "lokasi" in said(twilio.post(PATH, message("jalan berlubang depan SDN 2 Marabahan rusak parah")))
    shared = message(Latitude="-2.9866", Longitude="114.7514", Address="Jl. Panglima Batur, Marabahan")
    assert "foto" in said(twilio.post(PATH, shared)).lower()
    photo = message(NumMedia="1", MediaUrl0=photo_url, MediaContentType0="image/jpeg")
    assert "kerahasiaan" in said(twilio.post(PATH, photo)).lower()
    assert "Pekerjaan Umum" in said(twilio.post(PATH, message("1")))
    filed = said(twilio.post(PATH, message("ya")))
    assert [r for r in fake_twilio.requests if r.method == "GET"] == []  # not while Twilio waits for TwiML
    assert download_photos().done == 1

    shown = the_complaint(sessions, wa_settings)
    assert shown["code"] in filed and shown["channel"] == "whatsapp" and shown["agency"] == "PUPR"
    assert shown["location"] == {"latitude": -2.9866, "longitude": 114.7514,
                                 "text": "Jl. Panglima Batur, Marabahan"}
    assert shown["reporter"]["name"] == "Siti Aminah" and shown["reporter"]["phone"] == CITIZEN
    [attachment] = shown["attachments"]
    assert attachment["content_type"] == "image/jpeg" and attachment["size_bytes"] == len(JPEG)
    assert Path(attachment["storage_path"]).read_bytes() == JPEG
    media_get = [r for r in fake_twilio.requests if r.method == "GET"]
    assert [r.auth for r in media_get] == [(fake_twilio.account_sid, fake_twilio.auth_token)]


def test_a_bad_signature_is_refused_and_stores_nothing(twilio: Twilio, message, sessions) -> None:
    response = twilio.post(PATH, message("jalan rusak parah sekali di desa kami"), signature="bm9wZQ==")
    assert response.status_code == 403
    assert count(sessions, InboundMessage) == count(sessions, ChatSession) == count(sessions, Reporter) == 0


def test_a_missing_signature_is_refused(twilio: Twilio, message, sessions) -> None:
    assert twilio.post(PATH, message("halo"), signature=None).status_code == 403
    assert count(sessions, InboundMessage) == 0


def test_a_form_changed_after_signing_is_refused(twilio: Twilio, message, sessions) -> None:
    form = message("halo")
    signature = sign(PUBLIC + PATH, form)
    assert twilio.post(PATH, {**form, "Body": "hapus data saya"}, signature=signature).status_code == 403


def test_the_query_string_is_part_of_what_is_signed(twilio: Twilio, message) -> None:
    form = message("halo")
    assert twilio.post(PATH + "?src=lapor", form, signed_url=PUBLIC + PATH + "?src=lapor").status_code == 200
    assert twilio.post(PATH + "?src=lapor", message("halo"), signed_url=PUBLIC + PATH).status_code == 403


def test_a_replayed_message_sid_is_answered_the_same_and_creates_nothing(twilio: Twilio, message,
                                                                        sessions) -> None:
    form = message("jalan berlubang depan SDN 2 Marabahan rusak parah")
    first = twilio.post(PATH, form)
    twilio.post(PATH, message("depan SDN 2"))
    again = twilio.post(PATH, form)
    assert again.status_code == 200 and said(again) == said(first)
    assert count(sessions, InboundMessage) == 2
    with sessions() as session:
        assert session.scalars(select(ChatSession.state)).one() == "await_photo"


@pytest.mark.parametrize("form", [
    {"Body": "tanpa pengirim", "MessageSid": "SM" + "a" * 32},
    {"From": "whatsapp:+628123", "Body": "tanpa sid"},
    {"From": "whatsapp:+628123", "MessageSid": "SM" + "a" * 32, "NumMedia": "banyak"},
    {"From": "whatsapp:+628123", "MessageSid": "SM" + "a" * 32, "NumMedia": "1"},
    {"From": "whatsapp:+628123", "MessageSid": "SM" + "a" * 32, "Latitude": "utara", "Longitude": "1"},
    {"From": "whatsapp:+628123", "MessageSid": "SM" + "a" * 32, "Latitude": "91", "Longitude": "1"},
    {"From": "whatsapp:<script>", "MessageSid": "SM" + "a" * 32},
])
def test_a_malformed_but_signed_request_gets_400_not_500(twilio: Twilio, form, sessions) -> None:
    assert twilio.post(PATH, form).status_code == 400
    assert count(sessions, InboundMessage) == 0


def test_a_voice_note_gets_a_polite_request_for_text(twilio: Twilio, message, fake_twilio) -> None:
    url = fake_twilio.add_media("ME2", b"OggS", "audio/ogg")
    reply = said(twilio.post(PATH, message(NumMedia="1", MediaUrl0=url, MediaContentType0="audio/ogg")))
    assert "pesan suara" in reply and "teks" in reply


def test_behind_a_trusted_proxy_the_forwarded_url_is_the_one_signed(app: Flask, message, sessions, db_engine,
                                                                    wa_settings, engine, environment) -> None:
    from models.runtime import Database
    from web import create_app

    proxied = create_app(wa_settings, environment.replace(trust_proxy=True, public_base_url=None),
                         database=Database(db_engine, sessions), engine=engine)
    twilio = Twilio(proxied.test_client(), public="https://aduan.example.go.id")
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "aduan.example.go.id"}
    assert twilio.post(PATH, message("halo"), headers=headers).status_code == 200
    assert twilio.post(PATH, message("halo"), headers={"X-Forwarded-Proto": "http"}).status_code == 403


def test_without_trust_proxy_forwarded_headers_are_ignored(twilio: Twilio, message) -> None:
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    response = twilio.post(PATH, message("halo"), headers=headers, signed_url="https://evil.example" + PATH)
    assert response.status_code == 403


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_real_server_on_loopback_answers_signed_twilio_posts(live_server: str, message, sessions) -> None:
    form = message("sampah numpuk di TPS pasar tidak diangkut seminggu")
    signature = sign(PUBLIC + PATH, form)
    response = requests.post(live_server + PATH, data=form, headers={"X-Twilio-Signature": signature}, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/xml")
    assert re.search(r"<Message>.*lokasi", response.text, re.S)
    unsigned = requests.post(live_server + PATH, data=form, timeout=10)
    assert unsigned.status_code == 403 and count(sessions, InboundMessage) == 1


def test_an_officials_message_opens_their_24_hour_window(twilio: Twilio, message, sessions, clock) -> None:
    twilio.post(PATH, message("halo", sender="whatsapp:+628110000001"))
    with sessions() as session:
        contact = session.scalars(select(OfficialContact).where(OfficialContact.address == "+628110000001",
                                                                OfficialContact.channel == "whatsapp")).one()
        assert contact.last_inbound_at == clock()


def test_officials_never_learn_who_an_anonymous_whatsapp_reporter_is(twilio: Twilio, message, sessions, settings,
                                                                     clock, environment, fake_twilio) -> None:
    import io
    import random

    from notifier.dispatcher import Dispatcher
    from notifier.transports import LogTransport
    from notifier.transports.whatsapp import from_environment

    for text in ("jalan berlubang depan SDN 2 Marabahan rusak parah", "depan SDN 2", "lewati", "2", "ya"):
        twilio.post(PATH, message(text))
    transport = from_environment(settings, environment, clock=clock)
    Dispatcher(sessions, {"whatsapp": transport}, LogTransport(io.StringIO()), settings.notifier, "n1", clock,
               random.Random(1)).run_pass()
    posted = fake_twilio.messages()
    assert posted, "the agency admin was alerted over WhatsApp"
    for form in posted:
        assert "Siti" not in str(form) and CITIZEN not in str(form) and CITIZEN[1:] not in str(form)


def file_with_photo(twilio: Twilio, message, url: str, content_type: str = "image/jpeg") -> None:  # type: ignore[no-untyped-def]
    twilio.post(PATH, message("jalan berlubang depan SDN 2 Marabahan rusak parah", NumMedia="1", MediaUrl0=url,
                              MediaContentType0=content_type))
    for text in ("depan SDN 2", "1", "ya"):
        twilio.post(PATH, message(text))


def test_an_oversized_photo_is_kept_as_a_link_but_not_stored(twilio: Twilio, message, fake_twilio,
                                                            sessions, wa_settings, download_photos) -> None:
    url = fake_twilio.add_media("ME3", b"\xff\xd8" + b"x" * wa_settings.intake.max_media_bytes, "image/jpeg")
    file_with_photo(twilio, message, url)
    assert download_photos().done == 1
    [attachment] = the_complaint(sessions, wa_settings)["attachments"]
    assert attachment["storage_path"] is None and attachment["kind"] == "photo"


def test_media_on_a_host_that_is_not_twilio_is_never_fetched_with_our_credentials(
        twilio: Twilio, message, fake_twilio, sessions, wa_settings, download_photos) -> None:
    url = fake_twilio.add_media("ME4", JPEG, "image/jpeg").replace("127.0.0.1", "localhost")
    file_with_photo(twilio, message, url)
    assert download_photos().done == 1
    assert [r for r in fake_twilio.requests if r.method == "GET"] == []
    assert the_complaint(sessions, wa_settings)["attachments"][0]["storage_path"] is None


def test_a_huge_message_is_cut_in_the_wing_before_the_engine_sees_it(
        wa_settings, sessions, clock, routing_table, environment, db_engine, message) -> None:  # type: ignore[no-untyped-def]
    from bot.dialog.engine import Engine
    from bot.dialog.messages import inbound_limit
    from models.runtime import Database
    from web import create_app

    lengths: list[int] = []

    class RecordingEngine(Engine):
        def handle(self, inbound):  # type: ignore[no-untyped-def]
            lengths.append(len(inbound.text))
            return super().handle(inbound)

    engine = RecordingEngine(wa_settings, sessions, routing_table, clock)
    app = create_app(wa_settings, environment, database=Database(db_engine, sessions), engine=engine)
    reply = said(Twilio(app.test_client()).post(PATH, message("jalan rusak " * 18_000)))  # 198,000 characters
    assert lengths and max(lengths) <= inbound_limit(wa_settings)
    assert "terlalu panjang" in reply
