"""The suite-wide payload guard (tests/payload_guard.py) is itself tested: it catches an anonymous reporter's
identity in an official's outbox row or in a message a fake provider received, however the number is typed,
and stays quiet where the identity belongs (messages to the reporter, public complaints, the citizen's own words).

The check is called directly; every leak planted here is removed again before the guard's own teardown scan.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from payload_guard import (
    Outgoing,
    capture_outgoing,
    captured,
    clear_captured,
    find_leaks,
    identity_of,
    person_beside_code_in_logs,
    secrets_in_logs,
)
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from models.clock import FixedClock
from models.config import Settings
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.outbox import Recipient, enqueue
from models.tables import Complaint, Notification

NAME, PHONE = "Siti Aminah (@siti_btl)", "+6281299990001"
PLANTED = "planted-leak"


class Filing:
    def __init__(self, sessions: sessionmaker[Session], settings: Settings, clock: FixedClock) -> None:
        self.sessions, self.settings, self.clock = sessions, settings, clock

    def file(self, anonymous: bool, name: str = NAME, phone: str = PHONE, text: str = "jalan berlubang parah") -> str:
        with transaction(self.sessions) as db:
            desk = Desk(db, self.settings, calendar_for(self.settings), self.clock())
            reporter = desk.reporter_for("telegram", phone.removeprefix("+"), name, phone)
            return desk.file(NewComplaint(reporter=reporter, text=text, channel="telegram", agency_code="PUPR",
                                          anonymous=anonymous), dispatch=True).code

    def plant(self, code: str, text: str, to_reporter: bool = False) -> None:
        """An outbox row as a careless change to models/notices.py would write it."""
        with transaction(self.sessions) as db:
            complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
            reporter = complaint.reporter
            recipient = (Recipient("reporter", str(reporter.id), "telegram", reporter.provider_id) if to_reporter
                         else Recipient("official", "pupr.admin", "whatsapp", "+62811100101"))
            enqueue(db, recipient=recipient, purpose=PLANTED, payload={"text": text},
                    dedup_key=f"{code}:{PLANTED}:{text}", now=self.clock(), complaint_id=complaint.id)

    def leaks(self, outgoing: list[Outgoing] | None = None) -> list[str]:
        with self.sessions() as db:
            return [str(leak) for leak in find_leaks(db, outgoing or [])]


@pytest.fixture
def filing(sessions: sessionmaker[Session], settings: Settings, clock: FixedClock) -> Iterator[Filing]:
    helper = Filing(sessions, settings, clock)
    yield helper
    with transaction(sessions) as db:
        db.execute(delete(Notification).where(Notification.purpose == PLANTED))
    clear_captured()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("leaked", ["Siti Aminah", "Aminah", "@siti_btl", "+6281299990001", "0812-9999-0001",
                                    "62 812 9999 0001", "telegram 6281299990001"])
def test_an_officials_outbox_row_naming_the_anonymous_reporter_is_caught(filing: Filing, leaked: str) -> None:
    code = filing.file(anonymous=True)
    assert filing.leaks() == []
    filing.plant(code, f"LAPORAN BARU {code}\nPelapor: {leaked}")
    leaks = filing.leaks()
    assert len(leaks) == 1 and code in leaks[0] and "outbox message to 'official:pupr.admin" in leaks[0], leaks


@pytest.mark.timeout(60)
def test_a_fake_providers_message_to_an_official_is_scanned_too(filing: Filing) -> None:
    code = filing.file(anonymous=True)
    to_official = Outgoing("twilio", "whatsapp:+62811100101", f'{{"Body": "INFO {code}: Pelapor Siti Aminah"}}')
    to_reporter = Outgoing("telegram", "6281299990001", f"Laporan {code} atas nama Siti Aminah: Diproses")
    assert filing.leaks([to_reporter]) == []
    assert len(filing.leaks([to_official, to_reporter])) == 1


@pytest.mark.timeout(60)
def test_an_e_mail_body_is_decoded_before_it_is_scanned(filing: Filing) -> None:
    code = filing.file(anonymous=True)
    mail = EmailMessage()
    mail["To"] = "admin.pupr@baritokuala.example.org"
    mail["Subject"] = f"LAPORAN BARU {code}"
    mail.set_content(f"Pelapor: Siti Aminah, HP 0812 9999 0001 — {code}", cte="base64")
    capture_outgoing("smtp", "admin.pupr@baritokuala.example.org", mail.as_string())
    assert "Siti Aminah" not in mail.as_string()  # on the wire the body is base64
    leaks = filing.leaks(captured())
    assert len(leaks) == 1 and "Siti Aminah" in leaks[0] and "8129999000" in leaks[0], leaks


@pytest.mark.timeout(60)
def test_the_identity_where_it_belongs_is_not_a_leak(filing: Filing) -> None:
    anonymous = filing.file(anonymous=True, text="jalan berlubang, hubungi saya Siti Aminah")
    public = filing.file(anonymous=False, name="Siti Aminah", phone="+6281300000002")
    filing.plant(anonymous, f"Laporan {anonymous}: Diproses. Terima kasih Siti Aminah", to_reporter=True)
    filing.plant(public, f"LAPORAN BARU {public}\nPelapor: Siti Aminah")  # another Siti, not anonymous
    filing.plant(anonymous, f"LAPORAN BARU {anonymous}\nIsi: jalan berlubang, hubungi saya Siti Aminah")
    assert filing.leaks() == []


def test_identifiers_of_a_reporter_cover_name_handle_phone_and_account() -> None:
    from models.tables import Reporter

    identity = identity_of(Reporter(id=7, channel="telegram", provider_id="70001", name=NAME, phone=PHONE))
    assert {"Siti Aminah", "Siti", "Aminah", "siti_btl", "@siti_btl"} <= identity.phrases
    assert identity.phones == {"81299990001"} and identity.numbers == {"70001"}


# --- issue 12: pages, JSON, logs and misconduct reporters ----------------------------------------------------


def leaky_app(code: str) -> Any:
    """A careless page: the reporter's number beside the code, and the search box echoing what was asked."""
    from flask import Flask, request

    app = Flask("leaky")

    @app.get("/dashboard/c/<code>")
    def page(code: str) -> str:
        return f"<p>{code}</p><p>Pelapor: {PHONE}</p>"

    @app.get("/dashboard/")
    def search() -> str:
        typed = request.args.get("q", "")
        return f'<input name="q" value="{typed}"><a href="/lang/en?next=/dashboard/%3Fq%3D{typed}">EN</a> {code}'

    return app


