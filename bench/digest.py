"""The regional head's morning digest and the monthly recap: does their cost follow the work or the history?

    python bench/digest.py [--work 10000] [--large 1000000] [--repeat 3] [--no-postgres] [--json]

Builds two databases with bulk inserts (executemany on SQLite, COPY on PostgreSQL): one holding only
`--work` recent complaints (filed over the last 40 days: 30 % still open, the rest answered, closed,
rejected or forwarded), one holding the same recent complaints among `--large` rows, the others being
five years of finished history. Both therefore owe the same digest and the same recap, and the script
checks that they produce identical ones. It then times what the notifier's `daily` job computes at
07:00 on the first working day of a month (`queue_digests`: one digest per recipient role,
models/digests.py; `queue_monthly_recap`: last month's recap), each in a transaction rolled back afterwards, and
prints the ratio large/small (target <= 2). Runs on SQLite, then on PostgreSQL in a private database
when one answers on 127.0.0.1:5432 (or DATABASE_URL_TEST is set).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# ruff: noqa: E402  (path set up above so the script runs from anywhere)
from sqlalchemy import insert

from bench.support import analyze, bulk_insert, postgres_admin_url, private_postgres_database, progress_printer
from models.config import Settings, load_settings
from models.db import transaction
from models.desk import calendar_for
from models.environment import Environment
from models.reports import digest, first_working_day, monthly_recap, queue_digests, queue_monthly_recap
from models.runtime import Database, prepare_database
from models.tables import Complaint, Reporter
from models.workdays import WorkingCalendar

ROOT = Path(__file__).resolve().parents[1]
RECENT_DAYS = 40
HISTORY_YEARS = 5
# One complaint in twenty of each kind: 30 % open, then answered, closed, rejected, forwarded.
RECENT_STATUSES = (["received"] * 1 + ["dispatched"] * 2 + ["in_progress"] * 2 + ["coordinating"] * 1
                   + ["answered"] * 4 + ["closed"] * 8 + ["rejected"] * 1 + ["forwarded"] * 1)
HISTORY_STATUSES = ["closed"] * 17 + ["rejected"] * 2 + ["forwarded"] * 1
SLA = {"verify_days": 3, "ack_days": 1, "answer_days": 5, "reply_window_days": 10, "reminder_every_days": 2,
       "reminder_cap": 3, "emergency": False}


# --- the data -----------------------------------------------------------------------------------


def daily_job_instant(settings: Settings, calendar: WorkingCalendar, month: date) -> datetime:
    """07:00 local (the digest time) on the first working day of `month`: digests and recap are both due."""
    day = first_working_day(calendar, month.year, month.month)
    local = datetime.combine(day, settings.notifier.digest_time, calendar.zone)
    return local.astimezone(UTC)


def complaint_rows(first: int, last: int, work: int, agencies: list[tuple[str, str]], reporter_id: int,
                   now: datetime) -> Iterator[dict[str, Any]]:
    for number in range(first, last):
        yield complaint_row(number, number < work, agencies, reporter_id, now)


def complaint_row(number: int, recent: bool, agencies: list[tuple[str, str]], reporter_id: int,
                  now: datetime) -> dict[str, Any]:
    if recent:
        created = now - timedelta(minutes=1 + (number * 577) % (RECENT_DAYS * 24 * 60))
        status = RECENT_STATUSES[number % len(RECENT_STATUSES)]
    else:
        age_minutes = (number * 131) % (HISTORY_YEARS * 365 * 24 * 60)
        created = now - timedelta(days=RECENT_DAYS + 5, minutes=age_minutes)
        status = HISTORY_STATUSES[number % len(HISTORY_STATUSES)]
    agency, category = agencies[number % len(agencies)]
    in_triage = status == "received"
    return {
        "code": f"BNC-{number:09d}", "kind": "pengaduan", "status": status, "text": "jalan berlubang",
        "category": None if in_triage else category, "agency_code": None if in_triage else agency,
        "reporter_id": reporter_id, "channel": "whatsapp", "anonymous": False, "confidential": False,
        "created_at": created, "updated_at": created, "sla": None if in_triage else SLA,
        "escalation_level": 0, "reopen_count": 0, "supporter_count": 0,
        **lifecycle_times(number, status, created, now),
    }


def lifecycle_times(number: int, status: str, created: datetime, now: datetime) -> dict[str, Any]:
    """Dispatch, acknowledgement, answer and closing instants consistent with the status (never after now)."""
    if status == "received":
        return {"dispatched_at": None, "acknowledged_at": None, "answered_at": None, "closed_at": None,
                "answer_due_at": None, "satisfied": None, "rating": None,
                "verify_due_at": created + timedelta(days=3)}
    dispatched = created + timedelta(hours=2)
    progressed = status not in ("dispatched", "forwarded")
    answered = status in ("answered", "closed")
    finished = status in ("closed", "rejected", "forwarded")
    return {
        "dispatched_at": min(dispatched, now),
        "acknowledged_at": min(dispatched + timedelta(hours=1 + number % 47), now) if progressed else None,
        "answered_at": min(dispatched + timedelta(hours=6 + number % 230), now) if answered else None,
        "closed_at": min(dispatched + timedelta(days=12), now) if finished else None,
        "answer_due_at": dispatched + timedelta(days=7),
        "satisfied": (number % 3 != 0) if status == "closed" else None,
        "rating": 1 + number % 5 if status == "closed" else None,
        "verify_due_at": None,
    }


def build(database: Database, settings: Settings, work: int, total: int, now: datetime) -> float:
    started = time.monotonic()
    with transaction(database.sessions) as session:
        reporter_id = session.execute(insert(Reporter).values(
            channel="whatsapp", provider_id="+628100000001", created_at=now).returning(Reporter.id)).scalar_one()
    agencies = [(agency.code, agency.category) for agency in settings.agencies]
    bulk_insert(database.engine, Complaint.__table__, complaint_rows(0, total, work, agencies, reporter_id, now))
    if database.engine.dialect.name == "postgresql":
        analyze(database.engine)
    return time.monotonic() - started


# --- the measurement ------------------------------------------------------------------------------


def time_daily_job(database: Database, settings: Settings, calendar: WorkingCalendar,
                   now: datetime) -> dict[str, Any]:
    """Seconds for the digests and for the recap, in one transaction that is rolled back (repeatable)."""
    with database.sessions() as session:
        started = time.perf_counter()
        digests = queue_digests(session, settings, calendar, now)
        digested = time.perf_counter()
        recaps = queue_monthly_recap(session, settings, calendar, now)
        finished = time.perf_counter()
        session.rollback()
    return {"digest_seconds": digested - started, "recap_seconds": finished - digested,
            "queued_digests": digests, "queued_recap": recaps}


def report_contents(database: Database, calendar: WorkingCalendar, now: datetime) -> tuple[Any, Any]:
    """What the region's digest and last month's recap say, to check both databases owe the same work."""
    previous_month = (calendar.local_date(now).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    with database.sessions() as session:
        return digest(session, calendar, now), monthly_recap(session, calendar, previous_month)


def measure_pair(small: Database, large: Database, settings: Settings, now: datetime,
                 repeat: int) -> dict[str, Any]:
    calendar = calendar_for(settings)
    samples: dict[str, list[dict[str, Any]]] = {"small": [], "large": []}
    for database in (small, large):
        time_daily_job(database, settings, calendar, now)  # warm-up: imports, statement caches
    for _ in range(repeat):
        for label, database in (("small", small), ("large", large)):  # interleaved: load hits both alike
            samples[label].append(time_daily_job(database, settings, calendar, now))
    result: dict[str, Any] = {label: _medians(runs) for label, runs in samples.items()}
    for figure in ("digest_seconds", "recap_seconds", "daily_seconds"):
        result[figure.replace("_seconds", "_ratio")] = round(result["large"][figure] / result["small"][figure], 3)
    result["same_output"] = report_contents(small, calendar, now) == report_contents(large, calendar, now)
    return result


def _medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    digest_seconds = statistics.median(run["digest_seconds"] for run in runs)
    recap_seconds = statistics.median(run["recap_seconds"] for run in runs)
    daily_seconds = statistics.median(run["digest_seconds"] + run["recap_seconds"] for run in runs)
    return {"digest_seconds": round(digest_seconds, 4), "recap_seconds": round(recap_seconds, 4),
            "daily_seconds": round(daily_seconds, 4), "queued_digests": runs[-1]["queued_digests"],
            "queued_recap": runs[-1]["queued_recap"]}


def bench_backend(urls: tuple[str, str], args: argparse.Namespace, say: Callable[..., None]) -> dict[str, Any]:
    settings = load_settings(ROOT / "config.yaml")
    calendar = calendar_for(settings)
    now = daily_job_instant(settings, calendar, date(2026, 12, 1))
    small, large = (prepare_database(settings, Environment.of({}), url) for url in urls)
    try:
        built_small = build(small, settings, args.work, args.work, now)
        built_large = build(large, settings, args.work, args.large, now)
        say(f"  built {args.work:,} rows in {built_small:.1f} s and {args.large:,} rows in {built_large:.1f} s")
        result = measure_pair(small, large, settings, now, args.repeat)
    finally:
        small.engine.dispose()
        large.engine.dispose()
    result["build_seconds"] = {"small": round(built_small, 1), "large": round(built_large, 1)}
    result["now"] = now.isoformat()
    for label, size in (("small", args.work), ("large", args.large)):
        figures = result[label]
        say(f"  {size:>9,} complaints: digests {figures['digest_seconds'] * 1000:8.1f} ms "
            f"({figures['queued_digests']} queued), recap {figures['recap_seconds'] * 1000:8.1f} ms "
            f"({figures['queued_recap']} queued)")
    say(f"  ratio large/small: digests {result['digest_ratio']:.2f}, recap {result['recap_ratio']:.2f}, "
        f"daily job {result['daily_ratio']:.2f} (target <= 2); identical output: {result['same_output']}")
    return result


def run_sqlite(args: argparse.Namespace, say: Callable[..., None]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-digest-") as directory:
        urls = (f"sqlite:///{directory}/small.db", f"sqlite:///{directory}/large.db")
        return bench_backend(urls, args, say)


def run_postgres(args: argparse.Namespace, say: Callable[..., None]) -> dict[str, Any]:
    admin = postgres_admin_url()
    if args.no_postgres or admin is None:
        return {"skipped": "no PostgreSQL" if admin is None else "--no-postgres"}
    with ExitStack() as stack:
        urls = (stack.enter_context(private_postgres_database(admin, "digest_small")),
                stack.enter_context(private_postgres_database(admin, "digest_large")))
        return bench_backend(urls, args, say)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=int, default=10_000, help="recent complaints (the small database)")
    parser.add_argument("--large", type=int, default=1_000_000, help="complaints in the large database")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per database (median)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object (progress goes to stderr)")
    args = parser.parse_args()
    say = progress_printer(args.json)
    report: dict[str, Any] = {"work": args.work, "large": args.large, "repeat": args.repeat, "backends": {}}
    for name, run in (("sqlite", run_sqlite), ("postgresql", run_postgres)):
        say(f"{name}:")
        report["backends"][name] = run(args, say)
        if "skipped" in report["backends"][name]:
            say(f"  skipped: {report['backends'][name]['skipped']}")
    if args.json:
        print(json.dumps(report))
    return 0 if all(result.get("same_output", True) for result in report["backends"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
