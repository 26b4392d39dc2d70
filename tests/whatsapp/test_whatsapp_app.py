"""The app factory: importing starts nothing; without a database or engine it opens its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from twilio_support import AUTH_TOKEN, PUBLIC, sign

ROOT = Path(__file__).resolve().parents[2]


def test_importing_web_starts_no_thread_and_opens_no_database(tmp_path: Path) -> None:
    code = "import threading, web; assert threading.active_count() == 1, threading.enumerate()"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60,
                   env={"DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}", "PATH": "/usr/bin:/bin"})
    assert not (tmp_path / "never.db").exists()


def test_the_factory_opens_the_database_from_database_url_and_serves_webhooks(settings, tmp_path: Path) -> None:
    from web import create_app

    app = create_app(settings, environ={"DATABASE_URL": f"sqlite:///{tmp_path / 'own.db'}",
                                        "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "PUBLIC_BASE_URL": PUBLIC})
    client = app.test_client()
    form = {"MessageSid": "SM" + "c" * 32, "From": "whatsapp:+6281255550009", "Body": "halo"}
    response = client.post("/webhooks/twilio/whatsapp", data=form,
                           headers={"X-Twilio-Signature": sign(PUBLIC + "/webhooks/twilio/whatsapp", form)})
    assert response.status_code == 200 and "<Message>" in response.get_data(as_text=True)
    assert client.get("/livez").get_data(as_text=True) == "ok"
    assert (tmp_path / "own.db").exists()
    app.extensions["aduan.media"].close()


def test_without_an_auth_token_every_webhook_is_refused(settings, tmp_path: Path) -> None:
    from web import create_app

    app = create_app(settings, environ={"DATABASE_URL": f"sqlite:///{tmp_path / 'own.db'}", "PUBLIC_BASE_URL": PUBLIC})
    form = {"MessageSid": "SM" + "c" * 32, "From": "whatsapp:+6281255550009", "Body": "halo"}
    response = app.test_client().post("/webhooks/twilio/whatsapp", data=form,
                                      headers={"X-Twilio-Signature": sign(PUBLIC + "/webhooks/twilio/whatsapp", form)})
    assert response.status_code == 403
