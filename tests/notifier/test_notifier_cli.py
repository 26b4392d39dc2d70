"""Entry points: `run_notifier.py --once --now T` and `manage.py report monthly` / `status`."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from datetime import datetime
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.environment import Environment
from models.runtime import prepare_database
from models.tables import Notification

ROOT = Path(__file__).resolve().parents[2]
WITA = ZoneInfo("Asia/Makassar")


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"entry_{name}", ROOT / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def database(tmp_path, settings, monkeypatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for secret in ("SMTP_USER", "TELEGRAM_BOT_TOKEN", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(secret, raising=False)
    database = prepare_database(settings, Environment.of({}), url)
    with transaction(database.sessions) as session:
        desk = Desk(session, settings, calendar_for(settings), datetime(2026, 11, 23, 9, tzinfo=WITA))
        reporter = desk.reporter_for("whatsapp", "+6281299990001", "Siti", "+6281299990001")
        desk.file(NewComplaint(reporter=reporter, text="jalan berlubang", channel="whatsapp",
                               agency_code="PUPR"), dispatch=True)
    return database


def test_once_at_a_given_instant_escalates_sends_digests_and_delivers(database, capsys) -> None:
    run = load("run_notifier").main
    config = str(ROOT / "config.yaml")
    assert run(["--config", config, "--once", "--now", "2026-11-24T07:31:00+08:00"]) == 0
    assert run(["--config", config, "--once", "--now", "2026-11-25T07:31:00+08:00"]) == 0
    with database.sessions() as session:
        rows = list(session.scalars(select(Notification)))
    assert {"new_complaint", "digest", "escalation_head"} <= {row.purpose for row in rows}
    assert all(row.status == "sent" for row in rows)
    printed = capsys.readouterr().out
    assert "(escalation_head) ESKALASI" in printed and "(digest) Ringkasan aduan Batola · Sel, 24 Nov 2026" in printed


def test_monthly_report_as_json_csv_and_xlsx(database, tmp_path, capsys) -> None:
    manage = load("manage")
    config = str(ROOT / "config.yaml")
    assert manage.main(["--config", config, "report", "monthly", "--month", "2026-11", "--format", "json"]) == 0
    recap = json.loads(capsys.readouterr().out)
    assert recap["counts"] == [{"agency": "PUPR", "category": "Infrastruktur", "status": "in_progress",
                                "count": 1}]
    assert manage.main(["--config", config, "report", "monthly", "--month", "2026-11", "--format", "csv"]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert ["PUPR", "Infrastruktur", "in_progress", "1"] in table
    target = tmp_path / "rekap.xlsx"
    assert manage.main(["--config", config, "report", "monthly", "--month", "2026-11", "--format", "xlsx",
                        "--output", str(target)]) == 0
    from openpyxl import load_workbook

    sheet = load_workbook(target).active
    assert [cell.value for cell in sheet[2]] == ["PUPR", "Infrastruktur", "in_progress", 1]


def test_status_shows_queue_depth(database, capsys) -> None:
    manage = load("manage")
    manage.main(["--config", str(ROOT / "config.yaml"), "status", "--json"])
    status = json.loads(capsys.readouterr().out)
    assert status["depth"] == {"queued": 3} and status["transports"] == []
