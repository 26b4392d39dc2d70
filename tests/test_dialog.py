"""Whole conversations through the dialog engine, as transcripts of (citizen says, bot answers)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from bot.dialog.messages import Inbound, IncomingAttachment, Location
from models.lifecycle import Status
from models.tables import ChatSession, Complaint, Notification

CODE = re.compile(r"BTL-[0-9A-Z]{4}-[0-9A-Z]{4}")


def run_transcript(chat, steps: list[tuple[str, str]], chat_id: str = "warga-1") -> list[str]:
    answers = []
    for said, expected in steps:
        answer = chat(said, chat_id=chat_id)
        assert expected.lower() in answer.lower(), f"after {said!r} expected {expected!r} in:\n{answer}"
        answers.append(answer)
    return answers


def only_complaint(sessions) -> Complaint:
    with sessions() as session:
        complaint = session.scalars(select(Complaint)).one()
        _ = complaint.events, complaint.attachments, complaint.reporter
        return complaint


def code_in(text: str) -> str:
    match = CODE.search(text)
    assert match, text
    return match.group(0)


def file_pothole(chat, privacy: str = "1", text: str = "jalan berlubang depan SDN 2 Marabahan",
                 chat_id: str = "warga-1") -> str:
    """The shortest whole filing: complaint text, no location, no photo, privacy, confirm. Returns the code."""
    for said in (text, "lewati", "lewati", privacy):
        chat(said, chat_id=chat_id)
    return code_in(chat("ya", chat_id=chat_id))


def test_first_message_that_is_a_complaint_is_not_asked_again(chat, sessions) -> None:
    answers = run_transcript(chat, [
        ("jalan berlubang depan SDN 2 Marabahan", "lokasi"),
        ("depan SDN 2 Marabahan", "foto"),
        ("lewati", "kerahasiaan"),
        ("1", "Dinas Pekerjaan Umum"),
        ("ya", "BTL-"),
    ])
    complaint = only_complaint(sessions)
    assert complaint.code == code_in(answers[-1])
    assert complaint.status == Status.DISPATCHED and complaint.agency_code == "PUPR"
    assert complaint.location_text == "depan SDN 2 Marabahan"
    assert "Batas jawaban instansi: 30-11-2026 (WITA)" in answers[-1]


def test_slang_complaint_with_location_photo_and_anonymity(chat, sessions) -> None:
    chat("jln rusak dpn sdn 2 udh 3 bln")
    chat(location=Location(-2.9866, 114.7514, "Jl. Panglima Batur"))
    chat(attachments=(IncomingAttachment(kind="photo", content_type="image/jpeg", size_bytes=2048,
                                         provider_file_id="file-1"),))
    chat("2")
    answer = chat("ya")
    complaint = only_complaint(sessions)
    assert complaint.code in answer
    assert complaint.anonymous is True and complaint.confidential is False
    assert (complaint.latitude, complaint.longitude) == (-2.9866, 114.7514)
    assert [a.provider_file_id for a in complaint.attachments] == ["file-1"]


def test_lapor_command_asks_for_the_text_first(chat) -> None:
    run_transcript(chat, [
        ("/lapor", "ceritakan masalahnya"),
        ("sampah numpuk di TPS pasar tidak diangkut", "lokasi"),
    ])


def test_citizen_who_does_not_know_the_agency_goes_to_triage(chat, sessions) -> None:
    answers = run_transcript(chat, [
        ("lampu pju di jalan anjir pasar mati seminggu", "lokasi"),
        ("lewati", "foto"),
        ("lewati", "kerahasiaan"),
        ("1", "benar?"),
        ("tidak tahu", "memverifikasi"),
    ])
    complaint = only_complaint(sessions)
    assert complaint.status == Status.RECEIVED and complaint.agency_code is None
    assert "26-11-2026" in answers[-1]
    with sessions() as session:
        purposes = set(session.scalars(select(Notification.purpose)))
    assert purposes == {"triage"}


def test_citizen_can_pick_another_agency_from_the_top_three(chat, sessions) -> None:
    chat("lampu pju di jalan anjir pasar mati seminggu")
    chat("lewati")
    chat("lewati")
    chat("1")
    answer = chat("pilih lain")
    assert "1." in answer and "Tidak tahu" in answer
    chat("1")
    complaint = only_complaint(sessions)
    assert complaint.status == Status.DISPATCHED


def test_external_body_is_recorded_and_citizen_gets_its_channel(chat, sessions) -> None:
    answers = run_transcript(chat, [
        ("listrik padam terus tiap malam, token juga error", "lokasi"),
        ("lewati", "foto"),
        ("lewati", "kerahasiaan"),
        ("1", "PLN"),
        ("ya", "123"),
    ])
    complaint = only_complaint(sessions)
    assert complaint.status == Status.FORWARDED and complaint.agency_code == "EXT_PLN"
    assert complaint.code in answers[-1]


def test_cancel_at_any_point_files_nothing(chat, sessions) -> None:
    chat("jalan berlubang depan SDN 2 Marabahan")
    chat("lewati")
    assert "Dibatalkan" in chat("batal")
    with sessions() as session:
        assert session.scalar(select(func.count(Complaint.id))) == 0
        state = session.scalars(select(ChatSession.state)).one()
        assert state == "idle"


def test_every_message_gets_a_reply_in_every_state(chat) -> None:
    for said in ["", "???", "halo", "jalan berlubang depan SDN 2", "", "xyz", "lewati", "abc", "9", "1", "hmm",
                 "tidak tahu", "ya", "ya", "5", "😀", "/status", "cek", "bantuan", "/start"]:
        assert chat(said).strip(), f"no reply to {said!r}"


def test_status_by_code_shows_details_only_to_the_reporter(chat) -> None:
    code = file_pothole(chat)
    mine = chat(f"cek {code.lower()}")
    theirs = chat(f"/status {code}", chat_id="tetangga")
    assert "Dinas Pekerjaan Umum" in mine and "Didisposisi" in mine
    assert "Didisposisi" in theirs and "Dinas Pekerjaan Umum" not in theirs


def test_confidential_complaint_is_invisible_to_others(chat) -> None:
    code = file_pothole(chat, privacy="3")
    assert "tidak ditemukan" in chat(f"cek {code}", chat_id="orang-lain")
    assert "Didisposisi" in chat(f"cek {code}")


def test_status_lookup_forgives_case_and_confusable_letters(chat) -> None:
    code = file_pothole(chat)
    sloppy = code.lower().replace("0", "o").replace("1", "i").replace("-", " ")
    assert code in chat(f"cek {sloppy}")


def test_unknown_code_gets_a_clear_answer(chat) -> None:
    assert "tidak ditemukan" in chat("cek BTL-0000-0000") or "contoh" in chat("cek BTL-0000-0000")


def test_too_long_message_is_kept_and_asked_to_be_shortened(chat, sessions) -> None:
    long_text = "jalan rusak " * 500
    assert "terlalu panjang" in chat(long_text)
    assert "lokasi" in chat("lanjut").lower()
    with sessions() as session:
        draft = session.scalars(select(ChatSession.draft)).one()
    assert draft["text"] == long_text.strip()


def test_daily_limit_stops_the_sixth_complaint(chat, settings) -> None:
    for number in range(settings.intake.max_complaints_per_day):
        assert file_pothole(chat, text=f"jalan berlubang nomor {number} depan SDN 2 Marabahan").startswith("BTL-")
    assert "sudah mengirim 5 laporan" in chat("jalan berlubang lagi depan SDN 2 Marabahan")


def test_restart_mid_conversation_loses_nothing(settings, sessions, clock, routing_table) -> None:
    from bot.setup import build_engine

    def say(engine, text: str) -> str:
        inbound = Inbound(channel="telegram", chat_id="42", sender_id="42", text=text)
        return "\n".join(r.text for r in engine.handle(inbound))

    say(build_engine(settings, sessions, clock, routing_table), "jalan berlubang depan SDN 2 Marabahan")
    say(build_engine(settings, sessions, clock, routing_table), "lewati")
    restarted = build_engine(settings, sessions, clock, routing_table)
    assert "kerahasiaan" in say(restarted, "lewati")


def test_idle_session_resets_after_24_hours_with_a_message(chat, clock) -> None:
    chat("jalan berlubang depan SDN 2 Marabahan")
    clock.advance(hours=25)
    answer = chat("halo")
    assert "berakhir" in answer


def test_repeated_provider_message_id_is_answered_the_same_and_changes_nothing(engine, sessions) -> None:
    inbound = Inbound(channel="whatsapp", chat_id="+628123", sender_id="+628123", message_id="SM1",
                      text="jalan berlubang depan SDN 2 Marabahan")
    first = engine.handle(inbound)
    second = engine.handle(inbound)
    assert [r.text for r in first] == [r.text for r in second]
    with sessions() as session:
        state = session.scalars(select(ChatSession.state)).one()
    assert state == "await_location"


def test_voice_note_gets_a_polite_request_for_text(chat) -> None:
    answer = chat(attachments=(IncomingAttachment(kind="audio", content_type="audio/ogg"),))
    assert "pesan suara" in answer


def test_erasure_request_wipes_identity_after_confirmation(chat, sessions) -> None:
    file_pothole(chat)
    assert "Hapus data pribadi" in chat("hapus data saya")
    assert "telah dihapus" in chat("ya")
    complaint = only_complaint(sessions)
    assert complaint.reporter.name is None


def test_english_switch(chat) -> None:
    assert "English" in chat("english")
    assert "Describe your problem" in chat("hello")


@pytest.mark.parametrize("text", ["\x00\x01jalan\u202e berlubang\x7f depan SDN 2", "jalan\udcff rusak parah sekali"])
def test_control_characters_are_cleaned(chat, sessions, text) -> None:
    chat(text)
    with sessions() as session:
        draft = session.scalars(select(ChatSession.draft)).one()
    assert "\x00" not in draft.get("text", "") and "\u202e" not in draft.get("text", "")


def test_similar_open_complaint_is_offered_for_support(chat, sessions) -> None:
    for chat_id in ("warga-1", "warga-2"):
        chat("sampah menumpuk di TPS pasar Marabahan tidak diangkut", chat_id=chat_id)
        chat("lewati", chat_id=chat_id)
        chat("lewati", chat_id=chat_id)
        chat("1", chat_id=chat_id)
        answer = chat("ya", chat_id=chat_id)
    assert "Laporan serupa sudah ada" in answer
    assert "mendukung" in chat("ya", chat_id="warga-2")
    complaint = only_complaint(sessions)
    assert complaint.supporter_count == 1


def test_numbers_answer_word_choices_on_channels_without_buttons(chat, sessions) -> None:
    chat("jalan berlubang depan SDN 2 Marabahan")
    chat("1")  # the only choice offered: LEWATI
    chat("1")  # LEWATI again, for the photo
    chat("2")  # privacy: anonim
    assert "BTL-" in chat("1")  # YA, send it to the suggested agency
    complaint = only_complaint(sessions)
    assert complaint.anonymous is True and complaint.agency_code == "PUPR"
    assert complaint.location_text is None


@pytest.mark.parametrize("said", ["terima kasih pak", "halo min", "ok", "dadah", "wkwkwk", "😂"])
def test_every_kind_of_small_talk_gets_its_own_answer_and_files_nothing(chat, sessions, said: str) -> None:
    answer = chat(said)
    assert answer and "gangguan" not in answer  # not the engine's error reply
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_a_failing_turn_logs_no_chat_id(engine, caplog: pytest.LogCaptureFixture,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(inbound: Inbound) -> list[object]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine, "_handle_once", broken)
    replies = engine.handle(Inbound(channel="whatsapp", chat_id="whatsapp:+6281234567890",
                                    sender_id="whatsapp:+6281234567890", sender_name="Warga", text="jalan rusak"))
    assert replies and "gangguan" in replies[0].text
    assert "6281234567890" not in caplog.text and "engine failure" in caplog.text
