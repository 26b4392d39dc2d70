"""The blind tester's identity probes (tests/security/data/identity_probes.yaml), driven through the real doors:
the dashboard with each insider's own sign-in, the public pages and Open311, the officials' and the citizens'
chat. The fixtures (people, complaints A–E, identity tokens) are read from the file; each scenario the desk can
answer in-process has a runner below that follows its steps. The verdict is on effects: no identity token in
anything the insider receives (what they typed themselves aside), no trace of the complaints they may not see,
and the same answer for a hidden code as for one that does not exist."""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from bot.dialog.messages import Inbound, Location
from models.codes import new_code
from models.db import transaction
from models.desk import AttachmentIn, Desk, NewComplaint, calendar_for
from models.environment import Environment
from models.tables import Complaint, Official, Reporter
from tests.dashboard.conftest import PASSWORD, TEST_SECRET_KEY, post
from tests.passwords import quick_hash
from tests.security.conftest import blind
from web.dashboard import install_dashboard

PROBES = blind("identity_probes.yaml")
FIXTURES = PROBES["fixtures"]
PEOPLE = FIXTURES["people"]
TOKENS: list[str] = FIXTURES["identity_tokens"]
HOME = PEOPLE["rahma"]["home"]
INSIDER_PHONE = "+6285388001122"
HASHED = quick_hash(PASSWORD)
# A JPEG whose EXIF (APP1) holds the home's GPS and the phone's model, as a WhatsApp photo might.
EXIF = b"Exif\x00\x00GPS -2.986123 114.760047 Xiaomi Redmi 9A"
PHOTO = b"\xff\xd8" + b"\xff\xe1" + struct.pack(">H", len(EXIF) + 2) + EXIF + b"\xff\xda\x00\x02image-data\xff\xd9"


@dataclass
class World:
    app: Flask
    sessions: Any
    engine: Any
    codes: dict[str, str] = field(default_factory=dict)
    attachment_ids: dict[str, int] = field(default_factory=dict)
    seen: list[tuple[str, str, str]] = field(default_factory=list)  # (scenario step, what the asker typed, answer)

    def browser(self, official: str | None) -> FlaskClient:
        client = self.app.test_client()
        if official is not None:
            with client.session_transaction() as session:
                session["csrf"] = "probe-csrf-token-0123456789"
            response = client.post("/dashboard/login", data={"login": official, "password": PASSWORD,
                                                             "csrf_token": "probe-csrf-token-0123456789"})
            assert response.status_code == 302, official
        return client

    def get(self, client: FlaskClient, path: str, **params: str) -> Any:
        response = client.get(path, query_string=params or None)
        self.record(f"GET {path}", " ".join(params.values()), response)
        return response

    def post(self, client: FlaskClient, path: str, form: dict[str, str] | None = None) -> Any:
        response = post(client, path, form or {})
        self.record(f"POST {path}", " ".join((form or {}).values()), response)
        return response

    def record(self, step: str, typed: str, response: Any) -> None:
        assert response.status_code < 500, (step, response.status_code)
        body = response.get_data()
        if (response.mimetype or "").endswith("spreadsheetml.sheet"):
            book = load_workbook(io.BytesIO(body))
            answer = " ".join(str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                              for c in row)
        else:
            answer = body.decode("utf-8", "replace")
        headers = " ".join(response.headers.get(name, "") for name in ("Location", "Content-Disposition"))
        self.seen.append((step, typed, answer + " " + headers))

    def say(self, channel: str, address: str, text: str, **extra: Any) -> str:
        inbound = Inbound(channel=channel, chat_id=address, sender_id=address, text=text, **extra)
        answer = "\n".join(reply.text for reply in self.engine.handle(inbound))
        self.seen.append((f"{channel} {address}: {text}", text, answer))
        return answer


def leaked_tokens(world: World) -> list[str]:
    problems = []
    for step, typed, answer in world.seen:
        for token in TOKENS:
            if token in answer and not _typed_by_the_asker(token, typed, answer):
                problems.append(f"{step}: {token}")
    return problems


