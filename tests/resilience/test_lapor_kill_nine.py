"""kill -9 and SP4N-LAPOR!: a WhatsApp complaint is handed to LAPOR! by the notifier (its tracking id stored), and
a status change reaches LAPOR! exactly once although the notifier was killed after sending it and before
recording it: the re-send carries the same idempotency key, and LAPOR!'s contract applies it once."""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from crash_support import ROOT, clean_environment, kill_hard, start_notifier_once, wait_for
from sqlalchemy import select

from models.config import Role, load_settings
from models.db import make_engine, make_session_factory, transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.environment import Environment
from models.permissions import Actor
from models.runtime import prepare_database
from models.tables import Complaint, Notification

sys.path.append(str(ROOT / "tests" / "notifier"))
from fake_lapor import TOKEN, FakeLapor, api_config  # noqa: E402

# Sunday 22 November 2026, 10:00 WITA: no digest is due, so the outbox holds only the test's rows.
SUNDAY_MORNING = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def write_config(tmp_path: Path, fake: FakeLapor) -> Path:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    lapor = api_config(fake)
    # The kill must land while the held request is open, however loaded the machine: no client timeout first.
    lapor["api"]["timeout_seconds"] = 300
    raw["lapor"] = {**raw["lapor"], **lapor}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.timeout(240)
def test_a_status_change_reaches_lapor_exactly_once_across_a_notifier_kill(tmp_path: Path,
                                                                          sqlite_template: Path) -> None:
    fake = FakeLapor().start()
    config = write_config(tmp_path, fake)
    settings = load_settings(config)
    shutil.copy(sqlite_template, tmp_path / "lapor.db")
    url = f"sqlite:///{tmp_path / 'lapor.db'}"
    database = prepare_database(settings, Environment.of({}), url)
    calendar = calendar_for(settings)
    with transaction(database.sessions) as session:
        desk = Desk(session, settings, calendar, SUNDAY_MORNING)
        reporter = desk.reporter_for("whatsapp", "+6281255550001", "Siti", "+6281255550001")
        code = desk.file(NewComplaint(reporter=reporter, text="jalan berlubang depan SDN 2 Marabahan",
                                      channel="whatsapp", agency_code="PUPR"), dispatch=True).code
    database.engine.dispose()
    env = clean_environment(DATABASE_URL=url, LAPOR_API_TOKEN=TOKEN)
    engine = make_engine(url)
    sessions = make_session_factory(engine)

    def found() -> Complaint:
        with sessions() as session:
            return session.scalars(select(Complaint).where(Complaint.code == code)).one()

    process = None
    try:
        with (tmp_path / "notifier.log").open("wb") as log:
            handover = start_notifier_once(config, env, SUNDAY_MORNING.isoformat(), log)
            assert handover.wait(120) == 0, (tmp_path / "notifier.log").read_text(errors="replace")[-3000:]
            tracking_id = found().lapor_tracking_id
            assert tracking_id in fake.reports and fake.reports[tracking_id]["id_referensi"] == code

            acted = SUNDAY_MORNING + timedelta(minutes=5)
            with transaction(sessions) as session:
                complaint = session.scalars(select(Complaint).where(Complaint.code == code)).one()
                Desk(session, settings, calendar, acted).acknowledge(
                    complaint, Actor("official", "pupr.admin", Role.ADMIN, "PUPR"))

            fake.hold()
            process = start_notifier_once(config, env, (acted + timedelta(minutes=1)).isoformat(), log)
            wait_for(lambda: len(fake.follow_ups) == 1, 90, "the status push to reach LAPOR!")
            kill_hard(process)  # sent, applied by LAPOR!, not yet recorded as sent
            fake.release()
            with sessions() as session:
                push = session.scalars(select(Notification).where(Notification.purpose == "lapor_status")).one()
                assert push.status == "sending"

            lease = timedelta(seconds=settings.notifier.lease_seconds + 1)
            process = start_notifier_once(config, env, (acted + timedelta(minutes=1) + lease).isoformat(), log)
            assert process.wait(120) == 0, (tmp_path / "notifier.log").read_text(errors="replace")[-3000:]
        with sessions() as session:
            push = session.scalars(select(Notification).where(Notification.purpose == "lapor_status")).one()
    finally:
        if process is not None:
            kill_hard(process)
        engine.dispose()
        fake.stop()
    sent_twice = [r for r in fake.requests if r.path.endswith(f"/{tracking_id}/tindak-lanjut")]
    assert len(sent_twice) == 2 and len({r.key for r in sent_twice}) == 1, "one re-send, with the same key"
    assert fake.follow_ups == [(tracking_id, sent_twice[0].body)] and sent_twice[0].body["status"] == "diproses"
    assert push.status == "sent"
