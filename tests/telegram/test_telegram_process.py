"""`aduan telegram` as systemd runs it: polls with PTB's Updater, answers, listens on no port (the web app
is `aduan web`'s), and stops cleanly on SIGTERM with the last update recorded."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from citizens import Citizen
from fake_bot_api import TOKEN, FakeBotApi
from sqlalchemy import select

from models.config import Settings
from models.db import make_engine, make_session_factory
from models.environment import Environment
from models.runtime import prepare_database
from models.tables import TelegramOffset

ROOT = Path(__file__).resolve().parents[2]
ADUAN = str(Path(sys.executable).parent / "aduan")
LISTEN = "0A"  # the state of a listening socket in /proc/net/tcp


def listening_sockets(pid: int) -> set[str]:
    """Inodes of the process's sockets that listen for connections (TCP over IPv4 or IPv6)."""
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if fields[3] == LISTEN:
                    listening.add(fields[9])
    owned = set()
    for descriptor in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{descriptor}")
        except OSError:
            continue
        if target.startswith("socket:["):
            owned.add(target.removeprefix("socket:[").removesuffix("]"))
    return owned & listening


@pytest.mark.timeout(120)
def test_aduan_telegram_polls_answers_serves_no_web_app_and_stops_on_sigterm(
        fake_api: FakeBotApi, settings: Settings, sqlite_template: Path, tmp_path: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "bot.db")
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    prepare_database(settings, Environment.of({}), url).engine.dispose()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "TWILIO_"))}
    env.update(DATABASE_URL=url, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_api.url)
    with (tmp_path / "bot.log").open("wb") as log:
        process = subprocess.Popen([ADUAN, "--config", str(ROOT / "config.yaml"), "telegram"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        citizen = Citizen(fake_api, 70001, "Siti Aminah", "siti_btl")
        [answer] = citizen.says("/bantuan")
        assert "LAPOR" in answer
        assert fake_api.calls("deleteWebhook") and not fake_api.calls("setWebhook")
        assert listening_sockets(process.pid) == set()
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0, (tmp_path / "bot.log").read_text(errors="replace")[-3000:]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(30)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        offset = session.scalars(select(TelegramOffset.last_update_id)).one()
    engine.dispose()
    assert offset == max(int(call.params.get("offset") or 0) for call in fake_api.calls("getUpdates")) - 1