def _typed_by_the_asker(token: str, typed: str, answer: str) -> bool:
    """The token is in the answer only as an echo of what the asker themselves typed (a search box)."""
    if not typed:
        return False
    echoed = answer
    pieces = set(typed.split()) | {typed} | set(re.findall(r"[^\W_]{3,}", typed))  # also inside re-encoded links
    for value in sorted(pieces, key=len, reverse=True):
        for form in {value, quote(value, safe=""), quote_plus(value), quote(value), re.sub(r"\W+", "", value)}:
            if len(form) >= 3:
                echoed = echoed.replace(form, "")
    return token not in echoed


# --- the fixtures of the file ----------------------------------------------------------------------------------

SUBJECTS = {"A": "DISDUKCAPIL", "C": "DINKES", "D": "DISDIK"}


def _reporter(desk: Desk, who: str) -> Reporter:
    person = PEOPLE[who]
    if who == "rahma":
        return desk.reporter_for("whatsapp", person["phone"], person["profile_name"], person["phone"])
    if who == "udin":
        name = f"{person['first_name']} (@{person['username']})"
        return desk.reporter_for("telegram", str(person["chat_id"]), name, None)
    return desk.reporter_for("web", "web-siti-browser", person["name_given"], person["phone_given"])


def build_world(settings: Any, sessions: Any, database: Any, engine: Any, clock: Any, media: Path) -> World:
    (media / "wa").mkdir(parents=True)
    (media / "wa" / "a.jpg").write_bytes(PHOTO)
    local = settings.model_copy(update={"intake": settings.intake.model_copy(update={"media_dir": str(media)})})
    app = Flask("identity-probes")
    app.config["TESTING"] = True
    install_dashboard(app, local, database, engine, Environment.of({"SECRET_KEY": TEST_SECRET_KEY}))
    world = World(app, sessions, engine)
    with transaction(sessions) as db:
        desk = Desk(db, settings, calendar_for(settings), clock())
        for official in ("disdukcapil.admin", "disdukcapil.head", "inspektorat.admin", "inspektur", "pupr.admin",
                         "dlh.admin", "dinkes.admin", "kominfo.triage"):
            db.get_one(Official, official).password_hash = HASHED  # hashing is slow on purpose: once per module
        for key, spec in FIXTURES["complaints"].items():
            at_home = "rahma.home" in str(spec.get("location", ""))
            near = key == "B"
            draft = NewComplaint(
                reporter=_reporter(desk, spec["reporter"]), text=spec["text"],
                channel=PEOPLE[spec["reporter"]]["channel"], agency_code=spec["agency"],
                anonymous=spec["anonymous"], confidential=spec["confidential"],
                misconduct=key in SUBJECTS, subject_agency_code=SUBJECTS.get(key),
                latitude=HOME["lat"] + (0.00019 if near else 0) if at_home or near else None,
                longitude=HOME["lon"] + (0.00019 if near else 0) if at_home or near else None,
                attachments=(AttachmentIn(kind="photo", content_type="image/jpeg", storage_path="wa/a.jpg"),)
                if key == "A" else ())
            complaint = desk.file(draft, dispatch=True)
            world.codes[key] = complaint.code
            if complaint.attachments:
                world.attachment_ids[key] = complaint.attachments[0].id
            if key == "E":
                complaint.public_text = "Sampah menumpuk di tepi jalan"
    return world


@pytest.fixture
def world(settings: Any, sessions: Any, database: Any, engine: Any, clock: Any, tmp_path: Path) -> World:
    return build_world(settings, sessions, database, engine, clock, tmp_path / "media")


def links_to(page: str, code: str) -> bool:
    return f'href="/dashboard/c/{code}"' in page


# --- scenario runners (one per scenario id the desk answers in-process) -----------------------------------------


