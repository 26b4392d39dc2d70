"""Process start of the read-only commands, against a bare interpreter and the SQLAlchemy import floor.

    python bench/startup.py [--runs 15] [--root PATH] [--json]

Issue 17: a read-only command (`manage.py complaints list`, `complaints show CODE`, `status`,
`notifications list`, `router classify`) starts, answers and exits in <= 0.5 s. The script prepares one
SQLite database in a temporary directory (`manage.py db upgrade` with the shipped config.yaml copied
there, then `manage.py demo` for a week of complaints), then runs every command below once per round,
round after round, so that a change in the machine's load touches all of them alike:

- `python -c pass`: the bare interpreter, the floor of any process;
- `python -c "import sqlalchemy.orm"`: the floor of any command that reads the database;
- each read-only command as an operator types it, from the project's directory.

Prints the median wall time of each, its ratio to both floors and whether it meets 0.5 s, and the median
CPU time of the child (user + system), which moves less with the load when comparing two checkouts. The channel
secrets are removed from the children's environment. `run_notifier.py --once` is not among them: it
delivers the outbox, escalates and sends digests (it writes). `--root` times another checkout's
manage.py (the "before" of a change) with this interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import progress_printer  # noqa: E402  (path set up above so the script runs from anywhere)

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
TARGET_SECONDS = 0.5
SECRET_PREFIXES = ("TELEGRAM_", "TWILIO_", "SMTP_", "OPEN311_", "LAPOR_")
# `status` exits 1 when rows are stuck, which the demo week's queue is (no notifier has run): still a full read.
ACCEPTED_EXIT_CODES = {"status": {0, 1}}
BARE = "bare"
FLOOR = "sqlalchemy"


def child_environment(directory: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(SECRET_PREFIXES)}
    env.update(DATABASE_URL=f"sqlite:///{directory}/desk.db", ADUAN_CONFIG=str(directory / "config.yaml"))
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def prepare(root: Path, directory: Path, env: dict[str, str]) -> str:
    """The schema, the directory and a week of demo complaints; returns one complaint's code."""
    shutil.copy(root / "config.yaml", directory / "config.yaml")
    for step in (["db", "upgrade"], ["demo"]):
        subprocess.run([PYTHON, str(root / "manage.py"), *step], cwd=root, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    listed = subprocess.run([PYTHON, str(root / "manage.py"), "complaints", "list", "--json"], cwd=root, env=env,
                            check=True, capture_output=True, text=True)
    return str(json.loads(listed.stdout)[0]["code"])


def commands(code: str) -> dict[str, list[str]]:
    """Name -> arguments after the interpreter, as typed in the project's directory."""
    return {
        BARE: ["-c", "pass"],
        FLOOR: ["-c", "import sqlalchemy.orm"],
        "complaints list": ["manage.py", "complaints", "list"],
        "complaints show": ["manage.py", "complaints", "show", code],
        "status": ["manage.py", "status"],
        "notifications list": ["manage.py", "notifications", "list"],
        "router classify": ["manage.py", "router", "classify", "jalan rusak di depan sdn 2 marabahan"],
    }


def timed_run(arguments: list[str], root: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, of the child alone) and exit code of one run."""
    cpu_before = children_cpu_seconds()
    started = time.perf_counter()
    finished = subprocess.run([PYTHON, *arguments], cwd=root, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started, children_cpu_seconds() - cpu_before, finished.returncode


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(root: Path, runs: int, say: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as name:
        directory = Path(name)
        env = child_environment(directory)
        code = prepare(root, directory, env)
        planned = commands(code)
        seconds: dict[str, list[float]] = {command: [] for command in planned}
        cpu: dict[str, list[float]] = {command: [] for command in planned}
        exits: dict[str, set[int]] = {command: set() for command in planned}
        for round_number in range(runs):
            for command, arguments in planned.items():
                elapsed, cpu_seconds, exit_code = timed_run(arguments, root, env)
                seconds[command].append(elapsed)
                cpu[command].append(cpu_seconds)
                exits[command].add(exit_code)
            say(f"round {round_number + 1}/{runs}: " + ", ".join(f"{c} {s[-1]:.3f} s" for c, s in seconds.items()))
    return summarize(planned, seconds, cpu, exits)


def summarize(planned: dict[str, list[str]], seconds: dict[str, list[float]], cpu: dict[str, list[float]],
              exits: dict[str, set[int]]) -> dict[str, Any]:
    bare, floor = statistics.median(seconds[BARE]), statistics.median(seconds[FLOOR])
    figures: dict[str, Any] = {}
    for command, arguments in planned.items():
        median = statistics.median(seconds[command])
        figures[command] = {
            "command": " ".join(["python", *arguments]),
            "median_seconds": round(median, 4),
            "min_seconds": round(min(seconds[command]), 4),
            "max_seconds": round(max(seconds[command]), 4),
            "median_cpu_seconds": round(statistics.median(cpu[command]), 4),
            "ratio_to_bare": round(median / bare, 2),
            "ratio_to_sqlalchemy": round(median / floor, 2),
            "exit_codes": sorted(exits[command]),
            "ok": exits[command] <= ACCEPTED_EXIT_CODES.get(command, {0}),
        }
        if command not in (BARE, FLOOR):
            figures[command]["meets_target"] = median <= TARGET_SECONDS and figures[command]["ok"]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="rounds; each runs every command once")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose manage.py is timed")
    parser.add_argument("--json", action="store_true", help="one JSON object as the last stdout line")
    args = parser.parse_args(argv)
    say = progress_printer(args.json)
    load_before = os.getloadavg()
    figures = measure(args.root.resolve(), max(args.runs, 1), say)
    result = {"runs": max(args.runs, 1), "target_seconds": TARGET_SECONDS, "commands": figures,
              "load_before": [round(value, 2) for value in load_before],
              "load_after": [round(value, 2) for value in os.getloadavg()]}
    for command, figure in figures.items():
        verdict = "" if "meets_target" not in figure else ("  <= 0.5 s" if figure["meets_target"] else "  MISSED")
        say(f"{command:<20} median {figure['median_seconds']:.3f} s, CPU {figure['median_cpu_seconds']:.3f} s  "
            f"({figure['ratio_to_bare']:.1f}x bare, {figure['ratio_to_sqlalchemy']:.2f}x sqlalchemy.orm){verdict}")
    say(f"load average before {result['load_before']}, after {result['load_after']}")
    if args.json:
        print(json.dumps(result))
    return 0 if all(figure["ok"] for figure in figures.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
