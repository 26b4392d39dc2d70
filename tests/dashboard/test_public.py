"""Public pages: tracking by code, agencies' response rates, and the citizen web chat."""

from __future__ import annotations

from sqlalchemy import select

from models.tables import Complaint, Notification
from tests.dashboard.conftest import chat_form, post


def test_tracking_by_code_shows_status_and_dates_only(client, file_complaint) -> None:
    code = file_complaint("Jalan rusak depan rumah Pak Budi", agency="PUPR")
    page = client.get(f"/lacak?code={code.lower()}").get_data(as_text=True)
    assert code in page and "Didisposisi" in page and "2026-11-23" in page
    assert "Pak Budi" not in page and "+628120000000" not in page


def test_a_confidential_complaint_cannot_be_tracked_publicly(client, file_complaint) -> None:
    code = file_complaint("Pungli oleh oknum pegawai", agency="PUPR", confidential=True)
    response = client.get(f"/lacak?code={code}")
    assert response.status_code == 404 and code not in response.get_data(as_text=True).split("value=")[-1][40:]
    assert "Didisposisi" not in response.get_data(as_text=True)


def test_an_unknown_code_is_simply_not_found(client) -> None:
    assert client.get("/lacak?code=BTL-0000-0000").status_code == 404
    assert client.get("/lacak").status_code == 200


def test_the_public_summary_lists_agency_response_rates_without_confidential_ones(
        client, login, file_complaint) -> None:
    code = file_complaint("Jalan rusak", agency="PUPR")
    file_complaint("Pungli", agency="DLH", confidential=True)
    login("pupr.admin")
    post(client, f"/dashboard/c/{code}/act", {"action": "answer", "note": "Sudah ditambal"})
    page = client.get("/ringkasan").get_data(as_text=True)
    assert "Dinas Pekerjaan Umum" in page and "100.0" in page
    assert "Dinas Lingkungan Hidup" not in page


def test_the_web_chat_talks_to_the_same_engine_on_channel_web(client, sessions) -> None:
    assert client.get("/chat").status_code == 200
    response = post(client, "/chat", chat_form(client, {"text": "halo", "nonce": "n1"}))
    assert response.status_code == 303
    page = client.get("/chat").get_data(as_text=True)
    assert "halo" in page and "Bot:" in page
    with client.session_transaction() as session:
        chat_id = session["web_chat_id"]
    with sessions() as db:
        from models.tables import ChatSession

        assert db.scalars(select(ChatSession.channel).where(ChatSession.chat_id == chat_id)).one() == "web"


def test_a_citizen_files_through_the_web_chat_and_gets_a_code(client, sessions) -> None:
    steps = ["jalan berlubang depan SDN 2 Marabahan", "depan SDN 2 Marabahan", "1", "ya"]  # no photo question
    for number, said in enumerate(steps):
        post(client, "/chat", chat_form(client, {"text": said, "nonce": f"step-{number}"}))
    with sessions() as db:
        complaint = db.scalars(select(Complaint)).one()
    assert (complaint.channel, complaint.agency_code) == ("web", "PUPR")
    assert complaint.code in client.get("/chat").get_data(as_text=True)


def test_the_chat_offers_the_engine_choices_as_buttons(client) -> None:
    post(client, "/chat", chat_form(client, {"text": "jalan berlubang depan SDN 2 Marabahan", "nonce": "c1"}))
    post(client, "/chat", {"text": "depan SDN 2 Marabahan", "nonce": "c2"})
    # The web chat cannot send photos: the privacy question (with its buttons) follows the location.
    page = client.get("/chat").get_data(as_text=True)
    assert "foto" not in page.lower().split("depan sdn 2 marabahan")[-1]
    assert 'class="choice"' in page
    post(client, "/chat", {"text": ["", "1"], "nonce": "c4"})
    assert "<strong>Anda:</strong> 1</p>" in client.get("/chat").get_data(as_text=True)


def test_the_same_chat_form_sent_twice_is_answered_once(client, sessions) -> None:
    form = chat_form(client, {"text": "halo", "nonce": "same"})
    post(client, "/chat", form)
    post(client, "/chat", form)
    with sessions() as db:
        from models.tables import InboundMessage

        assert len(db.scalars(select(InboundMessage)).all()) == 1
        assert db.scalars(select(Notification)).all() == []


def test_the_chat_refuses_a_post_from_another_site(client) -> None:
    assert client.post("/chat", data={"text": "halo"}).status_code == 400