def search(world: World, official: str, queries: list[str], hidden: list[str]) -> None:
    client = world.browser(official)
    totals = set()
    for query in queries:
        page = world.get(client, "/dashboard/", q=query).get_data(as_text=True)
        assert not any(links_to(page, world.codes[key]) for key in hidden), query
        totals.add(re.search(r"(\d+) hasil", page).group(1))  # type: ignore[union-attr]
    unknown = world.get(client, "/dashboard/", q="+6280000000000").get_data(as_text=True)
    assert re.search(r"(\d+) hasil", unknown).group(1) in totals  # type: ignore[union-attr]


def ip_search_phone_full(world: World) -> None:
    search(world, "disdukcapil.admin", ["+6281251730462", "6281251730462", "081251730462", "whatsapp:+6281251730462"],
           ["A", "C", "D"])


def ip_search_phone_partial(world: World) -> None:
    search(world, "disdukcapil.admin", ["1730462", "730462", "0812517", "%730462", "_1730462"], ["A"])
    search(world, "kominfo.triage", ["1730462", "730462", "081251730462", "%730462"], ["A", "E"])


def ip_search_name(world: World) -> None:
    search(world, "disdukcapil.admin", ["Rahma", "Rahmawati", "Bjm", "Ulu Benteng"], ["A"])
    search(world, "kominfo.triage", ["Rahma", "Rahmawati", "Bjm"], ["A", "E"])


def ip_search_telegram_chatid(world: World) -> None:
    search(world, "dinkes.admin", ["5821337790", "58213", "udin_tamban", "@udin_tamban"], ["C"])
    search(world, "kominfo.triage", ["5821337790", "udin_tamban"], ["C"])


def ip_search_misconduct_words(world: World) -> None:
    search(world, "disdukcapil.admin", ["pungli", "150rb", "KTP cepat", "capil"], ["A"])


def ip_filter_agency_tamper(world: World) -> None:
    client = world.browser("disdukcapil.admin")
    for params in ({"agency": "INSPEKTORAT"}, {"agency": "inspektorat"}, {"agency": "%"}, {"agency": "*"},
                   {"agency": ""}, {"agency[]": "INSPEKTORAT"}):
        page = world.get(client, "/dashboard/", **params).get_data(as_text=True)
        assert not any(links_to(page, world.codes[key]) for key in ("A", "C", "D"))


def ip_open_complaint_page_direct(world: World) -> None:
    client = world.browser("disdukcapil.admin")
    code = world.codes["A"]
    random_code = new_code("BTL")
    baseline = world.get(client, f"/dashboard/c/{random_code}")
    for path in (code, code.lower(), code + "%20", code + ".json"):
        response = world.get(client, f"/dashboard/c/{path}")
        assert response.status_code == baseline.status_code == 404
        assert response.get_data() == baseline.get_data()


def ip_attachment_idor(world: World) -> None:
    client = world.browser("disdukcapil.admin")
    photo = world.attachment_ids["A"]
    for path in (f"/dashboard/c/{world.codes['A']}/attachment/{photo}",
                 f"/dashboard/c/{world.codes['B']}/attachment/{photo}"):
        response = world.get(client, path)
        assert response.status_code == 404 and b"image-data" not in response.get_data()


def ip_attachment_exif(world: World) -> None:
    client = world.browser("inspektorat.admin")
    response = world.get(client, f"/dashboard/c/{world.codes['A']}/attachment/{world.attachment_ids['A']}")
    assert response.status_code == 200 and b"image-data" in response.get_data()
    assert b"GPS" not in response.get_data() and b"Xiaomi" not in response.get_data()
    assert "filename" not in response.headers.get("Content-Disposition", "")


def ip_reveal_by_wrong_role(world: World) -> None:
    client = world.browser("disdukcapil.admin")
    for key in ("A", "E"):
        response = world.post(client, f"/dashboard/c/{world.codes[key]}/reveal", {"reason": "verifikasi data"})
        assert response.status_code == 404
    assert client.get(f"/dashboard/c/{world.codes['A']}/reveal").status_code in (404, 405)
    assert client.post(f"/dashboard/c/{world.codes['A']}/reveal", data={"reason": "x"}).status_code == 400


