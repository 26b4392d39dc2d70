"""Daily digests, the monthly recap, the operators' summary and transport self-checks."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from models.db import transaction
from models.permissions import Action
from models.reports import monthly_recap
from models.tables import Notification
from notifier.health import queue_health, stored_checks
from notifier.service import Notifier
from notifier.transports.base import CheckResult, OutgoingMessage, SendResult

WITA = ZoneInfo("Asia/Makassar")


def wita(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WITA)


@pytest.fixture
def notifier(settings, sessions, clock) -> Notifier:  # type: ignore[no-untyped-def]
    return Notifier(settings, sessions, clock, transports={}, owner="test")


def digests(desk) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {n.recipient_id: n.payload["text"] for n in desk.notifications("digest") if n.channel == "email"}


def test_regional_head_and_agency_heads_get_their_morning_digest(desk, notifier) -> None:
    # Issue 15 changes the digest on purpose: one per recipient role (Sekda and Inspektur too), overdue work
    # with subject lines oldest first, an agency ranking, the week's change and a link, instead of
    # "agency: new / due / late" lines and the oldest open codes.
    desk.clock.set(wita(11, 16, 9))
    late = desk.file(agency="PERKIM", text="rumah tidak layak huni belum dibantu")
    desk.clock.set(wita(11, 24, 10))
    fresh = desk.file()
    desk.clock.set(wita(11, 25, 7, 0))
    assert notifier.daily() > 0
    found = digests(desk)
    assert set(found) == {"bupati", "sekda", "inspektur", "perkim.head", "pupr.head"}
    region = found["bupati"]
    assert region.startswith("Ringkasan aduan Batola · Rab, 25 Nov 2026")
    assert "1 laporan lewat batas waktu:" in region
    assert f"- {late} (PERKIM, lewat 1 hari kerja) rumah tidak layak huni belum dibantu" in region
    assert "1. Dinas Perumahan" in region and fresh not in region
    assert "7 hari terakhir: 1 masuk (0 dari minggu lalu), 0 dijawab (0 dari minggu lalu)" in region
    assert "Buka: http://127.0.0.1:8000/dashboard/?overdue=1" in region
    assert found["sekda"] == region == found["inspektur"]
    assert late not in found["pupr.head"] and "0 laporan lewat batas waktu." in found["pupr.head"]
    assert "agency=PUPR" in found["pupr.head"]


def test_digest_counts_agree_across_channels_and_with_the_list(desk, notifier) -> None:
    desk.clock.set(wita(11, 2, 9))
    codes = [desk.file(agency="PUPR", text=f"jalan rusak nomor {n} di Marabahan") for n in range(12)]
    desk.clock.set(wita(11, 25, 7, 5))
    notifier.daily()
    to_bupati = [n for n in desk.notifications("digest") if n.recipient_id == "bupati"]
    assert {n.channel for n in to_bupati} >= {"whatsapp", "email"}
    texts = {n.payload["text"] for n in to_bupati}
    assert len(texts) == 1  # the same words on every channel
    text = texts.pop()
    listed = [line for line in text.splitlines() if line.startswith("- BTL-")]
    for row in to_bupati:
        assert row.payload["variables"]["count"] == 12  # what the WhatsApp template says
    assert text.splitlines()[1] == "12 laporan lewat batas waktu:"
    assert len(listed) == 10 and "…dan 2 lainnya di dasbor." in text
    assert listed[0].startswith(f"- {codes[0]} ")  # oldest overdue first


def test_a_weekly_digest_goes_out_on_its_weekday_only(desk, sessions, settings) -> None:
    from models.reports import queue_digests

    weekly = settings.model_copy(update={"notifier": settings.notifier.model_copy(
        update={"digest_frequency": "weekly", "digest_weekday": 0})})
    desk.clock.set(wita(11, 16, 9))
    desk.file(agency="PERKIM", text="rumah tidak layak huni belum dibantu")
    with transaction(sessions) as db:
        assert queue_digests(db, weekly, desk.calendar, wita(11, 25, 7, 5)) == 0  # a Wednesday
        assert queue_digests(db, weekly, desk.calendar, wita(11, 30, 7, 5)) > 0  # Monday


def test_digests_are_sent_once_and_only_on_working_mornings(desk, notifier) -> None:
    desk.clock.set(wita(11, 24, 10))
    desk.file()
    desk.clock.set(wita(11, 25, 6, 59))
    assert notifier.daily() == 0
    desk.clock.set(wita(11, 25, 7, 5))
    notifier.daily()
    count = len(desk.notifications("digest"))
    notifier.daily()
    assert len(desk.notifications("digest")) == count
    desk.clock.set(wita(11, 28, 8))  # Saturday
    assert notifier.daily() == 0


def test_empty_digests_are_not_sent(desk, notifier) -> None:
    desk.clock.set(wita(11, 25, 7, 5))
    notifier.daily()
    assert desk.notifications("digest") == []


def test_monthly_recap_counts_and_medians(desk, notifier) -> None:
    desk.clock.set(wita(11, 23, 9))
    answered = desk.file()
    desk.file(agency="PUPR", text="drainase tersumbat")
    desk.clock.set(wita(11, 23, 11))
    desk.act(answered, "pupr.admin", Action.ACKNOWLEDGE)
    desk.clock.set(wita(11, 24, 9))
    desk.act(answered, "pupr.admin", Action.ANSWER, note="sudah")
    with desk.sessions() as session:
        recap = monthly_recap(session, desk.calendar, "2026-11")
    assert {(r["status"], r["count"]) for r in recap["counts"]} == {("resolved", 1), ("in_progress", 1)}
    pupr = recap["agencies"][0]
    assert pupr["agency"] == "PUPR" and pupr["complaints"] == 2 and pupr["answered"] == 1
    assert pupr["median_hours_to_acknowledge"] == 2.0 and pupr["median_hours_to_answer"] == 24.0
    assert pupr["answered_within_deadline"] == 1.0
    json.dumps(recap)
    desk.clock.set(wita(12, 1, 7, 30))  # Tuesday 1 December: the first working day
    notifier.daily()
    recaps = desk.notifications("recap")
    assert {n.recipient_id for n in recaps} == {"bupati", "sekda", "inspektur"}
    # The month in words and the totals first (issue 15: on WhatsApp it used to arrive as "laporan -").
    assert "Rekap bulanan aduan November 2026" in recaps[0].payload["text"]
    assert "Jumlah: 2 laporan, 1 selesai, 1 berproses" in recaps[0].payload["text"]
    assert "Dinas Pekerjaan Umum dan Penataan Ruang: 2 aduan" in recaps[0].payload["text"]
    assert recaps[0].payload["variables"] == {"month": "November 2026", "count": 2, "resolved": 1,
                                              "in_progress": 1}


def test_operators_get_a_morning_summary_of_failed_notifications(desk, notifier, sessions) -> None:
    desk.clock.set(wita(11, 24, 10))
    desk.file()
    with transaction(sessions) as session:
        session.execute(update(Notification).where(Notification.channel == "whatsapp")
                        .values(status="failed", last_error="63016 outside window"))
    desk.clock.set(wita(11, 25, 7, 5))
    notifier.daily()
    summary = desk.notifications("ops_summary")
    assert summary and summary[0].address == "ops@baritokuala.example.org"
    assert "gagal 1x whatsapp: 63016 outside window" in summary[0].payload["text"]
    with sessions() as session:
        health = queue_health(session, desk.settings, desk.clock())
    assert health["failed_last_day"][0]["count"] == 1


class BrokenTelegram:
    name = "telegram"

    def send(self, message: OutgoingMessage) -> SendResult:
        raise AssertionError("not used")

    def check(self) -> CheckResult:
        return CheckResult(self.name, False, "getMe: 401 Unauthorized")


def test_a_failing_self_check_is_stored_and_alerts_operations_on_another_channel(desk, settings, sessions,
                                                                                 clock) -> None:
    notifier = Notifier(settings, sessions, clock, transports={"telegram": BrokenTelegram()}, owner="t")
    results = notifier.self_check()
    assert [r.ok for r in results] == [False]
    with sessions() as session:
        assert stored_checks(session)[0]["detail"] == "getMe: 401 Unauthorized"
    alert = desk.notifications("self_check")
    assert [(n.channel, n.recipient_id) for n in alert] == [("email", "kominfo.ops")]
    assert "telegram GAGAL" in alert[0].payload["text"]
