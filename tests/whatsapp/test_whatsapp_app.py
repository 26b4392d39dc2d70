"""The app factory: importing starts nothing; without a database or engine it opens its own, which must
have been prepared (`aduan db upgrade`): the factory never migrates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from twilio_support import AUTH_TOKEN, PUBLIC, sign

from models.environment import Environment
from models.runtime import prepare_database
from tests.conftest import TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]


def test_importing_web_starts_no_thread_and_opens_no_database(tmp_path: Path) -> None:
    code = "import threading, web; assert threading.active_count() == 1, threading.enumerate()"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60,
                   env={"DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}", "PATH": "/usr/bin:/bin"})
    assert not (tmp_path / "never.db").exists()


def test_the_factory_opens_the_database_from_database_url_and_serves_webhooks(settings, tmp_path: Path) -> None:
    from web import create_app

    environment = Environment.of({"DATABASE_URL": f"sqlite:///{tmp_path / 'own.db'}",
                                  "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "PUBLIC_BASE_URL": PUBLIC,
                                  "SECRET_KEY": TEST_SECRET_KEY})
    prepare_database(settings, environment).engine.dispose()
    app = create_app(settings, environment)
    client = app.test_client()
    form = {"MessageSid": "SM" + "c" * 32, "From": "whatsapp:+6281255550009", "Body": "halo"}
    response = client.post("/webhooks/twilio/whatsapp", data=form,
                           headers={"X-Twilio-Signature": sign(PUBLIC + "/webhooks/twilio/whatsapp", form)})
    assert response.status_code == 200 and "<Message>" in response.get_data(as_text=True)
    assert client.get("/livez").get_data(as_text=True) == "ok"


def test_the_factory_refuses_a_database_without_the_schema_and_creates_nothing(settings, tmp_path: Path) -> None:
    from sqlalchemy import inspect

    from models.db import SchemaOutOfDate, make_engine
    from web import create_app

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with pytest.raises(SchemaOutOfDate, match="aduan db upgrade"):
        create_app(settings, Environment.of({"DATABASE_URL": url}))
    engine = make_engine(url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_without_an_auth_token_every_webhook_is_refused(settings, tmp_path: Path) -> None:
    from web import create_app

    environment = Environment.of({"DATABASE_URL": f"sqlite:///{tmp_path / 'own.db'}", "PUBLIC_BASE_URL": PUBLIC,
                                  "SECRET_KEY": TEST_SECRET_KEY})
    prepare_database(settings, environment).engine.dispose()
    app = create_app(settings, environment)
    form = {"MessageSid": "SM" + "c" * 32, "From": "whatsapp:+6281255550009", "Body": "halo"}
    response = app.test_client().post("/webhooks/twilio/whatsapp", data=form,
                                      headers={"X-Twilio-Signature": sign(PUBLIC + "/webhooks/twilio/whatsapp", form)})
    assert response.status_code == 403
