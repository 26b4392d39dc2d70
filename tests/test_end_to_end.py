"""The newcomer's path, with the real entry points as subprocesses: prepare the database, chat on the
console, look at the complaint with the admin CLI, deliver its notifications once. The old spellings
(run_bot.py, manage.py, run_notifier.py) and the `aduan` command are the same program."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ADUAN = str(Path(sys.executable).parent / "aduan")
SCRIPT = "jln rusak dpn sdn 2 udh 3 bln\n/lokasi -2.9866,114.7514 depan SDN 2 Marabahan\nlewati\n1\nya\n"


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    program = [ADUAN] if args[0] == "aduan" else [sys.executable, args[0]]
    return subprocess.run([*program, *args[1:]], cwd=ROOT, env=env, input=stdin, capture_output=True,
                          text=True, timeout=120, check=False)


def prepared(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}"}
    upgraded = run(["aduan", "db", "upgrade"], env)
    assert upgraded.returncode == 0, upgraded.stderr
    return env


def test_console_complaint_is_dispatched_shown_and_delivered_once(tmp_path: Path) -> None:
    env = prepared(tmp_path)
    chat = run(["run_bot.py", "--console", "--chat-id", "siti"], env, SCRIPT)
    assert chat.returncode == 0, chat.stderr
    assert "BTL-" in chat.stdout

    listed = json.loads(run(["manage.py", "complaints", "list", "--json"], env).stdout)
    assert len(listed) == 1
    shown = run(["manage.py", "complaints", "show", listed[0]["code"].lower(), "--json"], env)
    detail = json.loads(shown.stdout)
    assert detail["agency"] == "PUPR" and detail["status"] == "dispatched"
    assert detail["deadlines"]["timezone"] == "Asia/Makassar"
    assert all(len(detail["deadlines"][key]) == 10 for key in ("verify_due", "ack_due", "answer_due"))
    assert [event["action"] for event in detail["events"]] == ["file", "dispatch"]

    # The notifier runs on the wall clock like the bot, so a run after digest time on a working day
    # also sends the morning digests: count what this complaint caused.
    first = run(["run_notifier.py", "--once"], env)
    assert first.returncode == 0, first.stderr
    code = listed[0]["code"]
    assert sum(code in line for line in first.stdout.splitlines() if "[kirim]" in line) == 3
    second = run(["run_notifier.py", "--once"], env)
    assert second.stdout.count("[kirim]") == 0
    notes = json.loads(run(["manage.py", "notifications", "list", "--json"], env).stdout)
    assert {note["status"] for note in notes} == {"sent"}
    assert len([note for note in notes if note["complaint_code"] == code]) == 3


def test_admin_cli_refuses_an_action_outside_the_officials_agency(tmp_path: Path) -> None:
    env = prepared(tmp_path)
    run(["aduan", "console", "--chat-id", "siti"], env, SCRIPT)
    code = json.loads(run(["aduan", "complaints", "list", "--json"], env).stdout)[0]["code"]
    refused = run(["aduan", "complaints", "act", code, "--as", "dinkes.admin", "--action", "close"], env)
    assert refused.returncode == 1 and "may not close" in refused.stderr
    done = run(["manage.py", "complaints", "act", code, "--as", "pupr.admin", "--action", "ack"], env)
    assert done.returncode == 0 and "in_progress" in done.stdout


def test_every_entry_point_on_a_database_without_the_schema_names_the_command_to_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import manage
    import run_bot
    import run_notifier

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never-prepared.db'}")
    entries = ((run_bot.main, ["--console"]), (run_notifier.main, ["--once"]), (manage.main, ["complaints", "list"]),
               (manage.main, ["status"]), (manage.main, ["web"]))
    for entry, argv in entries:
        assert entry(["--config", str(ROOT / "config.yaml"), *argv]) == 2, argv
        [line] = capsys.readouterr().err.strip().splitlines()
        assert "aduan db upgrade" in line, argv


def test_bad_config_exits_nonzero_from_every_entry_point(tmp_path: Path) -> None:
    broken = tmp_path / "config.yaml"
    broken.write_text("region: {name: X}\nagencies: []\n", encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}"}
    for entry in (["run_bot.py", "--console"], ["run_notifier.py", "--once"], ["manage.py", "config", "check"]):
        result = run([entry[0], "--config", str(broken), *entry[1:]], env)
        assert result.returncode == 2, entry
        assert "region.short_name" in result.stderr
