"""Status by code on Telegram shows others only what is public; confidential complaints stay hidden."""

from __future__ import annotations

from citizens import Citizen
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.telegram.service import TelegramService
from models.tables import Complaint

TEXT = "jalan rusak berlubang besar depan SDN 2 Marabahan sudah 3 bulan"


def file_complaint(citizen: Citizen, privacy: str, sessions: sessionmaker[Session]) -> Complaint:
    citizen.says(TEXT)
    citizen.shares_location(-2.9946, 114.7594)
    citizen.taps("LEWATI")
    citizen.taps(privacy)
    citizen.taps("YA")
    with sessions() as db:
        return db.scalars(select(Complaint).order_by(Complaint.id.desc())).first()  # type: ignore[return-value]


def test_status_by_code_from_another_account_shows_no_details(
        bot: TelegramService, citizen: Citizen, neighbour: Citizen, sessions: sessionmaker[Session]) -> None:
    complaint = file_complaint(citizen, "Biasa", sessions)
    [public] = neighbour.says(f"/status {complaint.code}")
    assert complaint.code in public
    for secret in ("SDN 2", "Siti", "siti_btl", "-2.99", "Marabahan"):
        assert secret not in public
    [own] = citizen.says(f"/status {complaint.code}")
    assert complaint.code in own and len(own) > len(public)


def test_a_confidential_complaint_is_invisible_to_other_accounts(
        bot: TelegramService, citizen: Citizen, neighbour: Citizen, sessions: sessionmaker[Session]) -> None:
    complaint = file_complaint(citizen, "Rahasia", sessions)
    assert complaint.confidential and not complaint.anonymous
    [answer] = neighbour.says(f"CEK {complaint.code}")
    assert "tidak ditemukan" in answer.lower() or "not found" in answer.lower()
    assert complaint.code in citizen.says(f"CEK {complaint.code}")[0]
