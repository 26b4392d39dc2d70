"""Officials act on complaints through Desk.act; every role may do exactly what its permissions say."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.db import transaction
from models.desk import Desk, calendar_for
from models.permissions import SYSTEM
from models.tables import Complaint, ComplaintEvent, Notification, Reporter
from tests.dashboard.conftest import complaint_row, post

DENIED = 403
# Another agency's complaint is answered like one that does not exist (issue 12: no oracle for codes).
NOT_FOUND = 404
DONE = 303
ACTIONS = ("ack", "coordinate", "answer", "close", "reject", "bukan_wewenang", "reroute", "dispatch", "forward",
           "reveal", "moderate", "block")
AGENCY = {"ack", "coordinate", "answer", "close", "bukan_wewenang"}
ALLOWED = {
    "pupr.admin": AGENCY,
    "pupr.head": AGENCY,
    "dlh.admin": set(),  # another agency's admin: nothing on a PUPR complaint
    "kominfo.triage": set(ACTIONS) - {"reveal"},
    "bupati": {"reroute", "dispatch", "close"},
    "sekda": {"reroute", "dispatch", "close"},
    "inspektur": {"reroute", "dispatch", "reveal"},
}
FORM = {"coordinate": {"note": "rapat dengan PLN"}, "answer": {"note": "Sudah diperbaiki"},
        "reject": {"reason": "spam"}, "reroute": {"to_agency": "DLH"}, "dispatch": {"to_agency": "DLH"},
        "forward": {"to_agency": "EXT_PLN"}}


def _request(client, code: str, action: str):  # type: ignore[no-untyped-def]
    if action == "reveal":
        return post(client, f"/dashboard/c/{code}/reveal", {"reason": "klarifikasi dugaan pungli"})
    if action in {"moderate", "block"}:
        return post(client, f"/dashboard/c/{code}/{action}", {"public_text": "Jalan rusak di Marabahan"})
    return post(client, f"/dashboard/c/{code}/act", {"action": action, **FORM.get(action, {})})


def _answered(settings, sessions, clock, code: str) -> None:  # type: ignore[no-untyped-def]
    """Closing needs an answered complaint: answer it as the system first."""
    with transaction(sessions) as db:
        complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
        Desk(db, settings, calendar_for(settings), clock()).answer(complaint, SYSTEM, "Sudah diperbaiki")


def _events(sessions, code: str) -> int:  # type: ignore[no-untyped-def]
    with sessions() as db:
        query = select(func.count(ComplaintEvent.id)).join(Complaint).where(Complaint.code == code)
        return int(db.scalar(query) or 0)


@pytest.mark.parametrize("official", sorted(ALLOWED))
def test_each_role_may_take_exactly_its_actions_and_is_refused_the_rest(
        client, login, file_complaint, sessions, settings, clock, official: str) -> None:
    login(official)
    for action in ACTIONS:
        code = file_complaint("Jalan berlubang di Jl. Pramuka", agency="PUPR", anonymous=True)
        if action == "close":
            _answered(settings, sessions, clock, code)
        before = _events(sessions, code)
        response = _request(client, code, action)
        if action in ALLOWED[official]:
            assert response.status_code in {DONE, 200}, (official, action)
            assert _events(sessions, code) > before, (official, action)
        else:
            refusal = NOT_FOUND if official == "dlh.admin" else DENIED
            assert response.status_code == refusal, (official, action)
            assert _events(sessions, code) == before, (official, action)


def test_an_admin_acknowledges_and_answers_and_the_citizen_is_told(client, login, file_complaint, sessions) -> None:
    code = file_complaint("Jalan berlubang di Jl. Pramuka", agency="PUPR")
    login("pupr.admin")
    assert _request(client, code, "ack").status_code == DONE
    response = post(client, f"/dashboard/c/{code}/act", {"action": "answer", "note": "Sudah ditambal hari ini."})
    assert response.status_code == DONE
    complaint = complaint_row(sessions, code)
    assert complaint.status == "answered" and complaint.answer_text == "Sudah ditambal hari ini."
    assert [e.action for e in complaint.events][-2:] == ["acknowledge", "answer"]
    assert complaint.events[-1].actor_id == "pupr.admin"
    with sessions() as db:
        relays = db.scalars(select(Notification).where(Notification.complaint_id == complaint.id,
                                                        Notification.recipient_kind == "reporter")).all()
    assert any("Sudah ditambal hari ini." in n.payload["text"] for n in relays)


def test_an_illegal_move_is_explained_not_applied(client, login, file_complaint, sessions) -> None:
    code = file_complaint("Jalan berlubang di Jl. Pramuka", agency="PUPR")
    login("pupr.admin")
    response = _request(client, code, "close")
    assert response.status_code == DONE
    assert "illegal transition" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert complaint_row(sessions, code).status == "dispatched"


def test_a_form_without_the_csrf_token_changes_nothing(client, login, file_complaint, sessions) -> None:
    code = file_complaint("Jalan berlubang di Jl. Pramuka", agency="PUPR")
    login("pupr.admin")
    before = _events(sessions, code)
    for token in (None, "forged-token"):
        data = {"action": "ack"} | ({"csrf_token": token} if token else {})
        assert client.post(f"/dashboard/c/{code}/act", data=data).status_code == 400
    assert _events(sessions, code) == before


def test_the_complaint_page_shows_the_timeline_with_notification_failures(
        client, login, file_complaint, sessions) -> None:
    code = file_complaint("Jalan berlubang di Jl. Pramuka", agency="PUPR", latitude=-3.0466, longitude=114.7514,
                          location_text="Depan SDN 2")
    with transaction(sessions) as db:
        row = db.scalars(select(Notification).join(Complaint).where(Complaint.code == code)).first()
        row.status, row.attempts, row.last_error = "failed", 6, "Twilio 63016: outside the 24-hour window"
    login("pupr.admin")
    page = client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    assert "Twilio 63016: outside the 24-hour window" in page
    # The history reads as sentences (issue 15), not as action codes and outbox purposes.
    assert "Laporan masuk lewat Telegram" in page
    assert "Diteruskan ke Dinas Pekerjaan Umum dan Penataan Ruang oleh sistem" in page
    assert "Peringatan laporan baru WhatsApp ke Admin Penghubung PUPR (placeholder) gagal (dicoba 6 kali)" in page
    assert "new_complaint" not in page and "→" not in page
    assert "mlat=-3.0466" in page and "Depan SDN 2" in page
    assert "Dijadwalkan" in page  # a reusable response template


def test_an_anonymous_reporter_stays_hidden_until_the_inspectorate_reveals_it_on_record(
        app, login, file_complaint, sessions) -> None:
    code = file_complaint("Pungli di kantor kecamatan", agency="PUPR", anonymous=True)
    admin = login("pupr.admin", app.test_client())
    page = admin.get(f"/dashboard/c/{code}").get_data(as_text=True)
    assert "Identitas dirahasiakan" in page and "+628120000000" not in page
    assert "Buka identitas" not in page
    inspector = login("inspektur", app.test_client())
    revealed = post(inspector, f"/dashboard/c/{code}/reveal",
                    {"reason": "klarifikasi dugaan pungli"}).get_data(as_text=True)
    assert "+628120000000" in revealed
    assert "+628120000000" not in inspector.get(f"/dashboard/c/{code}").get_data(as_text=True)
    event = complaint_row(sessions, code).events[-1]
    assert (event.action, event.actor_id) == ("reveal_identity", "inspektur")


def test_moderation_keeps_the_original_and_audits_the_edit(client, login, file_complaint, sessions) -> None:
    code = file_complaint("Jalan rusak depan rumah Pak Budi 0812-3456-7890", agency="PUPR")
    login("kominfo.triage")
    post(client, f"/dashboard/c/{code}/moderate", {"public_text": "Jalan rusak depan rumah warga"})
    complaint = complaint_row(sessions, code)
    assert complaint.text == "Jalan rusak depan rumah Pak Budi 0812-3456-7890"
    assert complaint.public_text == "Jalan rusak depan rumah warga"
    event = complaint.events[-1]
    assert event.action == "moderate" and event.actor_id == "kominfo.triage"
    assert event.data == {"before": None, "after": "Jalan rusak depan rumah warga"}


def test_a_blocked_reporter_gets_a_polite_answer_and_nothing_is_routed(
        client, login, file_complaint, sessions, chat) -> None:
    code = file_complaint("Jalan rusak parah", agency="PUPR", channel="console")
    login("kominfo.triage")
    assert post(client, f"/dashboard/c/{code}/block", {"note": "kata-kata kasar"}).status_code == DONE
    assert complaint_row(sessions, code).events[-1].action == "block_reporter"
    reply = chat("Jalan rusak lagi di depan SDN 2 Marabahan", chat_id="warga-1-Jalan")
    assert "tidak dapat kami proses" in reply
    with sessions() as db:
        assert db.scalar(select(func.count(Complaint.id))) == 1
        assert db.scalars(select(Reporter.blocked_at).where(Reporter.provider_id == "warga-1-Jalan")).one()
