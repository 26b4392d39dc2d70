"""From the dashboard an official puts a complaint "dalam koordinasi lanjutan" with a note the reporter
hears, and corrects the kind the bot guessed; both audited, both refused to whoever may not."""

from __future__ import annotations

from sqlalchemy import select

from models.tables import Notification
from tests.dashboard.conftest import complaint_row, post


def test_the_coordination_button_sets_coordinating_and_tells_the_reporter_the_note(
        client, login, file_complaint, sessions) -> None:
    code = file_complaint()
    login("pupr.admin")
    page = client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    assert 'id="do-coordinate"' in page and "Dalam koordinasi lanjutan" in page
    response = post(client, f"/dashboard/c/{code}/act", {"action": "coordinate",
                                                         "note": "menunggu anggaran perbaikan dari provinsi"})
    assert response.status_code == 303
    complaint = complaint_row(sessions, code)
    event = complaint.events[-1]
    assert complaint.status == "coordinating"
    assert (event.action, event.actor_id, event.note) == ("coordinate", "pupr.admin",
                                                          "menunggu anggaran perbaikan dari provinsi")
    with sessions() as session:
        relay = session.scalars(select(Notification).where(
            Notification.complaint_id == complaint.id, Notification.recipient_kind == "reporter")).all()[-1]
    assert "Dalam koordinasi lanjutan" in relay.payload["text"]
    assert "menunggu anggaran perbaikan dari provinsi" in relay.payload["text"]


def test_an_official_corrects_the_kind_and_the_change_is_audited(client, login, file_complaint, sessions) -> None:
    code = file_complaint("Usul agar taman kota Marabahan diberi lampu dan bangku tambahan")
    login("pupr.admin")
    assert 'id="do-change-kind"' in client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    assert post(client, f"/dashboard/c/{code}/kind", {"kind": "aspirasi"}).status_code == 303
    complaint = complaint_row(sessions, code)
    event = complaint.events[-1]
    assert complaint.kind == "aspirasi"
    assert (event.action, event.actor_id, event.data) == ("change_kind", "pupr.admin",
                                                          {"from": "pengaduan", "to": "aspirasi"})


def test_another_office_cannot_change_the_kind_and_nonsense_kinds_are_refused(
        client, login, file_complaint, sessions) -> None:
    code = file_complaint()
    login("dlh.admin")
    assert post(client, f"/dashboard/c/{code}/kind", {"kind": "aspirasi"}).status_code == 404
    login("pupr.admin")
    assert post(client, f"/dashboard/c/{code}/kind", {"kind": "gosip"}).status_code == 400
    assert complaint_row(sessions, code).kind == "pengaduan"
