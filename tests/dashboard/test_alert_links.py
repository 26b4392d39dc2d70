"""Officials' alerts carry a signed short link to the complaint page: it opens the page only after sign-in,
stops working after `security.alert_link_days`, and a forged one opens nothing. E-mail gets the link and
no chat reply commands."""

from __future__ import annotations

import re

from sqlalchemy import select

from models.tables import Complaint, Notification
from tests.dashboard.conftest import complaint_row

LINK = re.compile(r"Buka: (http://127\.0\.0\.1:8000(/l/[^\s]+))")


def _alert(sessions, code: str, channel: str) -> Notification:  # type: ignore[no-untyped-def]
    with sessions() as db:
        return db.scalars(select(Notification).join(Complaint).where(
            Complaint.code == code, Notification.purpose == "new_complaint",
            Notification.channel == channel)).one()


def test_a_new_complaint_alert_links_to_the_page_behind_the_sign_in(client, login, file_complaint,
                                                                    sessions) -> None:
    code = file_complaint("Jalan berlubang besar di depan SDN 2 Marabahan", agency="PUPR")
    alert = _alert(sessions, code, "telegram")
    found = LINK.search(alert.payload["text"])
    assert found and code in found.group(2)
    assert "Balas pesan ini: TERIMA" in alert.payload["text"]
    email = _alert(sessions, code, "email")
    assert found.group(0) in email.payload["email_text"] and "Balas" not in email.payload["email_text"]

    path = found.group(2)
    signed_out = client.get(path)
    assert signed_out.status_code == 302 and signed_out.headers["Location"].endswith(f"/dashboard/c/{code}")
    assert "/dashboard/login" in client.get(signed_out.headers["Location"]).headers["Location"]
    login("pupr.admin")
    page = client.get(path, follow_redirects=True)
    assert page.status_code == 200 and code in page.get_data(as_text=True)


def test_a_forged_or_expired_link_opens_nothing(client, login, file_complaint, sessions, clock) -> None:
    code = file_complaint("Sampah menumpuk di pasar", agency="PUPR")
    other = file_complaint("Drainase tersumbat di Jl. Veteran", agency="PUPR")
    path = LINK.search(_alert(sessions, code, "telegram").payload["text"]).group(2)
    login("pupr.admin")
    forged = path.replace(code, other)
    refused = client.get(forged)
    assert refused.status_code == 410 and "Tautan sudah kedaluwarsa" in refused.get_data(as_text=True)
    assert client.get(path[:-3] + "abc").status_code == 410
    clock.advance(days=15)  # security.alert_link_days is 14
    login("pupr.admin")
    assert client.get(path).status_code == 410
    assert complaint_row(sessions, code).status == "dispatched"  # a link only points; it changes nothing
