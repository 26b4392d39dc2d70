"""Who may do what, through every door: the role × action matrix over the officials' chat commands, the
dashboard's pages and forms, the admin command line and the public pages and APIs.

The expected rights are written down here, independently of `models/permissions.py` (the table under test):
one row per (person, entry point, action, complaint of their own agency | of another agency | confidential).
"Allowed" means a success answer and the change recorded; "denied" means an error answer (a refusal in the
chat, 403 or the login page on the dashboard, exit status 1 on the command line) AND nothing changed: the
complaints' status, owner, texts, events and outbox are exactly as before.

Dashboard helpers come from tests/dashboard (its fixtures are imported, not copied); tests/dashboard/test_actions.py
holds the narrower dashboard-only matrix this one generalises.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.dialog.messages import Inbound
from models.clock import FixedClock
from models.config import Role, Settings
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.permissions import SYSTEM
from models.tables import Complaint, ComplaintEvent, Notification, Reporter
from tests.dashboard.conftest import app, client, database, environment, login, post  # noqa: F401 - fixtures reused by import
from tests.dashboard.test_actions import _answered, _request

# --- the expected rights (independent of models/permissions.py) ----------------------------------------------

AGENCY_WORK = frozenset({"ack", "coordinate", "answer", "close", "bukan_wewenang", "view", "list"})
LIFECYCLE = frozenset({"ack", "coordinate", "answer", "close", "reject", "bukan_wewenang", "reroute", "dispatch",
                       "forward"})
RIGHTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: AGENCY_WORK,
    Role.HEAD: AGENCY_WORK,
    Role.TRIAGE: LIFECYCLE | {"view", "list", "moderate", "block", "unblock", "intake"},
    Role.REGIONAL_HEAD: frozenset({"reroute", "dispatch", "close", "view", "list"}),
    Role.SEKDA: frozenset({"reroute", "dispatch", "close", "view", "list"}),
    Role.INSPECTORATE: frozenset({"reroute", "dispatch", "reveal", "view", "list"}),
}
# Pages about no complaint in particular: every official opens them (their own agency's figures inside).
EVERY_OFFICIAL = frozenset({"inbox", "stats", "stats.csv", "stats.xlsx"})
RELATIONS = ("own-agency", "other-agency", "confidential")


@dataclass(frozen=True)
class Person:
    key: str
    role: Role | None = None
    agency: str | None = None
    chat: tuple[str, str] | None = None  # (channel, address) the person writes from

    @property
    def official(self) -> bool:
        return self.role is not None

    def agency_for(self, relation: str) -> str:
        """The agency a complaint of this relation belongs to: 'own' is PUPR for region-wide roles."""
        own = self.agency or "PUPR"
        return ("DLH" if own == "PUPR" else "PUPR") if relation == "other-agency" else own


PEOPLE = (
    Person("pupr.admin", Role.ADMIN, "PUPR", ("whatsapp", "+62811100101")),
    Person("pupr.head", Role.HEAD, "PUPR", ("whatsapp", "+62811100102")),
    Person("dlh.admin", Role.ADMIN, "DLH", ("whatsapp", "+62811100301")),
    Person("kominfo.triage", Role.TRIAGE, None, ("telegram", "8190000001")),
    Person("bupati", Role.REGIONAL_HEAD, None, ("whatsapp", "+628110000002")),
    Person("sekda", Role.SEKDA, None, ("whatsapp", "+628110000003")),
    Person("inspektur", Role.INSPECTORATE, None, ("whatsapp", "+628110000004")),
    # A citizen in the chat, an anonymous visitor on the dashboard.
    Person("citizen", None, None, ("whatsapp", "+6289999999999")),
)
PEOPLE_BY_KEY = {person.key: person for person in PEOPLE}


def expected(person: Person, action: str, relation: str) -> bool:
    if person.role is None:
        return False
    if action in EVERY_OFFICIAL:
        return True
    if action not in RIGHTS[person.role]:
        return False
    return person.role not in (Role.ADMIN, Role.HEAD) or relation != "other-agency"


@dataclass(frozen=True)
class Row:
    person: Person
    entry: str
    action: str
    relation: str

    @property
    def allowed(self) -> bool:
        return expected(self.person, self.action, self.relation)

    def __str__(self) -> str:
        verdict = "allowed" if self.allowed else "denied"
        return f"{self.person.key} via {self.entry}: {self.action} on {self.relation} complaint should be {verdict}"


CHAT_VERBS = {"ack": "TERIMA", "answer": "JAWAB", "close": "SELESAI", "bukan_wewenang": "BUKAN", "reroute": "ALIHKAN",
              "view": "INFO"}
FORM_ACTIONS = ("ack", "coordinate", "answer", "close", "reject", "bukan_wewenang", "reroute", "dispatch", "forward")
PAGE_ACTIONS = ("view", "list", "reveal", "moderate", "block", "unblock")
CLI_ACTIONS = ("ack", "answer", "close", "reject", "bukan_wewenang", "reroute", "dispatch", "forward")
ENTRY_ACTIONS = {"chat": tuple(CHAT_VERBS), "dashboard": FORM_ACTIONS + PAGE_ACTIONS, "cli": CLI_ACTIONS}


def matrix(entry: str, person: Person) -> list[Row]:
    return [Row(person, entry, action, relation)
            for action, relation in itertools.product(ENTRY_ACTIONS[entry], RELATIONS)]


# --- arranging complaints and looking at what changed ---------------------------------------------------------

REPORTER_NAME, REPORTER_PHONE = "Nurhayati Rahmawati", "+6281377778888"


@dataclass
class Desk_:
    sessions: sessionmaker[Session]
    settings: Settings
    clock: FixedClock
    counter: Iterator[int] = itertools.count(1)

    def file(self, agency: str | None, confidential: bool = False, anonymous: bool = True,
             name: str = REPORTER_NAME, phone: str = REPORTER_PHONE, public_text: str | None = None) -> str:
        with transaction(self.sessions) as db:
            desk = Desk(db, self.settings, calendar_for(self.settings), self.clock())
            reporter = desk.reporter_for("whatsapp", f"{phone}-{next(self.counter)}", name, phone)
            complaint = desk.file(NewComplaint(reporter=reporter, text="Jalan berlubang di Jl. Pramuka dekat pasar",
                                               channel="whatsapp", agency_code=agency, anonymous=anonymous,
                                               confidential=confidential), dispatch=agency is not None)
            complaint.public_text = public_text
            return complaint.code

    def arrange(self, action: str, relation: str, person: Person) -> str:
        """A complaint on which `action` is a legal move now, so only the permission decides."""
        code = self.file(person.agency_for(relation), confidential=relation == "confidential")
        if action == "close":
            _answered(self.settings, self.sessions, self.clock, code)
        if action == "dispatch":
            self._back_to_triage(code)
        if action == "unblock":
            with transaction(self.sessions) as db:
                complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
                complaint.reporter.blocked_at = self.clock()
        return code

    def _back_to_triage(self, code: str) -> None:
        with transaction(self.sessions) as db:
            complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
            Desk(db, self.settings, calendar_for(self.settings), self.clock()).not_our_authority(
                complaint, SYSTEM, "untuk uji disposisi")

    def events(self, code: str) -> int:
        with self.sessions() as db:
            return int(db.scalar(select(func.count(ComplaintEvent.id)).join(Complaint)
                                 .where(Complaint.code == code)) or 0)

    def snapshot(self) -> dict[str, Any]:
        """Everything a refused action must leave alone."""
        with self.sessions() as db:
            complaints = [(c.code, c.status, c.agency_code, c.public_text, c.answer_text, c.confidential,
                           c.reject_reason, c.updated_at) for c in db.scalars(select(Complaint).order_by(Complaint.id))]
            return {
                "complaints": complaints,
                "events": db.scalar(select(func.count(ComplaintEvent.id))),
                "notifications": db.scalar(select(func.count(Notification.id))),
                "blocked": list(db.scalars(select(Reporter.blocked_at).order_by(Reporter.id))),
            }


@pytest.fixture
def desk(sessions: sessionmaker[Session], settings: Settings, clock: FixedClock) -> Desk_:
    return Desk_(sessions, settings, clock)


Attempt = Callable[[Row, str], bool]


def run_matrix(rows: list[Row], desk: Desk_, attempt: Attempt) -> None:
    """Try every row on a fresh complaint; collect every mismatch so one run shows the whole picture."""
    problems: list[str] = []
    for row in rows:
        code = desk.arrange(row.action, row.relation, row.person)
        before, events_before = desk.snapshot(), desk.events(code)
        succeeded = attempt(row, code)
        after = desk.snapshot()
        if row.allowed and not succeeded:
            problems.append(f"{row}, but was refused")
        elif row.allowed and row.action in LIFECYCLE | {"reveal", "moderate", "block", "unblock"}:
            if desk.events(code) <= events_before:
                problems.append(f"{row}, answered success but recorded nothing")
        elif not row.allowed and succeeded:
            problems.append(f"{row}, but was carried out")
        elif not row.allowed and after != before:
            problems.append(f"{row}: refused, yet rows changed")
    assert not problems, "\n".join(problems)


# --- the officials' chat --------------------------------------------------------------------------------------


def chat_text(action: str, code: str) -> str:
    rest = {"answer": "Lubang sudah ditambal.", "bukan_wewenang": "bukan kewenangan kami", "reroute": "PERKIM"}
    return f"{CHAT_VERBS[action]} {code} {rest.get(action, '')}".strip()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("who", [person.key for person in PEOPLE])
def test_officials_chat_commands_follow_the_matrix(who: str, engine: Any, desk: Desk_) -> None:
    person = PEOPLE_BY_KEY[who]
    assert person.chat is not None
    channel, address = person.chat

    def attempt(row: Row, code: str) -> bool:
        inbound = Inbound(channel=channel, chat_id=address, sender_id=address, text=chat_text(row.action, code))
        reply = "\n".join(r.text for r in engine.handle(inbound))
        refused = ("tidak berwenang" in reply or "tidak terdaftar sebagai petugas" in reply
                   or "Tidak dapat menjalankan" in reply)
        if row.action == "view":
            return not refused and "Instansi:" in reply and code in reply
        return not refused and "Tercatat atas nama" in reply

    run_matrix(matrix("chat", person), desk, attempt)


# --- the dashboard ---------------------------------------------------------------------------------------------


def dashboard_attempt(browser: FlaskClient) -> Attempt:
    def attempt(row: Row, code: str) -> bool:
        response = _dashboard_request(browser, row.action, code)
        if response.status_code in (302, 403, 404):
            return False  # the login page for a visitor, Forbidden for an official
        assert response.status_code in (200, 303), (str(row), response.status_code)
        if response.status_code == 303:
            # Desk.act explains a refused lifecycle move on the page instead of failing; none is expected here.
            page = browser.get(response.headers["Location"]).get_data(as_text=True)
            assert "illegal transition" not in page, str(row)
        if row.action == "list":
            # The search box echoes the code; only a row links to the complaint.
            return f'href="/dashboard/c/{code}"' in response.get_data(as_text=True)
        return True
    return attempt


# Targets differ from every arranged complaint's owner (PUPR or DLH), so only the permission decides.
ACT_FORM = {"coordinate": {"note": "rapat dengan PLN"}, "answer": {"note": "Sudah diperbaiki"},
            "reject": {"reason": "spam"}, "reroute": {"to_agency": "PERKIM"}, "dispatch": {"to_agency": "PERKIM"},
            "forward": {"to_agency": "EXT_PLN"}}


def _dashboard_request(browser: FlaskClient, action: str, code: str) -> Any:
    if action == "view":
        return browser.get(f"/dashboard/c/{code}")
    if action == "list":
        # The inbox itself opens for every official; a complaint out of scope is simply not listed.
        return browser.get(f"/dashboard/?q={code}")
    if action == "unblock":
        return post(browser, f"/dashboard/c/{code}/unblock")
    if action in FORM_ACTIONS:
        return post(browser, f"/dashboard/c/{code}/act", {"action": action, **ACT_FORM.get(action, {})})
    return _request(browser, code, action)  # reveal, moderate, block: the dashboard matrix's own requests


@pytest.mark.timeout(120)
@pytest.mark.parametrize("who", [person.key for person in PEOPLE])
def test_dashboard_forms_and_pages_follow_the_matrix(who: str, client: FlaskClient, login: Any,  # noqa: F811
                                                     desk: Desk_) -> None:
    person = PEOPLE_BY_KEY[who]
    if person.official:
        login(person.key)
    run_matrix(matrix("dashboard", person), desk, dashboard_attempt(client))


@pytest.mark.timeout(120)
@pytest.mark.parametrize("who", [person.key for person in PEOPLE])
def test_pages_about_no_complaint_in_particular(who: str, client: FlaskClient, login: Any,  # noqa: F811
                                                desk: Desk_) -> None:
    person = PEOPLE_BY_KEY[who]
    if person.official:
        login(person.key)
    pages = {"inbox": "/dashboard/", "stats": "/dashboard/stats", "stats.csv": "/dashboard/stats.csv?agency=DLH",
             "stats.xlsx": "/dashboard/stats.xlsx", "intake": "/dashboard/intake"}
    desk.file("PUPR")
    desk.file("DLH")
    for action, url in pages.items():
        status = client.get(url).status_code
        allowed = expected(person, action, "-")
        assert status == (200 if allowed else (403 if person.official else 302)), (who, action, status)
    # An agency's official exports their own agency's figures only, whatever they ask for.
    if person.role in (Role.ADMIN, Role.HEAD):
        other = "DLH" if person.agency == "PUPR" else "PUPR"
        exported = client.get(f"/dashboard/stats.csv?agency={other}").get_data(as_text=True)
        agencies = {row["agency"] for row in csv.DictReader(io.StringIO(exported))}
        assert agencies == {person.agency}, (who, agencies)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("who", [person.key for person in PEOPLE])
def test_intake_form_is_for_the_triage_operator_only(who: str, client: FlaskClient, login: Any,  # noqa: F811
                                                     desk: Desk_) -> None:
    person = PEOPLE_BY_KEY[who]
    if person.official:
        login(person.key)
    before = desk.snapshot()
    response = post(client, "/dashboard/intake", {"channel": "phone", "text": "Jalan rusak parah di Jl. Pramuka",
                                                  "name": "Penelepon", "phone": "+6281200001111"})
    allowed = expected(person, "intake", "-")
    if allowed:
        assert response.status_code == 303 and len(desk.snapshot()["complaints"]) == 1
    else:
        assert response.status_code == (403 if person.official else 302)
        assert desk.snapshot() == before


# --- the admin command line -------------------------------------------------------------------------------------


@pytest.mark.timeout(120)
@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
@pytest.mark.parametrize("who", [person.key for person in PEOPLE if person.official])
def test_command_line_actions_follow_the_matrix(who: str, db_engine: Any, desk: Desk_,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import manage

    monkeypatch.setenv("DATABASE_URL", str(db_engine.url))
    person = PEOPLE_BY_KEY[who]
    options = {"answer": ["--note", "Sudah diperbaiki"], "reject": ["--note", "spam"], "reroute": ["--to", "PERKIM"],
               "dispatch": ["--to", "PERKIM"], "forward": ["--to", "EXT_PLN"]}

    def attempt(row: Row, code: str) -> bool:
        argv = ["complaints", "act", code, "--as", person.key, "--action", row.action, *options.get(row.action, [])]
        return bool(manage.main(argv) == 0)

    run_matrix(matrix("cli", person), desk, attempt)


# --- the public pages and APIs -----------------------------------------------------------------------------------

PUBLISHED = "Jalan berlubang di sekitar pasar (dimoderasi)"


@pytest.fixture
def public_cases(desk: Desk_) -> dict[str, str]:
    """One complaint of each kind the public side must treat differently; all by the same, named reporter."""
    return {
        "anonymous": desk.file("PUPR", anonymous=True, public_text=PUBLISHED),
        "named": desk.file("PUPR", anonymous=False, public_text=PUBLISHED),
        "unmoderated": desk.file("DLH", anonymous=False),
        "confidential": desk.file("PUPR", confidential=True, anonymous=False, public_text=PUBLISHED),
        "confidential-anonymous": desk.file("PUPR", confidential=True, anonymous=True),
    }


IDENTITY = (REPORTER_NAME, "Nurhayati", "Rahmawati", REPORTER_PHONE, "81377778888", "0813-7777-8888")


def assert_no_identity(text: str, where: str) -> None:
    for secret in IDENTITY:
        assert secret not in text, f"{where} shows the reporter's identity ({secret})"


@pytest.mark.timeout(120)
def test_public_tracking_shows_status_only_and_hides_confidential_complaints(
        client: FlaskClient, public_cases: dict[str, str]) -> None:  # noqa: F811
    for kind, code in public_cases.items():
        response = client.get(f"/lacak?code={code}")
        page = response.get_data(as_text=True)
        assert_no_identity(page, f"/lacak for {kind}")
        assert "Jalan berlubang di Jl. Pramuka" not in page, f"/lacak shows the complaint text of {kind}"
        if kind.startswith("confidential"):
            assert response.status_code == 404, kind
        else:
            assert response.status_code == 200 and code in page, kind
    assert_no_identity(client.get("/ringkasan").get_data(as_text=True), "/ringkasan")


@pytest.mark.timeout(120)
def test_open311_never_lists_confidential_complaints_nor_anyones_identity(
        client: FlaskClient, public_cases: dict[str, str]) -> None:  # noqa: F811
    listed = client.get("/open311/v2/requests.json").get_json()
    by_code = {item["service_request_id"]: item for item in listed}
    everything = json.dumps(listed, ensure_ascii=False)
    for kind, code in public_cases.items():
        one = client.get(f"/open311/v2/requests/{code}.json")
        asked = client.get(f"/open311/v2/requests.json?service_request_id={code}").get_json()
        everything += one.get_data(as_text=True) + json.dumps(asked, ensure_ascii=False)
        if kind.startswith("confidential"):
            assert code not in by_code and one.status_code == 404 and asked == [], kind
        else:
            assert code in by_code and one.status_code == 200 and [r["service_request_id"] for r in asked] == [code]
            published = by_code[code]["description"]
            assert published == (None if kind == "unmoderated" else PUBLISHED), kind
    assert_no_identity(everything, "Open311")
    assert "Jalan berlubang di Jl. Pramuka" not in everything, "Open311 publishes unmoderated text"


@pytest.mark.timeout(120)
def test_open311_without_a_valid_key_files_nothing(client: FlaskClient, desk: Desk_) -> None:  # noqa: F811
    desk.file("PUPR")
    before = desk.snapshot()
    form = {"service_code": "PUPR", "description": "Jalan berlubang besar di depan pasar", "phone": "+6281200002222"}
    for key in (None, "", "not-a-key", "key-one "):
        data = form | ({"api_key": key} if key is not None else {})
        assert client.post("/open311/v2/requests.json", data=data).status_code == 403, key
    assert desk.snapshot() == before


@pytest.mark.timeout(120)
def test_a_stranger_asking_the_chat_about_a_code_learns_the_status_only(
        engine: Any, public_cases: dict[str, str]) -> None:
    for kind, code in public_cases.items():
        inbound = Inbound(channel="telegram", chat_id="70999", sender_id="70999", sender_name="Orang Lain",
                          text=f"cek {code}")
        reply = "\n".join(r.text for r in engine.handle(inbound))
        assert_no_identity(reply, f"the chat's status answer for {kind}")
        assert "Jalan berlubang di Jl. Pramuka" not in reply, kind
        if kind.startswith("confidential"):
            assert "tidak ditemukan" in reply, (kind, reply)
        else:
            assert code in reply and "Didisposisi" in reply, (kind, reply)