def ip_reveal_empty_reason(world: World) -> None:
    for official in ("inspektorat.admin", "inspektur"):
        client = world.browser(official)
        for reason in ("", " ", "\u200b", "."):
            response = world.post(client, f"/dashboard/c/{world.codes['A']}/reveal", {"reason": reason})
            assert response.status_code in (303, 403)
    with world.sessions() as db:
        complaint = db.scalars(select(Complaint).where(Complaint.code == world.codes["A"])).one()
        assert "reveal_identity" not in [event.action for event in complaint.events]


def ip_moderate_view(world: World) -> None:
    client = world.browser("disdukcapil.admin")
    assert world.post(client, f"/dashboard/c/{world.codes['A']}/moderate", {"public_text": "x"}).status_code == 404
    assert client.get(f"/dashboard/c/{world.codes['A']}/moderate").status_code in (404, 405)


def ip_block_reveals_number(world: World) -> None:
    assert world.post(world.browser("disdukcapil.admin"), f"/dashboard/c/{world.codes['A']}/block").status_code == 404
    assert world.post(world.browser("inspektorat.admin"), f"/dashboard/c/{world.codes['A']}/block").status_code == 403
    with world.sessions() as db:
        assert db.scalars(select(Reporter.blocked_at).where(Reporter.phone == PEOPLE["rahma"]["phone"])).one() is None


def ip_page_source_leak(world: World) -> None:
    client = world.browser("inspektorat.admin")
    page = world.get(client, f"/dashboard/c/{world.codes['A']}").get_data(as_text=True)
    assert "Pelapor #" in page and "wa.me" not in page and "tel:" not in page and "whatsapp:" not in page


def ip_link_named_and_anonymous(world: World) -> None:
    page = world.get(world.browser("pupr.admin"), f"/dashboard/c/{world.codes['B']}").get_data(as_text=True)
    assert world.codes["A"] not in page and world.codes["E"] not in page
    world.seen.pop()  # B is rahma's named complaint: her name belongs on it


def ip_link_pseudonym(world: World) -> None:
    shown = world.get(world.browser("dlh.admin"), f"/dashboard/c/{world.codes['E']}").get_data(as_text=True)
    handle = re.search(r"Pelapor #[0-9A-F]{4}", shown).group(0)  # type: ignore[union-attr]
    inspector = world.get(world.browser("inspektorat.admin"), f"/dashboard/c/{world.codes['A']}").get_data(
        as_text=True)
    assert handle not in inspector
    import hashlib

    phone = PEOPLE["rahma"]["phone"].encode()
    for digest in (hashlib.sha1(phone).hexdigest(), hashlib.sha256(phone).hexdigest()):
        assert digest[:8] not in shown.lower()


def ip_similar_prompt_citizen_side(world: World) -> None:
    location = Location(HOME["lat"] + 0.0004, HOME["lon"])
    for text in ("lapor", "pegawai capil minta uang 150rb biar ktp cepat", "", "lewati", "1", "ya"):
        answer = world.say("whatsapp", INSIDER_PHONE, text, location=location if text == "" else None)
    assert world.codes["A"] not in answer and "150rb" not in answer


def ip_similar_prompt_anonymous_nonconfidential(world: World) -> None:
    location = Location(HOME["lat"], HOME["lon"])
    for text in ("lapor", "sampah numpuk di samping rumah", "", "lewati", "1", "ya"):
        answer = world.say("whatsapp", INSIDER_PHONE, text, location=location if text == "" else None)
    assert world.codes["E"] not in answer and "samping rumah saya" not in answer


def ip_lacak_confidential(world: World) -> None:
    client = world.browser(None)
    baseline = world.get(client, "/lacak", code=new_code("BTL"))
    code = world.codes["A"]
    for typed in (code, code.lower(), code.replace("-", "")):
        response = world.get(client, "/lacak", code=typed)
        assert response.status_code == baseline.status_code == 404
        assert "DISDUKCAPIL" not in response.get_data(as_text=True) and "capil" not in response.get_data(as_text=True)


def ip_lacak_anonymous(world: World) -> None:
    page = world.get(world.browser(None), "/lacak", code=world.codes["E"]).get_data(as_text=True)
    assert "RT 03" not in page and "2.986" not in page


