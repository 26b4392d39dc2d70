"""The sweep's batches: each one all or nothing, whatever stops it; two sweeps racing escalate each complaint once."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

import models.escalation as escalation
from models.config import Settings
from models.db import make_session_factory, transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.directory import official_actor, sync_directory
from models.environment import Environment
from models.escalation import sweep
from models.permissions import Action
from models.runtime import prepare_database
from models.tables import Base, Complaint, ComplaintEvent, Notification

ROOT = Path(__file__).resolve().parents[2]
WITA = ZoneInfo("Asia/Makassar")
MONDAY = datetime(2026, 11, 23, 9, tzinfo=WITA)
# Ack due end of Tuesday 24, answer due end of Monday 30: on Tuesday 1 December at 08:00 every complaint owes
# its agency head (unless acknowledged) and the regional leaders a step.
TUESDAY = datetime(2026, 12, 1, 8, tzinfo=WITA)
AGENCIES = ["PUPR", "DINKES", "DISDIK", "PERKIM", "DLH"]
LEADERS = {"bupati", "sekda", "inspektur"}


def file_many(sessions: sessionmaker[Session], settings: Settings, count: int) -> list[str]:
    """`count` complaints filed on Monday morning; every other one acknowledged by its admin."""
    calendar = calendar_for(settings)
    codes = []
    with transaction(sessions) as session:
        desk = Desk(session, settings, calendar, MONDAY)
        for number in range(count):
            reporter = desk.reporter_for("whatsapp", f"+6281300{number:05d}", f"Warga {number}")
            agency = AGENCIES[number % len(AGENCIES)]
            complaint = desk.file(NewComplaint(reporter=reporter, text=f"keluhan {number}", channel="whatsapp",
                                               agency_code=agency), dispatch=True)
            if number % 2:
                desk.act(complaint, official_actor(session, f"{agency.lower()}.admin"), Action.ACKNOWLEDGE)
            codes.append(complaint.code)
    return codes


def expected_steps(count: int) -> int:
    """Unacknowledged complaints take two steps (head, region), acknowledged ones one."""
    return count + (count + 1) // 2


def outcome(sessions: sessionmaker[Session]) -> dict[str, Any]:
    with sessions() as session:
        escalated = select(ComplaintEvent.complaint_id).where(ComplaintEvent.action == "escalate")
        events = Counter(session.scalars(escalated))
        rows = list(session.scalars(select(Notification)))
        levels = Counter(session.scalars(select(Complaint.escalation_level)))
        still_due = session.scalar(select(func.count()).where(Complaint.next_escalation_at <= TUESDAY))
    heard = Counter((item["complaint_id"], row.recipient_id) for row in rows if row.status == "queued"
                    and row.complaint_id is None for item in row.payload["items"])
    return {"events": events, "heads": Counter(r.dedup_key for r in rows if r.purpose == "escalation_head"),
            "heard": heard, "held": sum(r.status == "held" for r in rows), "levels": levels, "still_due": still_due,
            "bundles": Counter(r.recipient_id for r in rows if r.complaint_id is None and r.status == "queued")}


def assert_complete(result: dict[str, Any], count: int) -> None:
    """Every complaint escalated exactly once per step, each leader told of each complaint exactly once."""
    assert sum(result["events"].values()) == expected_steps(count)
    assert set(result["events"].values()) == {1, 2} and len(result["events"]) == count
    assert set(result["heads"].values()) == {1}  # dedup keys: no alert twice
    assert len(result["heads"]) == 2 * ((count + 1) // 2)  # the agency head's WhatsApp and e-mail
    assert set(result["heard"].values()) == {1} and len(result["heard"]) == count * len(LEADERS)
    assert result["held"] == 0 and result["still_due"] == 0 and result["levels"] == {2: count}


def test_an_error_mid_batch_rolls_that_batch_back_and_the_next_pass_finishes_the_work(sessions, settings,
                                                                                       monkeypatch) -> None:
    count = 25
    codes = file_many(sessions, settings, count)
    real, calls = escalation.update_rows, []

    def failing_on_the_third_batch(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        real(*args, **kwargs)
        if len(calls) == 3:  # this batch's events, alerts and trigger updates are all written, not committed
            raise RuntimeError("database connection lost")

    monkeypatch.setattr(escalation, "update_rows", failing_on_the_third_batch)
    with pytest.raises(RuntimeError):
        sweep(sessions, settings, calendar_for(settings), TUESDAY, batch_size=5)
    halfway = outcome(sessions)
    assert len(halfway["events"]) == 10 and halfway["held"] == 2 * len(LEADERS)  # two batches, not released
    assert halfway["still_due"] == count - 10 and not halfway["bundles"]

    monkeypatch.setattr(escalation, "update_rows", real)
    report = sweep(sessions, settings, calendar_for(settings), TUESDAY, batch_size=5)
    assert report.escalated == expected_steps(count) - sum(halfway["events"].values())
    result = outcome(sessions)
    assert_complete(result, count)
    assert result["bundles"] == {leader: 1 for leader in LEADERS}  # the held rows joined this pass's bundle
    assert len(codes) == count


KILLED_SWEEP = """
import os, signal, sys
from datetime import datetime
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import models.escalation as escalation
from models.config import load_settings
from models.desk import calendar_for
from models.environment import Environment
from models.runtime import open_database

settings = load_settings(Path(sys.argv[1]) / "config.yaml")
database = open_database(settings, Environment.of({}), sys.argv[2])
real, calls = escalation.update_rows, []

def dying_in_the_second_batch(*args, **kwargs):
    calls.append(1)
    real(*args, **kwargs)
    if len(calls) == 2:  # everything of this batch written, nothing committed
        os.kill(os.getpid(), signal.SIGKILL)

escalation.update_rows = dying_in_the_second_batch
escalation.sweep(database.sessions, settings, calendar_for(settings), datetime.fromisoformat(sys.argv[3]),
                 batch_size=int(sys.argv[4]))
"""


def test_a_notifier_killed_mid_batch_loses_nothing_and_duplicates_nothing(tmp_path, settings) -> None:
    count, batch = 30, 8
    url = f"sqlite:///{tmp_path / 'killed.db'}"
    database = prepare_database(settings, Environment.of({}), url)
    file_many(database.sessions, settings, count)
    killed = subprocess.run([sys.executable, "-c", KILLED_SWEEP, str(ROOT), url, TUESDAY.isoformat(), str(batch)],
                            cwd=str(ROOT), capture_output=True, timeout=120, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    halfway = outcome(database.sessions)
    assert len(halfway["events"]) == batch and halfway["still_due"] == count - batch
    assert halfway["held"] == len(LEADERS) and not halfway["bundles"]

    sweep(database.sessions, settings, calendar_for(settings), TUESDAY, batch_size=batch)
    assert_complete(outcome(database.sessions), count)
    database.engine.dispose()


@pytest.mark.postgres
def test_two_sweeps_racing_in_small_batches_on_postgresql_escalate_each_complaint_once(request,
                                                                                          settings) -> None:
    engine: Engine = request.getfixturevalue("postgres_engine")
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        sync_directory(session, settings)
    count = 300
    file_many(sessions, settings, count)
    calendar = calendar_for(settings)
    reports: list[Any] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait(30)
        reports.append(sweep(sessions, settings, calendar, TUESDAY, batch_size=10))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)  # a bound against a hang, not a speed check
    assert len(reports) == 2
    assert sum(report.escalated for report in reports) == expected_steps(count)
    assert_complete(outcome(sessions), count)