@pytest.mark.timeout(60)
def test_a_page_served_with_a_hidden_reporters_number_is_caught_but_an_echo_of_the_search_is_not(
        filing: Filing) -> None:
    code = filing.file(anonymous=True)
    client = leaky_app(code).test_client()
    client.get(f"/dashboard/?q={PHONE.replace('+', '%2B')}")
    assert filing.leaks(captured()) == []
    client.get(f"/dashboard/c/{code}")
    leaks = filing.leaks(captured())
    assert len(leaks) == 1 and leaks[0].startswith("page message to 'GET /dashboard/c/"), leaks
    clear_captured()


@pytest.mark.timeout(60)
def test_a_log_line_is_a_leak_only_where_it_ties_a_number_to_a_hidden_complaint(filing: Filing) -> None:
    code = filing.file(anonymous=True)
    alone = Outgoing("log", "log", f"telegram: chat {PHONE} refuses our messages")
    tied = Outgoing("log", "log", f"message channel=whatsapp chat={PHONE} state=idle code={code}")
    assert filing.leaks([alone]) == []
    assert len(filing.leaks([alone, tied])) == 1


@pytest.mark.timeout(60)
def test_the_read_models_are_scanned_unless_built_for_the_audited_reveal(filing: Filing) -> None:
    from models.desk import calendar_for
    from models.views import complaint_detail

    code = filing.file(anonymous=True)
    with filing.sessions() as db:
        complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
        details = "models.views.complaint_detail"
        complaint_detail(complaint, calendar_for(filing.settings), reveal_identity=True)
        assert [item for item in captured() if item.recipient == details] == []
        complaint_detail(complaint, calendar_for(filing.settings))
    shown = [item for item in captured() if item.recipient == details]
    assert len(shown) == 1 and PHONE not in shown[0].text and "Pelapor #" in shown[0].text
    clear_captured()


@pytest.mark.timeout(60)
def test_a_misconduct_reporter_is_watched_even_without_anonymity(filing: Filing) -> None:
    with transaction(filing.sessions) as db:
        desk = Desk(db, filing.settings, calendar_for(filing.settings), filing.clock())
        reporter = desk.reporter_for("telegram", PHONE.removeprefix("+"), NAME, PHONE)
        code = desk.file(NewComplaint(reporter=reporter, text="pegawai capil minta uang pelicin", channel="telegram",
                                      misconduct=True, subject_agency_code="DISDUKCAPIL"), dispatch=True).code
    assert filing.leaks() == []  # the desk's own alerts hide the misconduct reporter
    filing.plant(code, f"LAPORAN BARU {code}\nPelapor: Siti Aminah")
    assert len(filing.leaks()) == 1


def test_a_log_line_pairing_any_reporters_number_with_their_code_is_caught(filing: Filing) -> None:
    code = filing.file(anonymous=False)
    lines = [Outgoing("log", "log", f"INFO aduan.engine message chat={PHONE.removeprefix('+')} code={code}"),
             Outgoing("log", "log", f"INFO aduan.engine message chat=*** code={code}"),
             Outgoing("log", "log", f"INFO telegram: chat {PHONE.removeprefix('+')} refuses our messages")]
    with filing.sessions() as db:
        leaks = person_beside_code_in_logs(db, lines)
    assert [leak.excerpt for leak in leaks] == [lines[0].text]


def test_a_configured_test_secret_in_a_log_line_is_caught() -> None:
    lines = [Outgoing("log", "log", "HTTP Request: POST http://127.0.0.1:9/bot123456:TEST-token/sendMessage"),
             Outgoing("log", "log", "HTTP Request: POST http://127.0.0.1:9/bot***/sendMessage"),
             Outgoing("log", "log", "twilio: TWILIO_AUTH_TOKEN not set, every webhook will be refused")]
    assert secrets_in_logs(lines) == [lines[0].text]
