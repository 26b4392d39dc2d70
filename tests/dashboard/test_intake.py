"""The triage operator enters phone, walk-in, letter and social-media complaints into the same lifecycle."""

from __future__ import annotations

from sqlalchemy import select

from models.tables import Complaint
from tests.dashboard.conftest import complaint_row, post


def test_a_phone_complaint_is_filed_dispatched_and_audited(client, login, sessions) -> None:
    login("kominfo.triage")
    response = post(client, "/dashboard/intake", {
        "channel": "phone", "name": "Ibu Sari", "phone": "+628125550000", "agency": "PUPR",
        "text": "Jembatan kayu di Desa Anjir hampir roboh", "source": "telepon 08.15"})
    assert response.status_code == 303
    with sessions() as db:
        code = db.scalars(select(Complaint.code)).one()
    complaint = complaint_row(sessions, code)
    assert (complaint.channel, complaint.status, complaint.agency_code) == ("phone", "dispatched", "PUPR")
    assert [e.action for e in complaint.events] == ["file", "dispatch", "intake"]
    assert complaint.events[-1].actor_id == "kominfo.triage" and complaint.events[-1].note == "telepon 08.15"


def test_a_social_media_complaint_without_agency_waits_for_triage(client, login, sessions) -> None:
    login("kominfo.triage")
    post(client, "/dashboard/intake", {"channel": "social_media", "text": "Postingan FB: lampu jalan mati semua",
                                       "anonymous": "1"})
    with sessions() as db:
        complaint = db.scalars(select(Complaint)).one()
    assert (complaint.channel, complaint.status, complaint.anonymous) == ("social_media", "received", True)


def test_intake_refuses_bad_input_and_other_roles(client, login, app) -> None:
    login("kominfo.triage")
    assert post(client, "/dashboard/intake", {"channel": "pigeon", "text": "Jalan rusak sekali"}).status_code == 400
    assert post(client, "/dashboard/intake", {"channel": "letter", "text": "x"}).status_code == 400
    admin = login("pupr.admin", app.test_client())
    assert admin.get("/dashboard/intake").status_code == 403
    assert post(admin, "/dashboard/intake", {"channel": "phone", "text": "Jalan rusak sekali"}).status_code == 403
