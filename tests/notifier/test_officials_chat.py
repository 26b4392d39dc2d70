"""Officials act from WhatsApp or Telegram; strangers and unauthorised actions are refused."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.dialog.messages import Inbound
from models.codes import new_code
from models.tables import OfficialContact

WITA = ZoneInfo("Asia/Makassar")
PUPR_ADMIN_WA = "+62811100101"
TRIAGE_TELEGRAM = "8190000001"


def say(engine, text: str, sender: str = PUPR_ADMIN_WA, channel: str = "whatsapp") -> str:  # type: ignore[no-untyped-def]
    inbound = Inbound(channel=channel, chat_id=sender, sender_id=sender, text=text)
    return "\n".join(reply.text for reply in engine.handle(inbound))


def test_terima_from_the_admins_whatsapp_acknowledges_and_is_audited(engine, desk) -> None:
    code = desk.file()
    reply = say(engine, f"TERIMA {code.lower()}")
    assert "Diproses" in reply and code in reply
    complaint = desk.complaint(code)
    assert complaint.status == "in_progress"
    event = complaint.events[-1]
    assert (event.actor_kind, event.actor_id, event.action) == ("official", "pupr.admin", "acknowledge")
    with desk.sessions() as session:
        contact = session.scalars(select(OfficialContact).where(OfficialContact.address == PUPR_ADMIN_WA)).one()
        assert contact.last_inbound_at == desk.clock()


def test_jawab_relays_the_answer_to_the_citizen(engine, desk) -> None:
    code = desk.file()
    say(engine, f"JAWAB {code} Lubang sudah ditambal kemarin.")
    relay = [n for n in desk.notifications("status") if n.recipient_kind == "reporter"][-1]
    assert "Lubang sudah ditambal kemarin." in relay.payload["text"]
    assert "YA atau TIDAK" in relay.payload["text"] and relay.address == "+6281299990001"


def test_a_stranger_sending_a_command_is_refused_and_nothing_changes(engine, desk) -> None:
    code = desk.file()
    reply = say(engine, f"TERIMA {code}", sender="+6289999999999")
    assert "tidak terdaftar sebagai petugas" in reply
    assert desk.complaint(code).status == "dispatched"


def test_a_citizen_saying_terima_kasih_still_talks_to_the_citizen_dialog(engine, desk) -> None:
    reply = say(engine, "terima kasih banyak", sender="+6289999999999")
    assert "tidak terdaftar" not in reply


def test_an_admin_of_another_agency_may_not_acknowledge(engine, desk) -> None:
    code = desk.file()
    reply = say(engine, f"TERIMA {code}", sender="+62811100601")  # dinkes.admin
    # Another agency's complaint is answered exactly like a code that does not exist (issue 12).
    unknown = new_code("BTL")
    assert reply == say(engine, f"TERIMA {unknown}", sender="+62811100601").replace(unknown, code)
    assert "tidak ditemukan" in reply
    assert desk.complaint(code).status == "dispatched"
    assert [e.action for e in desk.complaint(code).events] == ["file", "dispatch"]


def test_alihkan_is_for_triage_only(engine, desk) -> None:
    code = desk.file()
    assert "tidak berwenang" in say(engine, f"ALIHKAN {code} PERKIM")
    reply = say(engine, f"ALIHKAN {code} PERKIM", sender=TRIAGE_TELEGRAM, channel="telegram")
    assert "Didisposisi" in reply
    complaint = desk.complaint(code)
    assert complaint.agency_code == "PERKIM" and complaint.events[-1].actor_id == "kominfo.triage"


def test_bukan_sends_it_back_to_triage_with_the_reason(engine, desk) -> None:
    code = desk.file()
    say(engine, f"BUKAN {code} ini jalan provinsi")
    assert desk.complaint(code).status == "received"
    assert "ini jalan provinsi" in desk.notifications("triage")[-1].payload["text"]


def test_selesai_on_an_unanswered_complaint_explains_why_not(engine, desk) -> None:
    code = desk.file()
    reply = say(engine, f"SELESAI {code}")
    # Issue 14: the reason in the official's words (its status now), never "illegal transition: dispatched -> closed".
    assert "SELESAI tidak bisa dijalankan" in reply and "Didisposisi" in reply
    assert "illegal" not in reply and "->" not in reply
    assert desk.complaint(code).status == "dispatched"


def test_unknown_code_from_an_official_is_answered(engine, desk) -> None:
    assert "tidak dikenali" in say(engine, "TERIMA BTL-0000-0000")


def test_no_outgoing_payload_ever_carries_an_anonymous_reporters_identity(engine, desk) -> None:
    desk.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=WITA))
    code = desk.file(anonymous=True)
    replies = [say(engine, f"INFO {code}")]
    for month, day in ((11, 25), (12, 1), (12, 3)):  # head, region, first reminder
        desk.sweep_at(datetime(2026, month, day, 8, 0, tzinfo=WITA))
    replies.append(say(engine, f"BUKAN {code} bukan kami"))
    desk.sweep_at(datetime(2026, 12, 9, 8, 0, tzinfo=WITA))  # unverified in triage too long
    replies.append(say(engine, f"INFO {code}", sender=TRIAGE_TELEGRAM, channel="telegram"))
    replies.append(say(engine, f"ALIHKAN {code} PERKIM", sender=TRIAGE_TELEGRAM, channel="telegram"))
    official_payloads = [str(n.payload) for n in desk.notifications() if n.recipient_kind != "reporter"]
    purposes = {n.purpose for n in desk.notifications()}
    expected = {"new_complaint", "escalation_head", "escalation_regional", "reminder", "triage", "verify_overdue"}
    assert expected <= purposes
    for text in official_payloads + replies:
        for secret in ("Siti", "Aminah", "6281299990001", "81299990001", "0812-9999"):
            assert secret not in text
    assert all("(anonim)" in text for text in official_payloads)


def test_jenis_corrects_the_kind_by_chat_and_is_audited(engine, desk) -> None:
    code = desk.file()
    reply = say(engine, f"jenis {code.lower()} aspirasi")
    assert "Aspirasi" in reply and code in reply
    complaint = desk.complaint(code)
    assert complaint.kind == "aspirasi"
    event = complaint.events[-1]
    assert (event.action, event.actor_id, event.data) == ("change_kind", "pupr.admin",
                                                          {"from": "pengaduan", "to": "aspirasi"})


def test_koordinasi_without_a_note_asks_for_it_and_the_next_message_is_the_note(engine, desk) -> None:
    code = desk.file()
    asked = say(engine, "koordinasi")
    assert code in asked and desk.complaint(code).status == "dispatched"
    say(engine, "Masih menunggu jadwal alat berat dari provinsi")
    complaint = desk.complaint(code)
    assert complaint.status == "coordinating"
    assert complaint.events[-1].note == "Masih menunggu jadwal alat berat dari provinsi"


def test_officials_never_read_developer_words_in_the_bots_replies(engine, desk) -> None:
    code = desk.file()
    replies = [say(engine, text) for text in (
        f"SELESAI {code}", f"ALIHKAN {code}", f"ALIHKAN {code} XYZ", f"ALIHKAN {code} PUPR", f"JAWAB {code}",
        f"JENIS {code} gosip", "TERIMA BTL-0000-0000", f"terima {code}", f"terima {code}")]
    replies.append(say(engine, f"ALIHKAN {code} PUPR", sender=TRIAGE_TELEGRAM, channel="telegram"))
    for reply in replies:
        assert reply
        for developer in ("->", "illegal", "transition", "--note", "--to", "unknown agency", "already with",
                          "in_progress", "dispatched", "reporter:"):
            assert developer not in reply, (developer, reply)
