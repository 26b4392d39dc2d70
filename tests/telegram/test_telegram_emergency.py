"""Emergencies and no wrong door on Telegram, through the adapter polling the fake Bot API: an English-speaking
citizen gets the numbers to call first and the English buttons after; a BPJS complaint names BPJS first."""

from __future__ import annotations

from citizens import Citizen
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.telegram.service import TelegramService
from models.tables import Complaint


def complaints(sessions: sessionmaker[Session]) -> list[Complaint]:
    with sessions() as db:
        return list(db.scalars(select(Complaint)))


def test_a_medical_emergency_in_english_gets_the_ambulance_number_first_and_is_filed_at_once(
        bot: TelegramService, citizen: Citizen, sessions: sessionmaker[Session]) -> None:
    citizen.says("english")
    first = citizen.says("my father had a heart attack at the market, we need an ambulance")[0]
    assert first.startswith("EMERGENCY") and "ambulance 119" in first and "112" in first
    [complaint] = complaints(sessions)
    assert complaint.emergency and complaint.agency_code == "BPBD" and complaint.channel == "telegram"
    assert complaint.code in first


def test_a_bpjs_complaint_names_bpjs_first_then_asks_where_with_english_buttons_for_an_english_citizen(
        bot: TelegramService, citizen: Citizen, sessions: sessionmaker[Session]) -> None:
    citizen.says("english")
    [said] = citizen.says("kartu bpjs kesehatan ibu saya ditolak di puskesmas")
    assert "BPJS Kesehatan" in said and said.index("165") < said.index("Where")
    citizen.says("puskesmas Marabahan")
    assert citizen.buttons() == ["SKIP"]
    citizen.taps("SKIP")
    citizen.taps("Normal")
    assert citizen.buttons() == ["YES", "OTHER", "DON'T KNOW"]
    citizen.taps("YES")
    [complaint] = complaints(sessions)
    assert (complaint.agency_code, complaint.status) == ("EXT_BPJS_KESEHATAN", "forwarded")
