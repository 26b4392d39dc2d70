"""Classes 9 and 10, web side: public aggregates are cached, reads never take the SQLite writer lock, public doors
have a per-address budget (X-Forwarded-For only behind a trusted proxy), the web chat's daily limit survives a
dropped cookie and a new chat costs a proof of work, inbound text is cut before anything parses it; and the
smaller holes: crafted query strings, header injection, cache and sniffing headers, 404 alike for "not yours"."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from bot.dialog.engine import Engine
from bot.dialog.messages import Inbound
from models.config import Role
from models.db import transaction
from models.desk import Desk, calendar_for
from models.environment import Environment
from models.permissions import Actor
from models.tables import ChatSession, Complaint, ComplaintEvent
from tests.dashboard.conftest import TEST_SECRET_KEY, chat_form, post
from web.dashboard import install_dashboard

ROOT = Path(__file__).resolve().parents[2]


def app_with(settings: Any, database: Any, engine: Any, monkeypatch: pytest.MonkeyPatch, trust_proxy: bool = False,
             **security: Any) -> Flask:
    environment = Environment.of({"SECRET_KEY": TEST_SECRET_KEY, "TRUST_PROXY": "1" if trust_proxy else ""})
    local = settings.model_copy(update={"security": settings.security.model_copy(update=security)})
    app = Flask("cheap-attacks")
    install_dashboard(app, local, database, Engine(local, engine.sessions, engine.table, engine.clock), environment)
    return app


def test_the_public_summary_is_computed_once_per_cache_period(filing: Any, client: Any, login: Any,
                                                              clock: Any, settings: Any) -> None:
    first = client.get("/ringkasan").get_data(as_text=True)
    assert "Dinas Lingkungan Hidup" not in first
    code = filing.file(text="Sampah menumpuk di pasar", agency="DLH")
    _answered_by_the_agency(filing, code)  # the summary lists agencies with something answered (issue 15)
    assert client.get("/ringkasan").get_data(as_text=True) == first  # cached: the new answer waits
    clock.advance(seconds=settings.security.public_cache_seconds + 1)
    assert "Dinas Lingkungan Hidup" in client.get("/ringkasan").get_data(as_text=True)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_pages_are_read_while_a_writer_holds_the_sqlite_lock(filing: Any, app: Any, login: Any,
                                                             sessions: Any) -> None:
    code = filing.file(text="Jalan berlubang besar", agency="PUPR")
    official = login("kominfo.triage", app.test_client())
    public = app.test_client()
    answers: dict[str, int] = {}

    def read_pages() -> None:
        for path in ("/ringkasan", f"/lacak?code={code}", "/open311/v2/requests.json", "/dashboard/",
                     f"/dashboard/c/{code}", "/dashboard/stats"):
            answers[path] = (official if path.startswith("/dashboard") else public).get(path).status_code

    with transaction(sessions) as db:  # a webhook's transaction, holding the writer lock throughout
        db.execute(text("UPDATE complaints SET updated_at = updated_at"))
        reader = threading.Thread(target=read_pages)
        reader.start()
        reader.join(timeout=60)  # a hang guard: with the lock taken for reads, each page would wait 30 s
        finished = not reader.is_alive()
    reader.join()
    assert finished and set(answers.values()) == {200}, answers


def test_public_doors_answer_429_past_the_per_address_budget(settings: Any, database: Any, engine: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    client = app_with(settings, database, engine, monkeypatch, public_requests_per_minute=5).test_client()
    # The public pages share one budget; Open311 has its own.
    for doors in (("/lacak", "/ringkasan"), ("/open311/v2/services.json",)):
        statuses = [client.get(doors[number % len(doors)]).status_code for number in range(6)]
        assert statuses[:5] == [200] * 5 and statuses[5] == 429, doors
    refused = client.get("/open311/v2/services.json")
    assert int(refused.headers["Retry-After"]) >= 1 and refused.is_json
    # A spoofed X-Forwarded-For is nobody's address without a trusted proxy.
    assert client.get("/lacak", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_budget(
        settings: Any, database: Any, engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client = app_with(settings, database, engine, monkeypatch, trust_proxy=True,
                      public_requests_per_minute=2).test_client()
    first = {"X-Forwarded-For": "203.0.113.1"}
    assert [client.get("/lacak", headers=first).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/lacak", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 200


def test_dropping_the_chat_cookie_does_not_reset_the_daily_filing_limit(
        settings: Any, database: Any, engine: Any, monkeypatch: pytest.MonkeyPatch, sessions: Any) -> None:
    app = app_with(settings, database, engine, monkeypatch, web_filings_per_address_per_day=2)
    # "tidak" at the end: when the bot offers to support the same complaint filed before, file a new one.
    steps = ["jalan berlubang depan SDN 2 Marabahan", "depan SDN 2 Marabahan", "lewati", "1", "ya", "tidak"]
    for attempt in range(4):
        browser = app.test_client()  # a fresh browser each time: no cookie carried over
        for number, said in enumerate(steps):
            post(browser, "/chat", chat_form(browser, {"text": said, "nonce": f"{attempt}-{number}"}))
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(Complaint)) == 2


def test_a_new_web_chat_needs_a_solved_single_use_challenge(client: Any, sessions: Any) -> None:
    assert post(client, "/chat", {"text": "halo", "nonce": "n1"}).status_code == 303  # no proof: nothing happens
    assert post(client, "/chat", {"text": "halo", "nonce": "n2", "challenge": "forged", "proof": "1"})
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(ChatSession)) == 0
    solved = chat_form(client, {"text": "halo", "nonce": "n3"})
    post(client, "/chat", solved)
    replay = client.application.test_client()  # another browser replaying the same solved challenge
    post(replay, "/chat", {**solved, "nonce": "n4", "csrf_token": None} | {"csrf_token": _csrf(replay)})
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(ChatSession)) == 1


def _csrf(client: Any) -> str:
    with client.session_transaction() as session:
        return str(session.setdefault("csrf", "replay-csrf-token-0123456789"))


def test_the_page_script_solves_the_challenge_the_server_checks() -> None:
    script = (ROOT / "web" / "dashboard" / "static" / "dashboard.js").read_text()
    assert 'crypto.subtle.digest("SHA-256", encoder.encode(seed + ":" + n))' in script
    from web.dashboard.chat import solves

    assert solves("seed", next(str(n) for n in range(100_000) if solves("seed", str(n), 8)), 8)


def test_inbound_text_is_cut_before_the_engine_parses_or_stores_it(engine: Any, sessions: Any,
                                                                    settings: Any) -> None:
    huge = "jalan rusak " * 20_000  # 220,000 characters
    replies = engine.handle(Inbound(channel="console", chat_id="warga-besar", sender_id="warga-besar", text=huge,
                                    sender_name="x" * 100_000))
    assert replies and "terlalu panjang" in replies[0].text
    with sessions() as db:
        draft = db.scalars(select(ChatSession.draft)).one()
    assert len(draft["long_text"]) <= 2 * settings.intake.max_text_chars


def test_nginx_limits_the_public_doors_too() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "zone=aduan_public" in conf
    for door in ("/lacak", "/ringkasan", "/open311/"):
        block = conf[conf.index(f"location {'^~ ' if door.endswith('/') else '= '}{door}"):]
        assert "limit_req zone=aduan_public" in block[:block.index("}")], door


# --- class 10: smaller holes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    "start_date=0001-01-01T00:00:00%2B14:00", "end_date=9999-12-31T23:59:59-12:00",
    "start_date=0001-01-01T00:00:00Z&end_date=0001-01-02T00:00:00Z", "end_date=0001-01-01T00:00:00%2B01:00",
    "start_date=9999-12-31T23:59:59Z", "start_date=2026-13-40T00:00:00Z", "end_date=now"])
def test_open311_dates_at_the_calendars_edge_are_a_client_error(client: Any, query: str) -> None:
    response = client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize("target", ["/dashboard/\r\nSet-Cookie: x=1", "/\r\nLocation: https://evil.example/",
                                    "/dashboard/%0d%0aSet-Cookie:x=1", "/\\evil.example", "/\\\\evil.example",
                                    "/\tevil", "javascript:alert(1)"])
def test_a_crafted_next_never_injects_a_header_nor_leaves_the_site(app: Any, login: Any, target: str) -> None:
    browser = login("pupr.admin", app.test_client())
    post(browser, "/dashboard/logout")
    signed_in = post(browser, "/dashboard/login", {"login": "pupr.admin", "password": "rahasia-sekali-123",
                                                   "next": target})
    switched = browser.get("/lang/en", query_string={"next": target})
    for response in (signed_in, switched):
        assert response.status_code == 302
        location = response.headers["Location"]
        assert "\r" not in location and "\n" not in location and "evil" not in location
        assert "x=1" not in response.headers.get("Set-Cookie", "")
    assert browser.get("/dashboard/login", query_string={"next": target}).status_code == 200


@pytest.mark.parametrize("query", ["_external=1&_scheme=javascript", "_anchor=x&page=2", "_method=POST",
                                   "_scheme=https", "page=2&_external=1"])
def test_arbitrary_query_keys_never_reach_url_for(app: Any, login: Any, query: str) -> None:
    browser = login("kominfo.triage", app.test_client())
    for page in ("/dashboard/", "/dashboard/stats"):
        response = browser.get(f"{page}?{query}")
        assert response.status_code == 200, page
        body = response.get_data(as_text=True)
        # The language links carry the whole path as `next` (encoded); no link is built from the keys.
        assert 'href="javascript' not in body and "://localhost" not in body and '#x"' not in body


def test_pages_with_personal_data_are_never_stored_by_a_browser_or_proxy(app: Any, login: Any,
                                                                         filing: Any) -> None:
    code = filing.file()
    browser = login("kominfo.triage", app.test_client())
    for path in ("/dashboard/", f"/dashboard/c/{code}", "/dashboard/stats", "/dashboard/stats.csv",
                 "/dashboard/intake", "/dashboard/login", "/chat"):
        assert browser.get(path).headers.get("Cache-Control") == "no-store", path


def test_every_response_says_nosniff(client: Any) -> None:
    for path in ("/lacak", "/ringkasan", "/open311/v2/services.json", "/open311/v2/requests/nope.json",
                 "/healthz", "/metrics", "/chat", "/no-such-page", "/dashboard/static/dashboard.js"):
        assert client.get(path).headers.get("X-Content-Type-Options") == "nosniff", path


def test_another_agencys_complaint_and_a_missing_one_look_the_same(filing: Any, client: Any, login: Any) -> None:
    from models.codes import new_code

    theirs = filing.file(text="Sampah menumpuk di pasar", agency="DLH")
    missing = new_code("BTL")
    login("pupr.admin")
    for suffix in ("", "/attachment/1"):
        one, other = client.get(f"/dashboard/c/{theirs}{suffix}"), client.get(f"/dashboard/c/{missing}{suffix}")
        assert one.status_code == other.status_code == 404
        assert one.get_data() == other.get_data()
    for action in ("ack", "answer"):
        assert post(client, f"/dashboard/c/{theirs}/act", {"action": action, "note": "x"}).status_code == 404


def test_officials_chat_commands_are_cleaned_like_citizens_text(filing: Any, engine: Any, sessions: Any) -> None:
    code = filing.file(text="Jalan berlubang", agency="PUPR")
    dirty = f"JAWAB {code} Sudah\x1b[31m ditambal\x07 \u202eoleh tim\u2066 kami"
    reply = engine.handle(Inbound(channel="whatsapp", chat_id="+62811100101", sender_id="+62811100101", text=dirty))
    assert "Tercatat atas nama" in reply[0].text
    with sessions() as db:
        complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
        notes = [e.note or "" for e in db.scalars(select(ComplaintEvent).where(
            ComplaintEvent.complaint_id == complaint.id))]
        stored = " ".join([complaint.answer_text or "", *notes, str(complaint.events[-1].data)])
    assert complaint.answer_text and "ditambal" in complaint.answer_text
    for character in ("\x1b", "\x07", "\u202e", "\u2066"):
        assert character not in stored


def _answered_by_the_agency(filing: Any, code: str) -> None:
    with transaction(filing.sessions) as db:
        desk = Desk(db, filing.settings, calendar_for(filing.settings), filing.clock())
        complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
        desk.answer(complaint, Actor("official", "dlh.admin", Role.ADMIN, "DLH"), "Sudah diangkut petugas.")