def ip_ringkasan(world: World) -> None:
    page = world.get(world.browser(None), "/ringkasan").get_data(as_text=True)
    assert "Inspektorat" not in page and "capil" not in page


def ip_open311_list_confidential(world: World) -> None:
    client = world.browser(None)
    for params in ({}, {"status": "open"}, {"service_code": "INSPEKTORAT"}):
        listing = world.get(client, "/open311/v2/requests.json", **params).get_data(as_text=True)
        for key in ("A", "C", "D"):
            assert world.codes[key] not in listing
        assert "capil" not in listing and "150rb" not in listing


def ip_open311_single_confidential(world: World) -> None:
    client = world.browser(None)
    unknown = new_code("BTL")
    baseline = world.get(client, f"/open311/v2/requests/{unknown}.json")
    for path in (world.codes["A"], world.codes["A"].lower()):
        response = world.get(client, f"/open311/v2/requests/{path}.json")
        assert response.status_code == baseline.status_code == 404
        answer = response.get_data().replace(path.encode(), b"X").replace(path.upper().encode(), b"X")
        assert answer == baseline.get_data().replace(unknown.encode(), b"X")


def ip_open311_coordinates(world: World) -> None:
    listing = world.get(world.browser(None), "/open311/v2/requests.json").get_json()
    mine = next(item for item in listing if item["service_request_id"] == world.codes["E"])
    assert (mine["lat"], mine["long"]) == (round(HOME["lat"], 3), round(HOME["lon"], 3))
    assert mine["address"] is None


def ip_open311_fields(world: World) -> None:
    listing = world.get(world.browser(None), "/open311/v2/requests.json").get_json()
    for item in listing:
        assert not {"first_name", "last_name", "phone", "email", "account_id"} & set(item)
        assert item["media_url"] is None


def ip_export_csv(world: World) -> None:
    client = world.browser("disdukcapil.admin")
    for params in ({}, {"agency": "INSPEKTORAT"}):
        exported = world.get(client, "/dashboard/stats.csv", **params).get_data(as_text=True)
        assert "INSPEKTORAT" not in exported and "capil" not in exported


def ip_export_xlsx_hidden(world: World) -> None:
    exported = world.get(world.browser("pupr.admin"), "/dashboard/stats.xlsx").get_data()
    import zipfile

    package = zipfile.ZipFile(io.BytesIO(exported))
    everything = " ".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())
    assert all(token not in everything for token in TOKENS)


def ip_export_monthly_by_head(world: World) -> None:
    world.get(world.browser("disdukcapil.head"), "/dashboard/stats.xlsx", **{"from": "2026-11-01", "to": "2026-11-30"})


def ip_chat_info_foreign_code(world: World) -> None:
    admin = "+62811100501"  # disdukcapil.admin's WhatsApp
    unknown = new_code("BTL")
    refused = world.say("whatsapp", admin, f"INFO {unknown}").replace(unknown, "X")
    for text in (f"INFO {world.codes['A']}", f"info {world.codes['A'].lower()}"):
        answer = world.say("whatsapp", admin, text)
        assert answer.replace(world.codes["A"], "X") == refused
    for text in (f"CEK {world.codes['A']}", world.codes["A"]):
        assert "capil" not in world.say("whatsapp", admin, text)


def ip_chat_act_foreign_code(world: World) -> None:
    admin = "+62811100501"
    for text in ("TERIMA {c}", "JAWAB {c} sudah kami klarifikasi, pelapor mengada-ada", "BUKAN {c} fitnah",
                 "SELESAI {c}", "ALIHKAN {c} DISDUKCAPIL"):
        answer = world.say("whatsapp", admin, text.format(c=world.codes["A"]))
        assert "Tercatat" not in answer and "tidak ditemukan" in answer
    with world.sessions() as db:
        complaint = db.scalars(select(Complaint).where(Complaint.code == world.codes["A"])).one()
        assert (complaint.status, complaint.agency_code) == ("dispatched", "INSPEKTORAT")


