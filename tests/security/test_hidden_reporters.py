"""Class 2: an anonymous (or misconduct) complaint shows no stable identifier of its reporter anywhere an official
can look — pages, timeline, exports, the command line's JSON, notification listings, search. A handle, where one
is needed, is a per-complaint pseudonym; only the Inspectorate's audited reveal, with its reason, shows the person."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models.db import transaction
from models.desk import Desk, calendar_for
from models.permissions import SYSTEM
from models.tables import Complaint, Reporter
from tests.dashboard.conftest import post
from tests.security.conftest import RAHMA, Filing, Person, manage_json

PSEUDONYM = re.compile(r"Pelapor #[0-9A-F]{4}")
SUMMARY_KEYS = {"code", "status", "status_label", "kind", "agency", "category", "channel", "anonymous",
                "confidential", "supporters", "escalation_level", "created_at", "updated_at"}
DETAIL_KEYS = SUMMARY_KEYS | {"text", "answer", "location", "reporter", "routing", "deadlines", "attachments",
                              "events", "notifications", "satisfied", "rating", "reject_reason"}
REPORTER_KEYS = {"channel", "anonymous", "erased", "id", "name", "phone", "provider_id"}
NOTIFICATION_KEYS = {"id", "complaint_code", "recipient", "recipient_kind", "recipient_id", "channel", "address",
                     "purpose", "level", "status", "attempts", "last_error", "created_at", "next_attempt_at",
                     "sent_at", "delivered_at"}


def reporter_id(sessions: Any) -> int:
    with sessions() as db:
        return int(db.scalars(select(Reporter.id).where(Reporter.phone == RAHMA.phone)).one())


def identity_free(text: str, *extra: str) -> bool:
    return all(token not in text for token in [*RAHMA.tokens(), *extra])


def answered(filing: Filing, code: str) -> None:
    """The agency answers, so the reporter is sent a status message (an outbox row to their address)."""
    with transaction(filing.sessions) as db:
        complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
        Desk(db, filing.settings, calendar_for(filing.settings), filing.clock()).answer(complaint, SYSTEM, "Sudah")


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_the_command_lines_json_keeps_every_key_and_shows_per_complaint_pseudonyms(
        filing: Filing, sessions: Any, db_engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    named = filing.file(text="Jalan depan rumah berlubang", anonymous=False)
    first = filing.file(text="Sampah menumpuk di samping rumah", agency="DLH", anonymous=True)
    second = filing.file(text="Lampu jalan mati di gang kami", agency="PERKIM", anonymous=True)
    for code in (named, first, second):
        answered(filing, code)
    own_id = str(reporter_id(sessions))
    shown = {code: manage_json(db_engine, monkeypatch, "complaints", "show", code, "--json")
             for code in (named, first, second)}
    for code in (first, second):
        detail = shown[code]
        assert set(detail) >= DETAIL_KEYS and set(detail["reporter"]) >= REPORTER_KEYS
        assert PSEUDONYM.fullmatch(detail["reporter"]["id"]) and detail["reporter"]["phone"] is None
        assert identity_free(str(detail), RAHMA.address)
        reporter_events = [e for e in detail["events"] if e["actor_kind"] == "reporter"]
        assert reporter_events and all(PSEUDONYM.fullmatch(e["actor_id"]) for e in reporter_events)
        to_reporter = [n for n in detail["notifications"] if n["recipient_kind"] == "reporter"]
        assert to_reporter and all(set(n) >= NOTIFICATION_KEYS for n in to_reporter)
        assert all(n["recipient_id"] != own_id and identity_free(str(n)) for n in to_reporter)
    # The same citizen carries a different handle on each complaint, and none equals the named one's id.
    assert shown[first]["reporter"]["id"] != shown[second]["reporter"]["id"]
    assert shown[named]["reporter"]["id"] == int(own_id) and shown[named]["reporter"]["phone"] == RAHMA.phone
    listed = manage_json(db_engine, monkeypatch, "complaints", "list", "--json")
    assert all(set(row) >= SUMMARY_KEYS for row in listed)
    notifications = manage_json(db_engine, monkeypatch, "notifications", "list", "--json")
    assert all(set(row) >= NOTIFICATION_KEYS for row in notifications)
    for row in notifications:
        if row["recipient_kind"] == "reporter":
            assert row["recipient_id"] != own_id and identity_free(str(row)), row


def test_the_complaint_page_and_its_timeline_show_a_pseudonym_to_every_official(
        filing: Filing, sessions: Any, app: Any, login: Any) -> None:
    code = filing.file(text="Sampah menumpuk di samping rumah", agency="DLH", anonymous=True)
    answered(filing, code)
    own_id = reporter_id(sessions)
    for official in ("dlh.admin", "kominfo.triage", "bupati", "inspektur"):
        page = login(official, app.test_client()).get(f"/dashboard/c/{code}").get_data(as_text=True)
        assert PSEUDONYM.search(page), official
        assert identity_free(page, RAHMA.address), official
        assert f"reporter:{own_id}<" not in page and f"reporter:{own_id} " not in page, official


def test_searching_a_number_or_a_name_never_finds_a_hidden_reporters_complaint(
        filing: Filing, client: Any, login: Any) -> None:
    hidden = filing.file(text="Saya Rahmawati, hp 081251730462: sampah menumpuk di gang", agency="DLH",
                         anonymous=True)
    public = filing.file(text="Pak RT Rahmawati bilang sampah 081251730462 belum diangkut", agency="DLH",
                         person=Person("Warga Lain", "+6281300000001"))
    login("kominfo.triage")
    for query in ("081251730462", "6281251730462", "1730462", "Rahmawati", "Rahma", "Bjm", "0812-5173-0462"):
        page = client.get("/dashboard/", query_string={"q": query}).get_data(as_text=True)
        assert f'href="/dashboard/c/{hidden}"' not in page, query
    # Searching the words of the complaint still finds it, and a public complaint is found by anything it says.
    assert f'href="/dashboard/c/{hidden}"' in client.get("/dashboard/?q=sampah+menumpuk").get_data(as_text=True)
    assert f'href="/dashboard/c/{public}"' in client.get("/dashboard/?q=081251730462").get_data(as_text=True)


def test_exports_carry_no_identity(filing: Filing, client: Any, login: Any) -> None:
    filing.file(text="Sampah menumpuk di samping rumah", agency="DLH", anonymous=True)
    filing.file(text="pungli di kantor capil", misconduct=True, subject="DISDUKCAPIL")
    login("kominfo.triage")
    exported = client.get("/dashboard/stats.csv").get_data(as_text=True)
    assert list(csv.DictReader(io.StringIO(exported))) and identity_free(exported)
    book = load_workbook(io.BytesIO(client.get("/dashboard/stats.xlsx").get_data()))
    cells = " ".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for cell in row)
    assert identity_free(cells)


def test_the_reveal_asks_for_a_reason_and_stores_it_in_the_audit_event(
        filing: Filing, client: Any, login: Any) -> None:
    code = filing.file(text="Sampah menumpuk di samping rumah", agency="DLH", anonymous=True)
    login("inspektur")
    for reason in ("", " ", "\u200b", ".", "cek"):
        refused = post(client, f"/dashboard/c/{code}/reveal", {"reason": reason})
        assert refused.status_code == 303, reason
        assert identity_free(client.get(refused.headers["Location"]).get_data(as_text=True))
    assert [e.action for e in filing.complaint(code).events].count("reveal_identity") == 0
    revealed = post(client, f"/dashboard/c/{code}/reveal", {"reason": "laporan balik atas intimidasi pelapor"})
    assert revealed.status_code == 200 and RAHMA.phone in revealed.get_data(as_text=True)
    event = filing.complaint(code).events[-1]
    assert (event.action, event.actor_id) == ("reveal_identity", "inspektur")
    assert event.data == {"reason": "laporan balik atas intimidasi pelapor"}


def test_a_block_leaves_no_reporter_id_in_the_audit_trail(filing: Filing, client: Any, login: Any,
                                                          sessions: Any) -> None:
    code = filing.file(text="Sampah menumpuk di samping rumah", agency="DLH", anonymous=True)
    login("kominfo.triage")
    assert post(client, f"/dashboard/c/{code}/block", {"note": "spam"}).status_code == 303
    event = filing.complaint(code).events[-1]
    assert event.action == "block_reporter" and str(reporter_id(sessions)) not in str(event.data or "")
