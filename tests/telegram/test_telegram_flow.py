"""A citizen on Telegram gets the console's service with Telegram's conveniences: buttons,
a location button, photos, deep links; everything lands in the same tables."""

from __future__ import annotations

from pathlib import Path

from citizens import Citizen
from fake_bot_api import FakeBotApi
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from telegram_support import BOTH_BACKENDS

from bot.telegram.service import TelegramService
from models.config import Settings
from models.tables import Complaint

JPEG = b"\xff\xd8\xff\xe0" + b"jalan berlubang" * 100
POTHOLE = "jalan rusak berlubang besar depan SDN 2 Marabahan sudah 3 bulan"


def only_complaint(sessions: sessionmaker[Session]) -> Complaint:
    with sessions() as db:
        complaint = db.scalars(select(Complaint)).one()
        _ = complaint.attachments, complaint.reporter
        return complaint


@BOTH_BACKENDS
def test_a_complaint_with_location_and_photo_is_filed_by_buttons(
        bot: TelegramService, citizen: Citizen, fake_api: FakeBotApi, sessions: sessionmaker[Session]) -> None:
    assert "Selamat datang" in citizen.says("/start")[0]
    citizen.says(POTHOLE)
    location_request = fake_api.calls("sendMessage", citizen.chat_id)[-1].params["reply_markup"]
    assert location_request["keyboard"][0][0]["request_location"] is True
    assert "foto" in citizen.shares_location(-2.9946, 114.7594)[0].lower()
    assert citizen.sends_photo(JPEG)
    citizen.taps("Biasa")
    assert [call.params["callback_query_id"] for call in fake_api.calls("answerCallbackQuery")]
    filed = citizen.taps("YA")[-1]

    complaint = only_complaint(sessions)
    assert complaint.code in filed and complaint.channel == "telegram"
    assert (complaint.latitude, complaint.longitude) == (-2.9946, 114.7594)
    assert complaint.reporter.provider_id == str(citizen.chat_id)
    assert complaint.reporter.name == "Siti Aminah (@siti_btl)"
    [photo] = complaint.attachments
    assert photo.provider_file_id == "photo-big" and Path(str(photo.storage_path)).read_bytes() == JPEG
    assert [call.params["file_id"] for call in fake_api.calls("getFile")] == ["photo-big"]


def test_the_command_menu_is_published_on_start(bot: TelegramService, fake_api: FakeBotApi) -> None:
    fake_api.wait_until(lambda: bool(fake_api.calls("setMyCommands")))
    commands = fake_api.calls("setMyCommands")[0].params["commands"]
    assert [command["command"] for command in commands] == ["lapor", "status", "batal", "bantuan"]


def test_the_top_three_pick_files_with_the_agency_tapped(
        bot: TelegramService, citizen: Citizen, sessions: sessionmaker[Session], telegram_settings: Settings) -> None:
    citizen.says(POTHOLE)
    citizen.says("LEWATI")
    citizen.taps("LEWATI")
    citizen.taps("Biasa")
    pick_text = citizen.taps("PILIH LAIN")[-1]
    options = citizen.buttons()
    assert options[-1] == "Tidak tahu" and 2 <= len(options) <= 4
    assert all(name in pick_text for name in options[:-1])
    chosen = options[1]
    citizen.taps(chosen)
    complaint = only_complaint(sessions)
    assert telegram_settings.agency(str(complaint.agency_code)).name == chosen


def test_a_deep_link_presets_the_place_its_qr_code_stands_at(
        bot: TelegramService, citizen: Citizen, sessions: sessionmaker[Session]) -> None:
    welcome = citizen.says("/start kel_anjir_pasar")
    assert any("Kelurahan Anjir Pasar" in text for text in welcome)
    assert "foto" in citizen.says(POTHOLE)[-1].lower()  # the location question is skipped
    citizen.taps("LEWATI")
    citizen.taps("Biasa")
    citizen.taps("YA")
    assert only_complaint(sessions).location_text == "Kelurahan Anjir Pasar"


def test_documents_are_refused_politely_and_the_conversation_goes_on(
        bot: TelegramService, citizen: Citizen, sessions: sessionmaker[Session]) -> None:
    citizen.says(POTHOLE)
    [refusal] = citizen.sends_document("application/pdf", "surat.pdf")
    assert "Maaf" in refusal and "dokumen" in refusal
    assert "foto" in citizen.says("LEWATI")[-1].lower()


def test_an_image_sent_as_a_file_is_taken_as_a_photo(
        bot: TelegramService, citizen: Citizen, fake_api: FakeBotApi, sessions: sessionmaker[Session]) -> None:
    citizen.says(POTHOLE)
    citizen.says("LEWATI")
    fake_api.add_file("doc-foto.png", b"\x89PNG fake")
    citizen.sends(citizen.message(document={"file_id": "doc-foto.png", "file_unique_id": "u", "file_name": "foto.png",
                                            "mime_type": "image/png", "file_size": 9}))
    citizen.taps("Biasa")
    citizen.taps("YA")
    [photo] = only_complaint(sessions).attachments
    assert photo.content_type == "image/png" and photo.provider_file_id == "doc-foto.png"


def test_an_oversized_photo_is_refused_before_download(
        bot: TelegramService, citizen: Citizen, fake_api: FakeBotApi) -> None:
    citizen.says(POTHOLE)
    citizen.says("LEWATI")
    [refusal] = citizen.sends_photo(b"\xff\xd8" + b"x" * 60_000)
    assert "foto tidak bisa kami terima" in refusal
    assert not fake_api.calls("getFile")
    assert "Biasa" in citizen.taps("LEWATI")[-1]  # the photo step was still open


def test_an_old_button_gets_a_polite_answer_and_changes_nothing(
        bot: TelegramService, citizen: Citizen, fake_api: FakeBotApi, sessions: sessionmaker[Session]) -> None:
    citizen.says(POTHOLE)
    citizen.says("LEWATI")
    old_skip = citizen.button_data("LEWATI")
    citizen.taps("LEWATI")
    assert citizen.presses(old_skip) == []
    assert "tidak berlaku" in fake_api.calls("answerCallbackQuery")[-1].params["text"]
    assert citizen.presses("garbage-without-separator") == []
    assert "Biasa" in citizen.buttons()