def ip_alihkan_to_accused(world: World) -> None:
    world.say("whatsapp", "+62811101601", f"ALIHKAN {world.codes['A']} DISDUKCAPIL")  # inspektorat.admin
    world.post(world.browser("inspektorat.admin"), f"/dashboard/c/{world.codes['A']}/act",
               {"action": "reroute", "to_agency": "DISDUKCAPIL"})
    with world.sessions() as db:
        complaint = db.scalars(select(Complaint).where(Complaint.code == world.codes["A"])).one()
        assert complaint.agency_code == "INSPEKTORAT" and complaint.anonymous and complaint.confidential


def ip_cek_from_other_phone(world: World) -> None:
    for channel, address, text in (("whatsapp", INSIDER_PHONE, f"CEK {world.codes['A']}"),
                                   ("telegram", "777000111", world.codes["A"]),
                                   ("web", "web-insider", f"cek {world.codes['A']}")):
        answer = world.say(channel, address, text)
        assert "capil" not in answer and "DISDUKCAPIL" not in answer and "Ulu Benteng" not in answer


def ip_alert_routing(world: World) -> None:
    from models.tables import Notification

    with world.sessions() as db:
        recipients = set(db.scalars(select(Notification.recipient_id).join(
            Complaint, Complaint.id == Notification.complaint_id).where(Complaint.code == world.codes["A"])))
    assert not recipients & {"disdukcapil.admin", "disdukcapil.head"}


def ip_erasure_then_dashboard(world: World) -> None:
    rahma = PEOPLE["rahma"]["phone"]
    world.say("whatsapp", rahma, "HAPUS DATA SAYA")
    world.say("whatsapp", rahma, "ya")
    world.seen.clear()  # her own chat: what she was told is hers
    client = world.browser("inspektorat.admin")
    for key in ("A",):
        world.get(client, f"/dashboard/c/{world.codes[key]}")
    for official, key in (("pupr.admin", "B"), ("dlh.admin", "E")):
        world.get(world.browser(official), f"/dashboard/c/{world.codes[key]}")
    world.get(client, "/dashboard/stats.csv")
    world.get(world.browser(None), "/open311/v2/requests.json")
    # Erasure keeps what a complaint is about: B's street (a pothole's place) is not the person.
    world.seen = [(step, typed, answer.replace("Jl. Panglima Wangkang RT 03 berlubang", "(isi laporan B)"))
                  for step, typed, answer in world.seen]


def ip_webchat_shared_computer(world: World) -> None:
    from tests.dashboard.conftest import chat_form

    browser = world.app.test_client()
    post(browser, "/chat", chat_form(browser, {"text": "halo, saya Siti Aminah 081348881234", "nonce": "s1"}))
    world.engine.clock.advance(minutes=31)  # she leaves; the next person sits down half an hour later
    page = world.get(browser, "/chat").get_data(as_text=True)
    assert "Siti Aminah" not in page and "081348881234" not in page


RUNNERS: dict[str, Callable[[World], None]] = {
    name.replace("_", "-"): function for name, function in dict(globals()).items()
    if name.startswith("ip_") and callable(function)
}
SCENARIOS = {scenario["id"]: scenario for scenario in PROBES["scenarios"]}
# Scenarios that need what this round does not build: a real provider or mail server (e-mail headers, digests
# read on a phone), /metrics (its door: test_metrics_door.py), codes' shape, a timing side channel, or the router.
NOT_IN_PROCESS = sorted(set(SCENARIOS) - set(RUNNERS))


def test_every_runner_answers_a_scenario_of_the_file() -> None:
    assert set(RUNNERS) <= set(SCENARIOS)
    assert len(RUNNERS) >= 30, sorted(RUNNERS)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("scenario", sorted(RUNNERS))
def test_an_insiders_probe_learns_nothing_about_a_hidden_reporter(scenario: str, world: World) -> None:
    RUNNERS[scenario](world)
    assert leaked_tokens(world) == [], SCENARIOS[scenario]["must_not_reveal"]
