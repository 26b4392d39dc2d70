"""What the real processes write to their logs (issue 12, class 5): `aduan web` serving Telegram's webhook and
`aduan telegram` polling, both against the fake Bot API, while a citizen files a complaint. Their captured
stderr must carry neither the bot token nor a line that ties the citizen's chat id to the complaint's code;
the HTTP client's request lines are still there, with the token masked."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from citizens import Citizen
from fake_bot_api import TOKEN, FakeBotApi
from sqlalchemy import select

from models.config import Settings
from models.db import make_engine, make_session_factory
from models.environment import Environment
from models.runtime import prepare_database
from models.tables import Complaint

ROOT = Path(__file__).resolve().parents[2]
ADUAN = str(Path(sys.executable).parent / "aduan")
POTHOLE = "jalan rusak berlubang besar depan SDN 2 Marabahan sudah 3 bulan"
WEBHOOK_SECRET = "logs-webhook-Secret_1"
SECRET_KEY = "logs-test-key-7d1e4b9a2c6f8035e1d7b4a9c2f6e803"
SECRET_HALF = TOKEN.split(":", 1)[1]


class WebhookCitizen(Citizen):
    """A citizen whose updates Telegram POSTs to the web app's webhook (instead of queueing them for polling)."""

    def __init__(self, api: FakeBotApi, webhook: str, user_id: int, first_name: str) -> None:
        super().__init__(api, user_id, first_name)
        self.webhook = webhook
        self.next_update_id = 1000

    def sends(self, update: dict[str, Any]) -> list[str]:
        before = len(self.api.texts_to(self.chat_id))
        self.next_update_id += 1
        response = httpx.post(self.webhook, content=json.dumps({"update_id": self.next_update_id, **update}),
                              headers={"Content-Type": "application/json",
                                       "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}, timeout=60)
        assert response.status_code == 200, response.text
        return self.api.texts_to(self.chat_id)[before:]


def files_a_complaint(citizen: Citizen) -> None:
    citizen.says("/start")
    citizen.says(POTHOLE)
    citizen.says("LEWATI")  # no location
    citizen.taps("LEWATI")  # no photo
    citizen.taps("Biasa")
    citizen.taps("YA")


def the_code(url: str) -> str:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        code = session.scalars(select(Complaint.code)).one()
    engine.dispose()
    return code


def assert_clean(log: str, code: str, chat_id: int) -> None:
    assert TOKEN not in log and SECRET_HALF not in log, "the bot token is in the log"
    assert WEBHOOK_SECRET not in log and SECRET_KEY not in log
    with_code = [line for line in log.splitlines() if code in line]
    assert with_code, "the complaint's code is logged nowhere: the test proves nothing"
    pairing = [line for line in with_code if re.search(rf"(?<!\d){chat_id}(?!\d)", line)]
    assert pairing == [], pairing


def database(settings: Settings, sqlite_template: Path, tmp_path: Path) -> str:
    shutil.copy(sqlite_template, tmp_path / "logs.db")
    url = f"sqlite:///{tmp_path / 'logs.db'}"
    prepare_database(settings, Environment.of({}), url).engine.dispose()
    return url


def child_environment(**values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TELEGRAM_", "TWILIO_", "PROMETHEUS_", "SMTP_"))}
    return {**env, **values}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[bytes], log: Path) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)
    assert process.returncode == 0, log.read_text(errors="replace")[-3000:]


@pytest.fixture
def web_process(fake_api: FakeBotApi, settings: Settings, sqlite_template: Path,
                tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    url = database(settings, sqlite_template, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = child_environment(DATABASE_URL=url, SECRET_KEY=SECRET_KEY, TELEGRAM_BOT_TOKEN=TOKEN,
                            TELEGRAM_API_BASE_URL=fake_api.url, TELEGRAM_WEBHOOK_URL=f"{base}/hooks/telegram",
                            TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET)
    log = tmp_path / "web.log"
    with log.open("wb") as output:
        process = subprocess.Popen([ADUAN, "--config", str(ROOT / "config.yaml"), "web", "--bind",
                                    f"127.0.0.1:{port}", "--workers", "1"], cwd=ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while not _answers(base):
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "aduan web never answered /livez"
            time.sleep(0.1)
        yield base, url, log
    finally:
        stop(process, log)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/livez", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.timeout(240)
def test_the_web_apps_log_carries_no_bot_token_and_ties_no_chat_to_a_code(
        web_process: tuple[str, str, Path], fake_api: FakeBotApi) -> None:
    base, url, log = web_process
    citizen = WebhookCitizen(fake_api, f"{base}/hooks/telegram", 70011, "Rahmat Hidayat")
    files_a_complaint(citizen)
    code = the_code(url)
    text = log.read_text(errors="replace")
    assert_clean(text, code, citizen.chat_id)
    assert "/bot***/sendMessage" in text, "the HTTP client's request lines are expected, masked"


@pytest.mark.timeout(240)
def test_the_polling_bots_log_carries_no_bot_token_and_ties_no_chat_to_a_code(
        fake_api: FakeBotApi, settings: Settings, sqlite_template: Path, tmp_path: Path) -> None:
    url = database(settings, sqlite_template, tmp_path)
    env = child_environment(DATABASE_URL=url, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_api.url)
    log = tmp_path / "bot.log"
    with log.open("wb") as output:
        process = subprocess.Popen([ADUAN, "--config", str(ROOT / "config.yaml"), "telegram"], cwd=ROOT, env=env,
                                   stdout=output, stderr=subprocess.STDOUT)
    try:
        citizen = Citizen(fake_api, 70012, "Siti Rahmah")
        files_a_complaint(citizen)
    finally:
        stop(process, log)
    assert_clean(log.read_text(errors="replace"), the_code(url), citizen.chat_id)


SECRETS = {"TELEGRAM_BOT_TOKEN": "987654:AAFlogs-secret-half-0123456789abcdef",
           "TWILIO_AUTH_TOKEN": "logs-twilio-auth-0123456789abcdef",
           "SECRET_KEY": SECRET_KEY,
           "SMTP_PASSWORD": "logs-smtp-password-4711",
           "DATABASE_URL": "postgresql://aduan:logs-db-password-0815@db.invalid/aduan",
           "OPEN311_API_KEYS": "logs-open311-key-1,logs-open311-key-2"}
LOGGING_PROCESS = """
import logging, threading
from models.environment import Environment
from models.logsafety import configure_logging
environment = Environment.read()
configure_logging(environment)
log = logging.getLogger("probe")
values = [environment.telegram_bot_token, environment.twilio_auth_token, environment.secret_key,
          environment.smtp_password, environment.database_url, environment.open311_api_keys]
for value in values:
    log.info("configured %s", value.get_secret_value())
log.info("HTTP Request: POST https://api.telegram.org/bot111111:AAunconfigured-token-0123456789/getMe")
log.info("sent code=BTL-7K2M-9QX0 to chat=70013 phone +6281234567890 mail budi@example.org")
try:
    raise RuntimeError("connect to " + environment.database_url.get_secret_value() + " failed")
except RuntimeError:
    log.exception("with a traceback about BTL-7K2M-9QX0 for 6281298765432")
def in_a_thread():
    raise ValueError("thread saw " + environment.twilio_auth_token.get_secret_value())
thread = threading.Thread(target=in_a_thread)
thread.start()
thread.join()
raise SystemError("main saw " + environment.smtp_password.get_secret_value())
"""


@pytest.mark.timeout(120)
def test_every_configured_secret_and_a_person_beside_a_code_are_masked_in_a_processs_log() -> None:
    run = subprocess.run([sys.executable, "-c", LOGGING_PROCESS], cwd=ROOT, env=child_environment(**SECRETS),
                         capture_output=True, text=True, timeout=100)
    log = run.stderr
    assert run.returncode == 1 and "main saw" in log and "thread saw" in log and "Traceback" in log, log
    for value in [*SECRETS.values(), "logs-db-password-0815", "AAFlogs-secret-half-0123456789abcdef",
                  "logs-open311-key-1", "AAunconfigured-token-0123456789"]:
        assert value not in log, value
    for person in ("70013", "6281234567890", "budi@example.org", "6281298765432"):
        assert person not in log, person
    assert "BTL-7K2M-9QX0" in log and "/bot***/getMe" in log
