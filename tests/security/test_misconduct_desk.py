"""Class 1: a misconduct report goes to the Inspectorate, is confidential by force, records the office it accuses
as its subject, and never reaches that office (no alert, no escalation, no page) unless the Inspectorate itself
sends it there — through any door: chat commands, dashboard, command line.

The blind tester's misconduct corpus (tests/security/data/misconduct.yaml) is used twice: every entry as a
routing result naming its office (the desk's side), and the entries the router already sends to the
Inspectorate through the real dialog (more of them as the router learns misconduct)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.dialog.messages import Inbound
from bot.routing import classify
from models.config import Role
from models.db import transaction
from models.desk import Desk, calendar_for
from models.directory import official_actor
from models.escalation import sweep
from models.lifecycle import NotAllowed
from models.permissions import Action
from models.tables import Complaint, Official
from tests.dashboard.conftest import post
from tests.security.conftest import RAHMA, Filing, blind, manage_json, manage_status

CORPUS = blind("misconduct.yaml")
MISCONDUCT = [case for case in CORPUS["misconduct"] if case.get("named_office")]
TRIAGE_TELEGRAM = "8190000001"


def officials_of(sessions: Any, agency: str) -> set[str]:
    with sessions() as db:
        return set(db.scalars(select(Official.id).where(Official.agency_code == agency)))


def recipients(filing: Filing, code: str) -> set[str]:
    return {n.recipient_id for n in filing.notifications(code) if n.recipient_kind == "official"}


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_every_blind_misconduct_report_goes_to_the_inspectorate_and_its_office_hears_nothing(
        filing: Filing, sessions: Any, settings: Any) -> None:
    for case in MISCONDUCT:
        named = case["named_office"]
        # The citizen even picked the accused office themselves: the desk still files with the Inspectorate.
        code = filing.file(text=case["text"], agency=named if settings.has_agency(named) else None,
                           misconduct=True, subject=named)
        complaint = filing.complaint(code)
        assert (complaint.agency_code, complaint.confidential, complaint.misconduct) == ("INSPEKTORAT", True, True)
        assert complaint.subject_agency_code == (named if settings.has_agency(named) else None), case["id"]
        assert not recipients(filing, code) & officials_of(sessions, named), case["id"]
        alerts = " ".join(str(n.payload) for n in filing.notifications(code))
        assert RAHMA.name not in alerts and RAHMA.phone not in alerts, case["id"]


def test_misconduct_the_router_recognises_is_filed_with_the_inspectorate_through_the_dialog(
        chat: Any, sessions: Any, routing_table: Any) -> None:
    recognised = [case for case in MISCONDUCT if classify(case["text"], routing_table).confidential]
    assert recognised, "the router sends none of the blind misconduct texts to the Inspectorate any more"
    for number, case in enumerate(recognised):
        chat_id = f"warga-mc-{number}"
        chat("lapor", chat_id=chat_id)
        chat(case["text"], chat_id=chat_id)
        chat("lewati", chat_id=chat_id)
        chat("lewati", chat_id=chat_id)
        chat("1", chat_id=chat_id)  # "Biasa": the reporter did not ask for anonymity
        assert "BTL-" in chat("pilih lain", chat_id=chat_id) + chat("1", chat_id=chat_id), case["id"]
    with sessions() as db:
        filed = list(db.scalars(select(Complaint)))
    assert len(filed) == len(recognised)
    for complaint in filed:
        assert (complaint.agency_code, complaint.confidential, complaint.misconduct) == ("INSPEKTORAT", True, True)
        assert complaint.anonymous is False
        routing_subject = (complaint.routing or {}).get("subject")
        assert complaint.subject_agency_code == routing_subject


def test_the_accused_office_is_never_alerted_nor_escalated_to(filing: Filing, sessions: Any, settings: Any,
                                                                clock: Any) -> None:
    code = filing.file(text="pegawai dukcapil minta uang pelicin 300rb", misconduct=True, subject="DISDUKCAPIL")
    accused = officials_of(sessions, "DISDUKCAPIL")
    for _ in range(12):  # past every rung: head, region, reminders
        clock.advance(days=2)
        sweep(sessions, settings, calendar_for(settings), clock())
    assert filing.complaint(code).escalation_level >= 2
    assert recipients(filing, code) and not recipients(filing, code) & accused


@pytest.mark.parametrize("mover", ["kominfo.triage", "bupati", "sekda", "inspektorat.admin", "disdukcapil.admin"])
def test_nobody_but_the_inspectorate_sends_a_misconduct_report_to_the_office_it_accuses(
        filing: Filing, sessions: Any, settings: Any, clock: Any, mover: str) -> None:
    code = filing.file(text="pungli di kantor capil", misconduct=True, subject="DISDUKCAPIL")
    for action in (Action.REROUTE, Action.DISPATCH):
        with pytest.raises(NotAllowed), transaction(sessions) as db:
            complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
            Desk(db, settings, calendar_for(settings), clock()).act(
                complaint, official_actor(db, mover), action, to_agency="DISDUKCAPIL")
    assert filing.complaint(code).agency_code == "INSPEKTORAT"


def test_the_inspector_may_hand_a_misconduct_report_to_the_accused_office_and_it_stays_hidden(
        filing: Filing, sessions: Any, settings: Any, clock: Any) -> None:
    code = filing.file(text="pungli di kantor capil", misconduct=True, subject="DISDUKCAPIL")
    with transaction(sessions) as db:
        complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
        Desk(db, settings, calendar_for(settings), clock()).act(
            complaint, official_actor(db, "inspektur"), Action.REROUTE, to_agency="DISDUKCAPIL")
    complaint = filing.complaint(code)
    assert (complaint.agency_code, complaint.confidential, complaint.misconduct) == ("DISDUKCAPIL", True, True)
    alerts = " ".join(str(n.payload) for n in filing.notifications(code))
    assert RAHMA.name not in alerts and "81251730462" not in alerts


def test_alihkan_to_the_accused_office_is_refused_in_the_officials_chat(filing: Filing, engine: Any) -> None:
    code = filing.file(text="pungli di kantor capil", misconduct=True, subject="DISDUKCAPIL")
    for verb in ("ALIHKAN", "alihkan"):
        inbound = Inbound(channel="telegram", chat_id=TRIAGE_TELEGRAM, sender_id=TRIAGE_TELEGRAM,
                          text=f"{verb} {code} DISDUKCAPIL")
        reply = "\n".join(r.text for r in engine.handle(inbound))
        assert "Tercatat atas nama" not in reply
    assert filing.complaint(code).agency_code == "INSPEKTORAT"
    # Another office remains possible for the triage operator.
    inbound = Inbound(channel="telegram", chat_id=TRIAGE_TELEGRAM, sender_id=TRIAGE_TELEGRAM,
                      text=f"ALIHKAN {code} BKPSDM")
    assert "Tercatat atas nama" in "\n".join(r.text for r in engine.handle(inbound))


def test_the_dashboard_neither_offers_nor_accepts_the_accused_office(filing: Filing, client: Any,
                                                                      login: Any) -> None:
    code = filing.file(text="pungli di kantor capil", misconduct=True, subject="DISDUKCAPIL")
    login("kominfo.triage")
    page = client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    assert 'value="BKPSDM"' in page and 'value="DISDUKCAPIL"' not in page
    response = post(client, f"/dashboard/c/{code}/act", {"action": "reroute", "to_agency": "DISDUKCAPIL"})
    assert response.status_code == 403
    assert filing.complaint(code).agency_code == "INSPEKTORAT"


def test_an_official_of_the_accused_office_finds_nothing_on_the_dashboard(filing: Filing, client: Any,
                                                                           login: Any) -> None:
    code = filing.file(text="pungli di kantor capil", misconduct=True, subject="DISDUKCAPIL")
    login("disdukcapil.admin")
    assert client.get(f"/dashboard/c/{code}").status_code == 404
    link = f'href="/dashboard/c/{code}"'  # the search box echoes what was typed; only a row links
    for query in (code, "pungli", "capil", RAHMA.phone, "Rahmawati"):
        page = client.get("/dashboard/", query_string={"q": query}).get_data(as_text=True)
        assert link not in page and "0 hasil" in page, query
    assert link not in client.get("/dashboard/", query_string={"agency": "INSPEKTORAT"}).get_data(as_text=True)


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_the_command_line_refuses_the_accused_office_and_hides_the_reporter(
        filing: Filing, db_engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    code = filing.file(text="pungli di kantor capil", misconduct=True, subject="DISDUKCAPIL")
    for mover in ("kominfo.triage", "bupati"):
        argv = ("complaints", "act", code, "--as", mover, "--action", "reroute", "--to", "DISDUKCAPIL")
        assert manage_status(db_engine, monkeypatch, *argv) == 1
    assert filing.complaint(code).agency_code == "INSPEKTORAT"
    shown = manage_json(db_engine, monkeypatch, "complaints", "show", code, "--json")
    assert (shown["misconduct"], shown["subject"], shown["reporter"]["hidden"]) == (True, "DISDUKCAPIL", True)
    text = str(shown)
    assert all(token not in text for token in RAHMA.tokens())


def test_a_misconduct_reporter_who_did_not_ask_for_anonymity_is_still_hidden_from_everyone_but_the_inspector(
        filing: Filing, app: Any, login: Any) -> None:
    code = filing.file(text="pungli di kantor capil", misconduct=True, subject="DISDUKCAPIL", anonymous=False)
    for official in ("kominfo.triage", "bupati", "inspektorat.admin"):
        page = login(official, app.test_client()).get(f"/dashboard/c/{code}").get_data(as_text=True)
        assert "Pelapor #" in page and all(token not in page for token in RAHMA.tokens()), official
    inspector = login("inspektur", app.test_client())
    revealed = post(inspector, f"/dashboard/c/{code}/reveal", {"reason": "pemeriksaan dugaan pungli"})
    assert RAHMA.phone in revealed.get_data(as_text=True)


def test_misconduct_roles_match_the_permissions_the_brief_names() -> None:
    # The Inspectorate is the Inspector (region-wide role) and the officials of the INSPEKTORAT office.
    from models.permissions import Actor
    from models.privacy import is_inspectorate

    assert is_inspectorate(Actor("official", "inspektur", Role.INSPECTORATE))
    assert is_inspectorate(Actor("official", "inspektorat.admin", Role.ADMIN, "INSPEKTORAT"))
    assert not is_inspectorate(Actor("official", "kominfo.triage", Role.TRIAGE))
    assert not is_inspectorate(Actor("official", "disdukcapil.admin", Role.ADMIN, "DISDUKCAPIL"))


def recognised_with_own_office(routing_table: Any, settings: Any) -> list[dict[str, Any]]:
    """Blind misconduct texts the router sends to the Inspectorate that name one of the region's own offices."""
    return [case for case in MISCONDUCT if classify(case["text"], routing_table).confidential
            and settings.has_agency(case["named_office"]) and case["named_office"] != "INSPEKTORAT"
            and settings.agency(case["named_office"]).kind != "external"]


