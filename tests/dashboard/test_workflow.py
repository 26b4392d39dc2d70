"""Issue 15's workflow gaps on the complaint page: further coordination and kind correction through the desk,
the router's suggestion preselected for triage, the history in sentences, and error pages in Indonesian."""

from __future__ import annotations

from sqlalchemy import select

from models.tables import Complaint, Notification
from tests.dashboard.conftest import complaint_row, post


def test_an_admin_sets_further_coordination_and_the_reporter_is_told(client, login, file_complaint,
                                                                     sessions) -> None:
    code = file_complaint("Jembatan gantung di Desa Sungai Ulin miring", agency="PUPR")
    login("pupr.admin")
    assert 'id="go-coordinate"' in client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    response = post(client, f"/dashboard/c/{code}/act",
                    {"action": "coordinate", "note": "Menunggu tim Balai Wilayah Sungai minggu depan"})
    assert response.status_code == 303
    complaint = complaint_row(sessions, code)
    assert complaint.status == "coordinating"
    with sessions() as db:
        told = db.scalars(select(Notification).where(Notification.complaint_id == complaint.id,
                                                     Notification.recipient_kind == "reporter")).all()
    assert any("Balai Wilayah Sungai" in row.payload["text"] for row in told)
    page = client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    assert "Dalam koordinasi lanjutan (Admin Penghubung PUPR (placeholder))" in page


def test_an_admin_corrects_the_kind_and_the_change_is_on_record(client, login, file_complaint, sessions) -> None:
    code = file_complaint("Usul taman bermain anak di lapangan Desa Anjir", agency="PUPR")
    login("pupr.admin")
    response = post(client, f"/dashboard/c/{code}/kind", {"kind": "aspirasi", "note": "usulan, bukan keluhan"})
    assert response.status_code == 303
    complaint = complaint_row(sessions, code)
    assert (complaint.kind, complaint.status) == ("aspirasi", "dispatched")
    event = complaint.events[-1]
    assert (event.action, event.actor_id, event.data) == ("change_kind", "pupr.admin",
                                                           {"from": "pengaduan", "to": "aspirasi"})
    page = client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    assert "Jenis laporan diubah menjadi Aspirasi oleh Admin Penghubung PUPR (placeholder)" in page


def test_a_kind_correction_is_refused_to_other_offices_and_to_unknown_kinds(app, client, login, file_complaint,
                                                                           sessions) -> None:
    code = file_complaint("Sampah menumpuk di pasar", agency="DLH")
    login("pupr.admin")
    assert post(client, f"/dashboard/c/{code}/kind", {"kind": "aspirasi"}).status_code == 404
    bupati = login("bupati", app.test_client())
    assert post(bupati, f"/dashboard/c/{code}/kind", {"kind": "aspirasi"}).status_code == 403
    dlh = login("dlh.admin", app.test_client())
    post(dlh, f"/dashboard/c/{code}/kind", {"kind": "keluhan_palsu"})
    assert complaint_row(sessions, code).kind == "pengaduan"
    assert [e.action for e in complaint_row(sessions, code).events] == ["file", "dispatch"]


def test_triage_sees_the_routers_suggestion_preselected_for_dispatch(client, login, file_complaint) -> None:
    routing = {"decision": "triage", "candidates": [{"agency": "DLH", "score": 0.8, "keywords": ["sampah"]},
                                                    {"agency": "PUPR", "score": 0.3, "keywords": ["jalan"]}]}
    code = file_complaint("Sampah di jalan depan pasar", agency=None, routing=routing)
    login("kominfo.triage")
    page = client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    assert '<option value="DLH" selected>' in page
    assert '<option value="PUPR" selected>' not in page


def test_deadlines_and_times_are_local_words_not_codes(client, login, file_complaint) -> None:
    code = file_complaint("Jalan berlubang di Jl. Pramuka", agency="PUPR")
    login("pupr.admin")
    page = client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    # Filed Monday 23 November 2026 09:00 WITA; the answer is due within five working days.
    assert "Sen, 23 Nov 2026 09:00 WITA" in page
    assert "<dt>Batas jawaban</dt><dd>Sen, 30 Nov 2026</dd>" in page
    assert "Asia/Makassar" not in page and "verify:" not in page
    client.get("/lang/en")
    english = client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    assert "<dt>Answer due</dt><dd>Mon, 30 Nov 2026</dd>" in english


def test_error_pages_speak_indonesian_and_machine_endpoints_keep_their_answers(app, client, login) -> None:
    login("pupr.admin")
    missing = client.get("/dashboard/c/BTL-0000-0000")
    assert missing.status_code == 404 and "Halaman tidak ditemukan" in missing.get_data(as_text=True)
    refused = client.get("/dashboard/intake")
    assert refused.status_code == 403 and "Anda tidak berwenang" in refused.get_data(as_text=True)
    assert refused.headers["X-Frame-Options"] == "DENY"
    client.get("/lang/en")
    assert "Page not found" in client.get("/dashboard/nothing-here").get_data(as_text=True)
    api = app.test_client().get("/open311/v2/requests/tidak-ada.json")
    assert "Halaman tidak ditemukan" not in api.get_data(as_text=True)


def test_intake_shows_the_routers_suggestion_before_filing_and_keeps_it_for_triage(client, login,
                                                                                   sessions) -> None:
    login("kominfo.triage")
    form = {"channel": "phone", "text": "Sampah menumpuk dan bau di pasar Marabahan, belum diangkut seminggu",
            "phone": "+628125550001"}
    preview = post(client, "/dashboard/intake", {**form, "preview": "1"})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="intake-suggestion"' in page
    assert "Dinas Lingkungan Hidup" in page and '<option value="DLH" selected>' in page
    assert "Isi telepon agar pelapor bisa diberi kabar" in page
    with sessions() as db:
        assert db.scalars(select(Complaint)).first() is None  # a look at the suggestion files nothing
    post(client, "/dashboard/intake", form)  # the operator leaves the choice to triage
    with sessions() as db:
        complaint = db.scalars(select(Complaint)).one()
    assert (complaint.status, complaint.agency_code) == ("received", None)
    assert complaint.routing["candidates"][0]["agency"] == "DLH"
    assert '<option value="DLH" selected>' in client.get(f"/dashboard/c/{complaint.code}").get_data(as_text=True)
