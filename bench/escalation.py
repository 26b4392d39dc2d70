"""One escalation sweep: does its cost follow the due work or the size of the table?

    python bench/escalation.py [--due 10000] [--large 1000000] [--json]

Builds two SQLite files (temp dir) with bulk SQL: one holding only the due complaints, one holding the
same due complaints among `--large` rows (the rest closed or due later). Times one sweep on each and
prints the ratio large/small (target <= 2: the sweep reads due rows through ix_complaints_next_escalation).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# ruff: noqa: E402  (path set up above so the script runs from anywhere)
from sqlalchemy import func, insert, select

from bench.support import progress_printer
from models.config import load_settings
from models.db import transaction
from models.desk import calendar_for
from models.environment import Environment
from models.escalation import sweep
from models.runtime import prepare_database
from models.tables import Complaint, Notification, Reporter

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # Wednesday 08:00 WITA, office hours
SLA = {"verify_days": 3, "ack_days": 1, "answer_days": 5, "reply_window_days": 10, "reminder_every_days": 2,
       "reminder_cap": 3, "emergency": False}
CHUNK = 50_000


def build(path: Path, due: int, total: int) -> tuple[object, float]:
    settings = load_settings(ROOT / "config.yaml")
    database = prepare_database(settings, Environment.of({}), f"sqlite:///{path}")
    started = time.monotonic()
    with transaction(database.sessions) as session:
        reporter_id = session.execute(insert(Reporter).values(
            channel="whatsapp", provider_id="+628100000000", created_at=NOW).returning(Reporter.id)).scalar_one()
    for first in range(0, total, CHUNK):
        rows = [_row(n, n < due, reporter_id) for n in range(first, min(total, first + CHUNK))]
        with transaction(database.sessions) as session:
            session.execute(Complaint.__table__.insert(), rows)
    return database, time.monotonic() - started


def _row(n: int, is_due: bool, reporter_id: int) -> dict[str, object]:
    filed = NOW - timedelta(days=2 if is_due else 30 + n % 300)
    open_later = n % 10 == 0  # a tenth of the history is still open but not due yet
    return {
        "code": f"BTL-{n:09d}", "kind": "pengaduan", "reporter_id": reporter_id, "channel": "whatsapp",
        "status": "dispatched" if is_due or open_later else "closed", "text": "jalan berlubang",
        "agency_code": "PUPR", "category": "Infrastruktur", "anonymous": False, "confidential": False,
        "created_at": filed, "updated_at": filed, "dispatched_at": filed, "sla": SLA, "escalation_level": 0,
        "ack_due_at": NOW - timedelta(hours=8) if is_due else NOW + timedelta(days=1),
        "answer_due_at": NOW + timedelta(days=4), "reopen_count": 0, "supporter_count": 0,
        "next_escalation_at": (NOW - timedelta(minutes=30) if is_due
                               else NOW + timedelta(days=1) if open_later else None),
    }


def time_sweep(database: object, label: str, say: Callable[..., None] = print) -> float:
    settings = load_settings(ROOT / "config.yaml")
    started = time.monotonic()
    report = sweep(database.sessions, settings, calendar_for(settings), NOW)  # type: ignore[attr-defined]
    elapsed = time.monotonic() - started
    with database.sessions() as session:  # type: ignore[attr-defined]
        queued = session.scalar(select(func.count(Notification.id)))
    say(f"{label}: escalated {report.escalated}, queued {queued} notifications in {elapsed:.2f} s")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object (progress goes to stderr)")
    args = parser.parse_args()
    say = progress_printer(args.json)
    with tempfile.TemporaryDirectory() as directory:
        small, built_small = build(Path(directory) / "small.db", args.due, args.due)
        large, built_large = build(Path(directory) / "large.db", args.due, args.large)
        say(f"built {args.due:,} rows in {built_small:.1f} s and {args.large:,} rows in {built_large:.1f} s")
        baseline = time_sweep(small, f"sweep, {args.due:,} due among {args.due:,}", say)
        measured = time_sweep(large, f"sweep, {args.due:,} due among {args.large:,}", say)
    say(f"ratio large/small: {measured / baseline:.2f} (target <= 2)")
    if args.json:
        print(json.dumps({"due": args.due, "large": args.large, "small_seconds": round(baseline, 3),
                          "large_seconds": round(measured, 3), "ratio": round(measured / baseline, 3),
                          "build_seconds": {"small": round(built_small, 1), "large": round(built_large, 1)}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