def assert_with_the_inspectorate(filing: Filing, sessions: Any, code: str, accused: str, case: Any) -> None:
    complaint = filing.complaint(code)
    assert (complaint.agency_code, complaint.confidential, complaint.misconduct) == ("INSPEKTORAT", True, True), \
        case["id"]
    assert complaint.subject_agency_code is not None, case["id"]
    assert not recipients(filing, code) & officials_of(sessions, accused), case["id"]
    assert not recipients(filing, code) & officials_of(sessions, complaint.subject_agency_code), case["id"]


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_misconduct_entered_by_the_operator_on_the_intake_form_goes_to_the_inspectorate(
        filing: Filing, sessions: Any, client: Any, login: Any, routing_table: Any, settings: Any) -> None:
    cases = recognised_with_own_office(routing_table, settings)
    assert cases
    login("kominfo.triage")
    for number, case in enumerate(cases):
        accused = case["named_office"]
        response = post(client, "/dashboard/intake", {
            "channel": "phone", "text": case["text"], "name": RAHMA.name, "phone": RAHMA.phone,
            "agency": accused, "nonce": f"misconduct-{number}"})
        assert response.status_code == 303, case["id"]
        code = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
        assert_with_the_inspectorate(filing, sessions, code, accused, case)


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_misconduct_posted_through_open311_goes_to_the_inspectorate_and_is_never_published(
        filing: Filing, sessions: Any, client: Any, routing_table: Any, settings: Any) -> None:
    cases = recognised_with_own_office(routing_table, settings)
    for number, case in enumerate(cases):
        accused = case["named_office"]
        response = client.post("/open311/v2/requests.json", data={
            "api_key": "key-one", "service_code": accused, "description": case["text"],
            "email": f"warga{number}@example.org", "first_name": "Rahmawati"},
            environ_base={"REMOTE_ADDR": f"192.0.2.{number + 1}"})
        assert response.status_code == 201, (case["id"], response.get_data(as_text=True))
        code = response.get_json()[0]["service_request_id"]
        assert_with_the_inspectorate(filing, sessions, code, accused, case)
        assert client.get(f"/open311/v2/requests/{code}.json").status_code == 404
