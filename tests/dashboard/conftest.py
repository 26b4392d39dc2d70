"""Dashboard fixtures: an app with the dashboard blueprints, signed-in clients and complaints."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.config import Settings
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.environment import Environment
from models.runtime import Database
from models.tables import Complaint, Official
from tests.passwords import set_quick_password
from web.dashboard import install_dashboard

PASSWORD = "rahasia-sekali-123"
TEST_SECRET_KEY = "dashboard-tests-secret-key-8e1f3a5c7b9d0246ace1"


@pytest.fixture
def database(db_engine: Engine, sessions: sessionmaker[Session]) -> Database:
    return Database(db_engine, sessions)


@pytest.fixture
def environment() -> Environment:
    return Environment.of({"SECRET_KEY": TEST_SECRET_KEY, "OPEN311_API_KEYS": "key-one, key-two"})


@pytest.fixture
def app(settings: Settings, database: Database, engine: Any, environment: Environment) -> Flask:
    flask_app = Flask("dashboard-test")
    flask_app.config["TESTING"] = True
    install_dashboard(flask_app, settings, database, engine, environment)
    return flask_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf(client: FlaskClient) -> str:
    with client.session_transaction() as session:
        token = session.setdefault("csrf", "test-csrf-token-0123456789")
    return str(token)


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """A form POST carrying the session's CSRF token, as the pages' forms do."""
    return client.post(url, data={"csrf_token": csrf(client), **(data or {})}, **kwargs)


CHALLENGE = re.compile(r'data-seed="([^"]+)" data-bits="(\d+)"')
CHALLENGE_TOKEN = re.compile(r'name="challenge" value="([^"]+)"')


def chat_form(client: FlaskClient, data: dict[str, Any]) -> dict[str, Any]:
    """What a browser sends to /chat: the form plus, for a new chat, the solved anti-robot challenge
    (static/dashboard.js does this in the page)."""
    from web.dashboard.chat import solves

    page = client.get("/chat").get_data(as_text=True)
    found, token = CHALLENGE.search(page), CHALLENGE_TOKEN.search(page)
    if found is None or token is None:
        return data
    seed, bits = found.group(1), int(found.group(2))
    proof = next(str(n) for n in range(10_000_000) if solves(seed, str(n), bits))
    return {**data, "challenge": token.group(1), "proof": proof}


@pytest.fixture
def login(client: FlaskClient, sessions: sessionmaker[Session]) -> Callable[[str], FlaskClient]:
    """Sign the client in as an official (setting the password first)."""
    def sign_in(official_id: str, target: FlaskClient | None = None) -> FlaskClient:
        browser = target or client
        with transaction(sessions) as db:
            official = db.get(Official, official_id)
            assert official is not None
            if official.password_hash is None:
                set_quick_password(db, official_id, PASSWORD)
        response = post(browser, "/dashboard/login", {"login": official_id, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return browser
    return sign_in


Filer = Callable[..., str]


@pytest.fixture
def file_complaint(settings: Settings, sessions: sessionmaker[Session], clock: Any) -> Filer:
    """File a complaint as a citizen (dispatched to `agency` unless None); returns its code."""
    counter = iter(range(1, 10_000))

    def file(text: str = "Jalan rusak parah di depan SDN 2 Marabahan", agency: str | None = "PUPR",
             channel: str = "telegram", anonymous: bool = False, confidential: bool = False,
             **extra: Any) -> str:
        with transaction(sessions) as db:
            desk = Desk(db, settings, calendar_for(settings), clock())
            number = next(counter)
            reporter = desk.reporter_for(channel, f"warga-{number}-{text[:5]}", f"Warga {number}", "+628120000000")
            complaint = desk.file(NewComplaint(reporter=reporter, text=text, channel=channel, agency_code=agency,
                                               anonymous=anonymous, confidential=confidential, **extra),
                                  dispatch=agency is not None)
            return complaint.code
    return file


def complaint_row(sessions: sessionmaker[Session], code: str) -> Complaint:
    with sessions() as db:
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        query = select(Complaint).where(Complaint.code == code).options(selectinload(Complaint.events))
        found = db.scalars(query).one()
        db.expunge_all()
        return found
