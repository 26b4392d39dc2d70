"""Exactly once: a notifier killed mid-batch loses nothing; two notifiers never send the same row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from smtp_server import PASSWORD, USER, make_certificate, start_server
from sqlalchemy import Engine, func, select

from models.clock import FixedClock
from models.config import Settings
from models.db import make_session_factory, transaction
from models.directory import sync_directory
from models.environment import Environment
from models.outbox import Recipient, enqueue
from models.runtime import prepare_database
from models.tables import Notification
from notifier.dispatcher import Dispatcher
from notifier.transports import LogTransport, OutgoingMessage, SendResult

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 120


def write_config(tmp_path: Path, port: int, cert: Path) -> Path:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["channels"]["email"] = {"host": "127.0.0.1", "port": port, "sender": "aduan@batola.example.org",
                                "starttls": True, "ca_file": str(cert)}
    raw["notifier"]["batch_size"] = 10
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def run_notifier(config: Path, env: dict[str, str], now: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(ROOT / "run_notifier.py"), "--config", str(config), "--once",
                             "--now", now], cwd=str(ROOT), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def test_a_notifier_killed_mid_batch_loses_nothing_and_resends_at_most_one(tmp_path, settings, clock) -> None:
    cert, key = make_certificate(tmp_path)
    controller, recorder = start_server(cert, key)
    try:
        config = write_config(tmp_path, controller.port, cert)
        url = f"sqlite:///{tmp_path / 'crash.db'}"
        database = prepare_database(settings, Environment.of({}), url)
        with transaction(database.sessions) as session:
            for number in range(MESSAGES):
                enqueue(session, recipient=Recipient("official", "pupr.head", "email", f"k{number}@example.org"),
                        purpose="test", payload={"text": f"pesan {number}"}, dedup_key=f"crash:{number}",
                        now=clock())
        env = {**os.environ, "DATABASE_URL": url, "SMTP_USER": USER, "SMTP_PASSWORD": PASSWORD}
        first = run_notifier(config, env, clock().isoformat())
        deadline = time.monotonic() + 30
        while len(recorder.messages) < MESSAGES // 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert 0 < len(recorder.messages) < MESSAGES, "the kill must land mid-batch"
        # Restarted after the dead notifier's leases ran out.
        later = clock() + timedelta(seconds=settings.notifier.lease_seconds + 1)
        assert run_notifier(config, env, later.isoformat()).wait(60) == 0
        received = Counter(_notification_id(content) for _, content in recorder.messages)
        with database.sessions() as session:
            ids = set(session.scalars(select(Notification.id)))
            unsent = session.scalar(select(func.count()).where(Notification.status != "sent"))
        assert set(received) == ids and unsent == 0
        assert sum(count - 1 for count in received.values()) <= 1
    finally:
        controller.stop()


def _notification_id(content: str) -> int:
    line = next(line for line in content.splitlines() if line.startswith("X-Aduan-Notification:"))
    return int(line.split(":", 1)[1])


class Recording:
    name = "recording"

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> SendResult:
        with self.lock:
            self.sent.append(message.notification_id)
        return SendResult(None)


@pytest.mark.postgres
def test_two_notifiers_on_postgresql_send_5000_notifications_without_a_duplicate(request, settings: Settings,
                                                                                  clock: FixedClock) -> None:
    engine: Engine = request.getfixturevalue("postgres_engine")
    from models.tables import Base

    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        sync_directory(session, settings)
        rows = [{"dedup_key": f"pg:{n}", "recipient_kind": "official", "recipient_id": "pupr.admin",
                 "channel": "telegram", "address": f"{n}", "purpose": "test", "level": 0,
                 "payload": {"text": str(n)}, "status": "queued", "attempts": 0, "next_attempt_at": clock(),
                 "created_at": clock()} for n in range(5000)]
        session.execute(Notification.__table__.insert(), rows)
    transport = Recording()
    workers = [Dispatcher(sessions, {"telegram": transport}, LogTransport(), settings.notifier, owner, clock)
               for owner in ("notifier-a", "notifier-b")]
    threads = [threading.Thread(target=worker.run_pass) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(240)  # a bound against a hang, not a speed check: CI machines are shared
    assert len(transport.sent) == 5000 and len(set(transport.sent)) == 5000
    with sessions() as session:
        statuses = Counter(session.scalars(select(Notification.status)))
    assert statuses == {"sent": 5000}


def test_the_scheduled_notifier_delivers_a_new_row_within_seconds_and_stops_on_sigterm(tmp_path, settings,
                                                                                       clock) -> None:
    url = f"sqlite:///{tmp_path / 'scheduled.db'}"
    database = prepare_database(settings, Environment.of({}), url)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SMTP_", "TELEGRAM_", "TWILIO_"))}
    process = subprocess.Popen([sys.executable, str(ROOT / "run_notifier.py"), "--config", str(ROOT / "config.yaml")],
                               cwd=str(ROOT), env={**env, "DATABASE_URL": url}, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)  # started and idle
        from models.clock import system_clock

        with transaction(database.sessions) as session:
            enqueue(session, recipient=Recipient("official", "pupr.admin", "email", "admin.pupr@example.org"),
                    purpose="new_complaint", payload={"text": "LAPORAN BARU BTL-TEST"}, dedup_key="live:1",
                    now=system_clock())
        deadline = time.monotonic() + 15
        status = "queued"
        while status != "sent" and time.monotonic() < deadline:
            time.sleep(0.1)
            with database.sessions() as session:
                status = session.scalar(select(Notification.status).where(Notification.dedup_key == "live:1"))
        assert status == "sent"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 0
    assert b"(new_complaint) LAPORAN BARU BTL-TEST" in output


@pytest.mark.postgres
def test_two_sweeps_racing_on_postgresql_escalate_each_complaint_once(request, settings: Settings) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from models.desk import Desk, NewComplaint, calendar_for
    from models.escalation import sweep
    from models.tables import Base, ComplaintEvent

    engine: Engine = request.getfixturevalue("postgres_engine")
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    sessions = make_session_factory(engine)
    calendar = calendar_for(settings)
    filed = datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Asia/Makassar"))
    with transaction(sessions) as session:
        sync_directory(session, settings)
        desk = Desk(session, settings, calendar, filed)
        for number in range(60):
            reporter = desk.reporter_for("whatsapp", f"+6281200{number:05d}")
            desk.file(NewComplaint(reporter=reporter, text="jalan rusak", channel="whatsapp", agency_code="PUPR"),
                      dispatch=True)
    at = datetime(2026, 11, 25, 8, tzinfo=ZoneInfo("Asia/Makassar"))
    threads = [threading.Thread(target=sweep, args=(sessions, settings, calendar, at)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with sessions() as session:
        escalations = session.scalar(select(func.count()).where(ComplaintEvent.action == "escalate"))
        alerts = session.scalar(select(func.count()).where(Notification.purpose == "escalation_head"))
    assert escalations == 60 and alerts == 120
