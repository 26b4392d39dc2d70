"""Feature phones: the same webhook runs SMS conversations in single 160-unit segments."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select
from twilio_support import Twilio

from bot.dialog.messages import Choice, Reply
from bot.whatsapp.form import parse_form
from bot.whatsapp.replies import reply_pieces, twiml
from bot.whatsapp.segments import gsm_units, is_gsm, sms_segments, split_text, whatsapp_bodies
from models.tables import Complaint

PATH = "/webhooks/twilio/whatsapp"
FEATURE_PHONE = "+6285255550002"


def pieces(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.text or "" for m in ET.fromstring(response.get_data(as_text=True)).iter("Message")]


def test_an_sms_conversation_files_a_complaint_in_160_character_segments(twilio: Twilio, message,
                                                                         sessions) -> None:
    # A feature phone cannot send a photo: no photo question (the step was "lewati" here before).
    said = []
    for text in ("lampu jalan mati di depan pasar Marabahan sudah seminggu", "depan pasar", "1", "ya"):
        response = twilio.post(PATH, message(text, sender=FEATURE_PHONE))
        assert response.status_code == 200
        said.append(pieces(response))
    # Every reply is one segment now (the privacy menu used to take two).
    assert all(len(turn) == 1 and len(turn[0]) <= 160 and is_gsm(turn[0]) for turn in said)
    with sessions() as session:
        complaint = session.scalars(select(Complaint)).one()
        assert complaint.channel == "sms" and complaint.reporter.provider_id == FEATURE_PHONE
        assert complaint.attachments == []
    assert said[-1] == [f"Laporan tercatat: {complaint.code}. Cek: CEK {complaint.code}"]
    assert said[1][0].startswith("Kerahasiaan: 1. Biasa") and "4. Anonim dan rahasia" in said[1][0]


def test_a_bare_number_is_sms_and_a_prefixed_one_is_whatsapp(message) -> None:
    assert parse_form(message("x", sender="+6281234567890"), 8000).channel == "sms"
    inbound = parse_form(message("x", sender="whatsapp:+6281234567890"), 8000)
    assert (inbound.channel, inbound.chat_id, inbound.phone) == ("whatsapp", "+6281234567890", "+6281234567890")


def test_the_short_form_is_preferred_on_sms_and_buttons_become_numbered_words() -> None:
    reply = Reply("Teks panjang " * 30, short="Ke PUPR? Balas YA/LAIN", choices=(Choice("YA", "ya"),))
    assert reply_pieces(reply, "sms") == ["Ke PUPR? Balas YA/LAIN"]
    assert reply_pieces(Reply("Hapus data?", choices=(Choice("YA", "ya"), Choice("TIDAK", "tidak"))),
                        "whatsapp") == ["Hapus data?\nBalas: 1 YA / 2 TIDAK"]


def test_numbered_choices_replace_buttons_unless_the_text_lists_them() -> None:
    rating = Reply("Beri nilai", choices=tuple(Choice(str(n), str(n)) for n in range(1, 4)))
    assert reply_pieces(rating, "whatsapp") == ["Beri nilai\n1. 1\n2. 2\n3. 3"]
    listed = Reply("Pilih:\n1. Biasa\n2. Anonim", choices=(Choice("Biasa", "1"), Choice("Anonim", "2")))
    assert reply_pieces(listed, "whatsapp") == ["Pilih:\n1. Biasa\n2. Anonim"]


def test_long_sms_breaks_between_words_and_keeps_every_word() -> None:
    text = "Laporan Anda sudah kami terima dan diteruskan ke Dinas Pekerjaan Umum dan Penataan Ruang. " * 5
    segments = sms_segments(text)
    assert len(segments) > 2 and all(gsm_units(s) <= 160 for s in segments)
    assert " ".join(segments).split() == text.split()


def test_typographic_characters_do_not_force_ucs2() -> None:
    [segment] = sms_segments("Isi: “jalan rusak” — sudah lama…")
    assert segment == 'Isi: "jalan rusak" - sudah lama...'


def test_text_that_needs_ucs2_is_cut_at_70_characters() -> None:
    segments = sms_segments("Laporan 🚧 " * 20)
    assert all(len(s) <= 70 for s in segments) and len(segments) >= 3


def test_gsm_extension_characters_count_twice() -> None:
    assert gsm_units("[a]") == 5
    assert all(gsm_units(s) <= 160 for s in sms_segments("{x} " * 60))


@pytest.mark.parametrize("length", [1600, 1601, 5000])
def test_long_whatsapp_messages_are_split_at_lines_under_1600(length: int) -> None:
    text = "\n".join(f"baris {n:05d} " + "x" * 40 for n in range(length // 50 + 1))[:length]
    bodies = whatsapp_bodies(text)
    assert all(len(b) <= 1600 for b in bodies) and "".join(b.replace("\n", "") for b in bodies) == \
        text.replace("\n", "")


def test_a_word_longer_than_the_limit_is_cut() -> None:
    assert split_text("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]


def test_every_piece_is_its_own_twiml_message() -> None:
    xml = twiml([Reply("satu"), Reply("dua & <tiga>")], "whatsapp")
    assert [m.text for m in ET.fromstring(xml).iter("Message")] == ["satu", "dua & <tiga>"]
