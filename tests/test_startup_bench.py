"""bench/startup.py's contract with bench/run_all.py: one JSON object naming every read-only command it
timed, each answered as it should (`status` may say 1: the demo week's queue has stuck rows), with its
figures against both floors (no time is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.run_all import startup_rows  # noqa: E402  (bench is not a package of the product)

READ_ONLY = {"complaints list", "complaints show", "status", "notifications list", "router classify"}


def run_bench() -> dict[str, object]:
    completed = subprocess.run([sys.executable, "bench/startup.py", "--runs", "1", "--json"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=240, check=False)
    assert completed.returncode == 0, completed.stderr
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def test_the_startup_bench_times_every_read_only_command_against_both_floors() -> None:
    result = run_bench()
    commands = result["commands"]
    assert isinstance(commands, dict)
    assert set(commands) == {"bare", "sqlalchemy", *READ_ONLY}
    for name in READ_ONLY:
        figure = commands[name]
        assert figure["ok"] is True, figure["exit_codes"]
        assert figure["command"].startswith("python manage.py ")
        assert isinstance(figure["meets_target"], bool)
        assert figure["median_seconds"] > 0 and figure["ratio_to_sqlalchemy"] > 0
    assert commands["complaints show"]["command"].split()[-1].startswith("BTL-")  # a code of the demo week
    rows = startup_rows(result, "`bench/startup.py --json`")
    assert len(rows) == len(READ_ONLY)
    assert all("≤ 0.5 s" in row.target for row in rows)
