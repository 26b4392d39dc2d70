"""The admin command line speaks SP4N-LAPOR!: `complaints show|list --json` carry the LAPOR! tracking id and the
Ombudsman referral, and a tracking id works where a code does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from models.config import Role, Settings, parse_settings
from models.db import make_engine, make_session_factory, transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.directory import sync_directory
from models.permissions import Actor
from models.tables import Complaint

ROOT = Path(__file__).resolve().parents[1]
ADUAN = str(Path(sys.executable).parent / "aduan")
MONDAY_MORNING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
OFFICE = {"name": "Ombudsman RI Perwakilan Kalimantan Selatan", "email": "kalsel@ombudsman.example.org"}


def aduan(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ADUAN, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def with_office(settings: Settings) -> Settings:
    raw = settings.model_dump(mode="json", exclude={"base_dir"})
    raw["ombudsman"] = {"office": OFFICE}
    return parse_settings(raw, base_dir=settings.base_dir)


def test_complaints_show_and_list_carry_the_lapor_tracking_id_and_the_ombudsman_referral(
        tmp_path: Path, settings: Settings) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    assert aduan(["db", "upgrade"], env).returncode == 0
    engine = make_engine(env["DATABASE_URL"])
    sessions = make_session_factory(engine)
    configured = with_office(settings)
    with transaction(sessions) as session:
        sync_directory(session, settings)
        desk = Desk(session, configured, calendar_for(configured), MONDAY_MORNING)
        reporter = desk.reporter_for("whatsapp", "+6281255550001", "Siti", "+6281255550001")
        linked = desk.file(NewComplaint(reporter=reporter, text="jalan berlubang depan SDN 2 Marabahan",
                                        channel="whatsapp", agency_code="PUPR"), dispatch=True)
        plain = desk.file(NewComplaint(reporter=reporter, text="lampu jalan mati di Anjir Pasar",
                                       channel="whatsapp", agency_code="PUPR"), dispatch=True)
        desk.record_lapor_tracking_id(linked, Actor("official", "kominfo.triage", Role.TRIAGE), "4810001")
        desk.offer_ombudsman(linked, "test")
        desk.refer_to_ombudsman(linked, Actor("reporter", str(reporter.id)), with_identity=False)
        codes = linked.code, plain.code
    with sessions() as session:
        referred_at = session.scalars(select(Complaint.ombudsman_referred_at)
                                      .where(Complaint.code == codes[0])).one()
    engine.dispose()

    shown = aduan(["complaints", "show", "4810001", "--json"], env)
    assert shown.returncode == 0, shown.stderr
    detail = json.loads(shown.stdout)
    assert detail["code"] == codes[0] and detail["lapor_tracking_id"] == "4810001"
    assert detail["ombudsman_referral"] == {"at": referred_at.isoformat(), "office": OFFICE["name"]}
    other = json.loads(aduan(["complaints", "show", codes[1], "--json"], env).stdout)
    assert other["lapor_tracking_id"] is None and other["ombudsman_referral"] is None
    listed = {row["code"]: row for row in json.loads(aduan(["complaints", "list", "--json"], env).stdout)}
    assert listed[codes[0]]["lapor_tracking_id"] == "4810001" and listed[codes[1]]["lapor_tracking_id"] is None
    recap = aduan(["report", "monthly", "--month", "2026-11", "--format", "csv"], env)
    assert recap.returncode == 0, recap.stderr
    assert "code,agency,office,at" in recap.stdout and f"{codes[0]},PUPR,{OFFICE['name']}" in recap.stdout


def test_a_triage_official_links_a_complaint_to_lapor_from_the_command_line(tmp_path: Path, settings: Settings) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'link.db'}"}
    assert aduan(["db", "upgrade"], env).returncode == 0
    engine = make_engine(env["DATABASE_URL"])
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        sync_directory(session, settings)
        desk = Desk(session, settings, calendar_for(settings), MONDAY_MORNING)
        reporter = desk.reporter_for("whatsapp", "+6281255550001", "Siti", "+6281255550001")
        code = desk.file(NewComplaint(reporter=reporter, text="jalan berlubang depan SDN 2 Marabahan",
                                      channel="whatsapp", agency_code="PUPR"), dispatch=True).code
    engine.dispose()
    refused = aduan(["complaints", "lapor-link", code, "4810009", "--as", "pupr.admin"], env)
    assert refused.returncode != 0 and "triage only" in refused.stderr
    linked = aduan(["complaints", "lapor-link", code, "4810009", "--as", "kominfo.triage"], env)
    assert linked.returncode == 0, linked.stderr
    assert json.loads(aduan(["complaints", "show", "4810009", "--json"], env).stdout)["code"] == code
