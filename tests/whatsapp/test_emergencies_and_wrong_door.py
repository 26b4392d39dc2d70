"""Emergencies and no wrong door over WhatsApp and SMS, as Twilio posts them (signed forms): the first reply
gives the numbers to call or the body to go to, the complaint is stored with its emergency flag and agency,
and the officials on duty hear at once, at night and on weekends."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from twilio_support import Twilio

from bot.dialog.messages import Choice, Reply
from bot.whatsapp.replies import reply_pieces
from bot.whatsapp.segments import is_gsm
from models.clock import FixedClock
from models.tables import Complaint, Notification

PATH = "/webhooks/twilio/whatsapp"
FEATURE_PHONE = "+6285255550002"
WITA = ZoneInfo("Asia/Makassar")


def bodies(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.text or "" for m in ET.fromstring(response.get_data(as_text=True)).iter("Message")]


def sunday_2am(clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 29, 2, 0, tzinfo=WITA))


def stored(sessions) -> list[Complaint]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return list(session.scalars(select(Complaint).order_by(Complaint.id)))


def alerts(sessions, complaint: Complaint) -> list[Notification]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        query = select(Notification).where(Notification.complaint_id == complaint.id,
                                           Notification.recipient_kind == "official")
        return list(session.scalars(query))


def test_people_trapped_by_a_flood_at_two_on_sunday_get_112_first_and_the_bpbd_duty_official_at_once(
        twilio: Twilio, message, sessions, clock: FixedClock) -> None:
    sunday_2am(clock)
    said = bodies(twilio.post(PATH, message("tolong pak banjir bandang, nenek sama adik saya terjebak di atap rumah "
                                            "RT 02 Anjir Pasar")))
    assert "112" in said[0] and "113" in said[0] and "119" in said[0] and "110" in said[0]
    assert "Pusdalops BPBD" in said[0]  # the region's own line, from config
    [complaint] = stored(sessions)
    assert complaint.emergency and complaint.agency_code == "BPBD" and complaint.status == "dispatched"
    assert complaint.code in said[0] and "RT 02 Anjir Pasar" in complaint.text
    assert complaint.ack_due_at is not None and complaint.ack_due_at - complaint.created_at == timedelta(hours=1)
    rows = alerts(sessions, complaint)
    assert {n.recipient_id for n in rows if n.purpose == "emergency_duty"} == {"bpbd.head"}
    assert all(n.urgent and n.next_attempt_at == clock() for n in rows)
    assert "lokasi" not in " ".join(said).lower()  # no question before the numbers, nor after them


def test_a_fire_written_in_banjar_goes_to_the_damkar_with_the_numbers_first(twilio: Twilio, message, sessions,
                                                                            clock: FixedClock) -> None:
    sunday_2am(clock)
    said = bodies(twilio.post(PATH, message("rumah di gg 3 no 12 tebakar, apinya ganal banar!!")))
    assert said[0].startswith("DARURAT") and "damkar 113" in said[0]
    [complaint] = stored(sessions)
    assert complaint.emergency and complaint.agency_code == "SATPOLPP"
    assert {n.recipient_id for n in alerts(sessions, complaint)} == {"satpolpp.admin"}


def test_an_old_fire_or_a_flood_risk_is_an_ordinary_complaint(twilio: Twilio, message, sessions) -> None:
    said = bodies(twilio.post(PATH, message("bekas kebakaran tahun lalu di pasar belum dibersihkan sampai sekarang")))
    assert "112" not in " ".join(said) and "lokasi" in said[-1].lower()
    twilio.post(PATH, message("batal"))
    said = bodies(twilio.post(PATH, message("desa kami rawan banjir tiap hujan deras, mohon normalisasi sungai")))
    assert "112" not in " ".join(said)
    assert stored(sessions) == []


def test_an_emergency_by_sms_fits_one_segment_and_still_names_112(twilio: Twilio, message, sessions) -> None:
    said = bodies(twilio.post(PATH, message("ada orang pingsan tidak sadarkan diri di depan pasar Marabahan",
                                            sender=FEATURE_PHONE)))
    assert len(said) == 1 and len(said[0]) <= 160 and is_gsm(said[0]) and "112" in said[0]
    [complaint] = stored(sessions)
    assert complaint.emergency and complaint.channel == "sms"


def test_a_power_cut_names_pln_and_its_number_before_any_location_question_and_is_forwarded(
        twilio: Twilio, message, sessions) -> None:
    [said] = bodies(twilio.post(PATH, message("listrik padam dari kemarin sore di desa kami, kapan nyala")))
    assert "PLN" in said and "123" in said and "simpan" in said
    assert said.index("PLN") < said.lower().index("lokasi")  # where to go first, then the question
    twilio.post(PATH, message("Desa Sungai Gampa RT 3"))
    twilio.post(PATH, message("gak ada foto"))
    confirm = bodies(twilio.post(PATH, message("1")))
    assert "PT PLN" in confirm[0] and "123" not in confirm[0]  # said once is enough
    filed = bodies(twilio.post(PATH, message("ya")))
    [complaint] = stored(sessions)
    assert (complaint.agency_code, complaint.status, complaint.emergency) == ("EXT_PLN", "forwarded", False)
    assert complaint.code in filed[0]


def test_a_telkom_complaint_by_sms_names_telkom_and_asks_where_in_one_segment(
        twilio: Twilio, message) -> None:
    [said] = bodies(twilio.post(PATH, message("internet indihome mati sudah seminggu", sender=FEATURE_PHONE)))
    assert "Telkom" in said and "147" in said and said.index("147") < said.lower().index("lokasi")
    assert len(said) <= 160 and is_gsm(said)


def test_the_police_are_named_first_for_a_theft(twilio: Twilio, message) -> None:
    [said] = bodies(twilio.post(PATH, message("motor saya dicuri di parkiran pasar tadi malam")))
    assert "Kepolisian" in said and said.index("110") < said.lower().index("lokasi")


def test_every_whatsapp_reply_of_a_whole_conversation_fits_one_phone_screen(twilio: Twilio, message) -> None:
    said = []
    for text in ("kartu bpjs kesehatan saya ditolak waktu berobat di puskesmas Marabahan, katanya tidak aktif",
                 "Puskesmas Marabahan", "lewati", "4", "ya", "cek"):
        said += bodies(twilio.post(PATH, message(text)))
    assert said and all(len(piece) <= 700 for piece in said)


def test_numbered_buttons_are_introduced_in_the_readers_language() -> None:
    choices = (Choice("YES", "ya"), Choice("NO", "tidak"))
    english = Reply("Delete?", choices=choices, language="en")
    assert reply_pieces(english, "whatsapp") == ["Delete?\nReply: 1 YES / 2 NO"]
    assert reply_pieces(Reply("Hapus?", choices=choices), "whatsapp") == ["Hapus?\nBalas: 1 YES / 2 NO"]
