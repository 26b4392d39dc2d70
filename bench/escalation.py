"""One escalation sweep: its cost per due complaint, against the raw SQL of the same writes, and against history.

    python bench/escalation.py [--due 10000] [--large 1000000] [--backends sqlite,postgresql] [--json]
    python bench/escalation.py --due 5000 --large 0 --profile 30      # cProfile of one sweep, top 30 entries
    python bench/escalation.py --due 5000 --large 0 --statements     # per batch: statements, commits, Python

For each backend (SQLite always; PostgreSQL in a private database when one answers on 127.0.0.1:5432 or
DATABASE_URL_TEST is set) it builds with bulk inserts databases holding the same `--due` overdue complaints:
three `small` copies and three floor copies hold nothing else, `large` holds them among `--large` rows of
history (closed complaints and open ones due later, each with its filing event). The due work is a
realistic morning: six in ten complaints not acknowledged (agency head, every contact), three in ten not
answered (regional head, sekda and inspectorate), one in ten due for a reminder (agency admin and head,
and the region).

It times one sweep on each `small` copy (the median counts) and on `large`, then reads back exactly what
the sweep wrote (audit events, outbox rows, the complaints' new level and trigger) and replays those rows
on the floor copies with prebuilt statements straight through the driver, one transaction per sweep batch,
in four forms (the driver's executemany; multi-row VALUES; the rows as one JSON document per statement; on
PostgreSQL, that document with each distinct JSON value sent once in a second one and each column that holds
one value in every row once in a third, as the sweep writes):
the fastest is the raw-SQL floor of the same writes, without deciding anything. It prints per due
complaint: the sweep, the floor, their ratio, and the ratio large/small (targets: <= 0.2 ms per due
complaint, <= 2x between the sizes).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# ruff: noqa: E402  (path set up above so the script runs from anywhere)
from sqlalchemy import event, func, insert, select
from sqlalchemy.dialects import postgresql

from bench.support import analyze, bulk_insert, postgres_admin_url, private_postgres_database, progress_printer
from models.config import Settings, load_settings
from models.db import transaction
from models.desk import calendar_for
from models.environment import Environment
from models.escalation import default_batch_size, sweep
from models.runtime import Database, prepare_database
from models.tables import Base, Complaint, ComplaintEvent, Notification, Reporter

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # Wednesday 08:00 WITA, office hours
LAST_STEP = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)  # Friday 08:00 WITA: a reminder falls due Tuesday 07:30
SLA = {"verify_days": 3, "ack_days": 1, "answer_days": 5, "reply_window_days": 10, "reminder_every_days": 2,
       "reminder_cap": 3, "emergency": False}
TEXTS = ("jalan berlubang di depan SDN 2 Marabahan sudah tiga bulan", "lampu jalan mati sepanjang jalan Tabat",
         "sampah menumpuk di pasar Handil Bakti", "air PDAM keruh dan berbau sejak minggu lalu")


# --- the data -----------------------------------------------------------------------------------


def due_kind(number: int) -> str:
    """head: not acknowledged; region: not answered; reminder: the region heard, still no answer."""
    return "head" if number % 10 < 6 else "region" if number % 10 < 9 else "reminder"


def complaint_row(number: int, is_due: bool, agencies: list[tuple[str, str]], reporter_id: int) -> dict[str, Any]:
    agency, category = agencies[number % len(agencies)]
    row: dict[str, Any] = {
        "code": f"BTL-{number:09d}", "kind": "pengaduan", "reporter_id": reporter_id, "channel": "whatsapp",
        "text": TEXTS[number % len(TEXTS)], "agency_code": agency, "category": category, "anonymous": number % 7 == 0,
        "confidential": False, "sla": SLA, "reopen_count": 0, "supporter_count": 0, "escalation_level": 0,
    }
    if is_due:
        kind = due_kind(number)
        filed = NOW - timedelta(days=2 if kind == "head" else 9 if kind == "region" else 14)
        row.update(status="dispatched" if kind == "head" else "in_progress",
                   escalation_level={"head": 0, "region": 1, "reminder": 2}[kind],
                   ack_due_at=NOW - timedelta(hours=8) if kind == "head" else filed + timedelta(days=1),
                   answer_due_at=NOW + timedelta(days=4) if kind == "head" else NOW - timedelta(hours=8 + 24 * (
                       kind == "reminder") * 3),
                   next_escalation_at=NOW - timedelta(minutes=30), closed_at=None)
    else:
        filed = NOW - timedelta(days=30 + number % 1500)
        open_later = number % 10 == 0  # a tenth of the history is still open but not due yet
        row.update(status="dispatched" if open_later else "closed", ack_due_at=NOW + timedelta(days=1),
                   answer_due_at=NOW + timedelta(days=4),
                   next_escalation_at=NOW + timedelta(days=1) if open_later else None,
                   closed_at=None if open_later else filed + timedelta(days=6))
    row.update(created_at=filed, updated_at=filed, dispatched_at=filed)
    return row


def event_rows(first_id: int, count: int, due: int) -> Iterator[dict[str, Any]]:
    """Each complaint's filing; the reminders' earlier escalation (the reminder counts from it)."""
    for number in range(count):
        filed = NOW - timedelta(days=2) if number < due else NOW - timedelta(days=30 + number % 1500)
        yield {"complaint_id": first_id + number, "at": filed, "actor_kind": "reporter", "actor_id": "1",
               "action": "file", "from_status": None, "to_status": "received", "note": None, "data": None}
        if number < due and due_kind(number) == "reminder":
            yield {"complaint_id": first_id + number, "at": LAST_STEP, "actor_kind": "system", "actor_id": "system",
                   "action": "escalate", "from_status": None, "to_status": None, "note": "ESKALASI",
                   "data": {"level": 2}}


def build(database: Database, settings: Settings, due: int, total: int) -> float:
    started = time.monotonic()
    with transaction(database.sessions) as session:
        reporter_id = session.execute(insert(Reporter).values(
            channel="whatsapp", provider_id="+628100000000", name="Warga Bench", created_at=NOW)
            .returning(Reporter.id)).scalar_one()
    agencies = [(a.code, a.category) for a in settings.agencies if a.kind == "regional"]
    rows = (complaint_row(n, n < due, agencies, reporter_id) for n in range(total))
    bulk_insert(database.engine, Complaint.__table__, rows)
    with database.sessions() as session:
        first_id = session.scalar(select(func.min(Complaint.id))) or 1
    bulk_insert(database.engine, ComplaintEvent.__table__, event_rows(first_id, total, due))
    if database.engine.dialect.name == "postgresql":
        analyze(database.engine)
    return time.monotonic() - started


# --- the measurement ------------------------------------------------------------------------------


def time_sweep(database: Database, settings: Settings, profile: int = 0,
               say: Callable[..., None] = print, statements: bool = False) -> dict[str, Any]:
    calendar = calendar_for(settings)
    calendar.next_office_moment(NOW)  # the holiday tables load once per process, not per sweep
    profiler = cProfile.Profile() if profile else None
    clock = StatementClock(database) if statements else None
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    report = sweep(database.sessions, settings, calendar, NOW)  # the database's own batch size
    if profiler:
        profiler.disable()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if profiler:
        say(top_entries(profiler, profile))
    if clock:
        clock.stop()
        say(clock.summary(elapsed))
    with database.sessions() as session:
        queued = session.scalar(select(func.count(Notification.id)))
        events = session.scalar(select(func.count(ComplaintEvent.id)).where(ComplaintEvent.action == "escalate"))
    # The process's CPU time moves less with other work on the machine than the wall clock (SQLite's work is
    # in it; PostgreSQL's server is not).
    return {"seconds": elapsed, "cpu_seconds": cpu, "escalated": report.escalated, "notifications": queued,
            "escalate_events": events}


class StatementClock:
    """Where one sweep's time goes, batch by batch: each statement's round trip (from the cursor's execute to
    its return; SQLite's rows are stepped in the fetch, inside the Python share), each commit, and the rest:
    the Python between the round trips."""

    def __init__(self, database: Database) -> None:
        self.engine, self.sessions = database.engine, database.sessions
        self.spent: dict[str, list[float]] = {}  # statement's first words -> [count, seconds]
        self.commits = [0, 0.0]
        self._started: dict[int, float] = {}  # per thread: two sweeps may share the engine
        self._committing: dict[int, float] = {}
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.sessions, "after_commit", self._committed)

    def stop(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.sessions, "after_commit", self._committed)

    def _before(self, *_: Any) -> None:
        self._started[threading.get_ident()] = time.perf_counter()

    def _after(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        kind = " ".join(statement.replace('"', "").split()[:3])[:60]
        entry = self.spent.setdefault(kind, [0, 0.0])
        entry[0] += 1
        entry[1] += time.perf_counter() - self._started[threading.get_ident()]

    def _commit(self, *_: Any) -> None:
        self._committing[threading.get_ident()] = time.perf_counter()

    def _committed(self, *_: Any) -> None:
        started = self._committing.pop(threading.get_ident(), 0.0)
        if started:
            self.commits[0] += 1
            self.commits[1] += time.perf_counter() - started

    def summary(self, elapsed: float) -> str:
        # Each batch ends with one UPDATE moving every claimed complaint's trigger.
        batches = max(1, self.spent.get("UPDATE complaints SET", [1])[0])
        in_statements = sum(seconds for _, seconds in self.spent.values())
        python = elapsed - in_statements - self.commits[1]
        size = default_batch_size(self.sessions)
        lines = [f"{batches} batches of {size}: {sum(c for c, _ in self.spent.values()) / batches:.1f} statements "
                 f"and {self.commits[0] / batches:.2f} commits per batch; of {elapsed * 1000:.0f} ms, statements "
                 f"{in_statements * 1000:.0f} ms, commits {self.commits[1] * 1000:.0f} ms, Python between the round "
                 f"trips {python * 1000:.0f} ms ({python * 1000 / batches:.1f} ms per batch)"]
        for kind, (count, seconds) in sorted(self.spent.items(), key=lambda item: -item[1][1]):
            lines.append(f"  {count:5d} x {kind:60s} {seconds * 1000:8.1f} ms")
        return "\n".join(lines)


def top_entries(profiler: cProfile.Profile, count: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(count)
    stats.sort_stats("cumulative").print_stats(count)
    return out.getvalue()


# --- the raw-SQL floor -----------------------------------------------------------------------------


def written_rows(database: Database) -> dict[str, Any]:
    """What the sweep wrote, as the driver returned it: replaying these values is the floor."""
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT complaint_id, at, actor_kind, actor_id, action, from_status, to_status, note, data "
                       "FROM complaint_events WHERE action = 'escalate' AND at = "
                       f"{placeholder(database)} ORDER BY id", (stored_instant(database, NOW),))
        events = cursor.fetchall()
        columns = [c.name for c in Notification.__table__.columns if c.name != "id"]
        cursor.execute(f"SELECT {', '.join(columns)} FROM notifications ORDER BY id")
        notifications = cursor.fetchall()
        cursor.execute("SELECT next_escalation_at, escalation_level, updated_at, id FROM complaints "
                       f"WHERE updated_at = {placeholder(database)} ORDER BY id", (stored_instant(database, NOW),))
        updates = cursor.fetchall()
    finally:
        raw.close()
    return {"events": events, "notifications": notifications, "notification_columns": columns, "updates": updates}


def placeholder(database: Database) -> str:
    return "%s" if database.engine.dialect.name == "postgresql" else "?"


def stored_instant(database: Database, instant: datetime) -> Any:
    naive = instant.astimezone(UTC).replace(tzinfo=None)
    return naive if database.engine.dialect.name == "postgresql" else naive.strftime("%Y-%m-%d %H:%M:%S.%f")


FLOOR_FORMS = ("executemany", "multirow", "document", "shared")
EVENT_COLUMNS = ["complaint_id", "at", "actor_kind", "actor_id", "action", "from_status", "to_status", "note", "data"]
UPDATE_COLUMNS = ["next_escalation_at", "escalation_level", "updated_at", "id"]


def time_floor(databases: dict[str, Database], written: dict[str, Any],
               batch: int) -> dict[str, tuple[float, float]]:
    """Replay the sweep's writes with prebuilt statements, one transaction per batch of complaints, on a fresh
    copy for each form: the driver's executemany; multi-row VALUES statements; the rows as one JSON
    document per statement; and (PostgreSQL) that document with each distinct JSON value and each constant
    column sent once. The
    fastest is the floor. Per form: (seconds, of which building the parameters)."""
    columns = {"events": EVENT_COLUMNS, "notifications": written["notification_columns"], "updates": UPDATE_COLUMNS}
    batches = split_batches(written, columns["notifications"].index("complaint_id"), batch)
    return {form: replay(databases[form], batches, columns, form) for form in FLOOR_FORMS}


def replay(database: Database, batches: list[dict[str, list[Any]]], columns: dict[str, list[str]],
           form: str) -> tuple[float, float]:
    """Returns (seconds, of which building the parameters). All statements are built first, then run: the
    build counts in the floor (the sweep encodes its rows too), and is reported apart."""
    postgres = database.engine.dialect.name == "postgresql"
    started = time.perf_counter()
    prepared = [[statement for name in ("events", "notifications", "updates") if batch[name]
                 for statement in statements(form, postgres, name, columns[name], batch[name])]
                for batch in batches]
    prepare_seconds = time.perf_counter() - started
    raw = database.engine.raw_connection()
    try:
        driver = raw.driver_connection
        cursor = driver.cursor()
        writing = time.perf_counter()  # after the connection's checkout, as before: that is no write
        for batch_statements in prepared:
            if not postgres:
                cursor.execute("BEGIN IMMEDIATE")
            for many, statement, parameters in batch_statements:
                (cursor.executemany if many else cursor.execute)(statement, parameters)
            if postgres:
                driver.commit()
            else:
                cursor.execute("COMMIT")
        return prepare_seconds + time.perf_counter() - writing, prepare_seconds
    finally:
        raw.close()


def statements(form: str, postgres: bool, name: str, columns: list[str],
               rows: list[tuple[Any, ...]]) -> list[tuple[bool, str, Any]]:
    """One table's rows of one batch in the given form: (executemany?, statement, parameters) to run."""
    if form == "shared":
        # The compiled type reads "JSON": compared in lower case, or nothing would be shared.
        json_columns = [position for position, column in enumerate(columns)
                        if postgres_type(name, column).lower() == "json"]
        if postgres and json_columns:
            return [shared_statement_and_parameters(name, columns, rows, json_columns)]
        form = "document"  # nothing to share: the same statement as the document form
    if form == "document":
        document = json.dumps([dict(zip(columns, (as_json(value) for value in row), strict=True)) for row in rows])
        return [(False, document_statement(postgres, name, columns), (document,))]
    flat = [tuple(json.dumps(v) if isinstance(v, dict | list) else v for v in row) for row in rows]
    if form == "executemany":
        return [(True, values_statement(postgres, name, columns, 1), flat)]
    size = 30_000 // len(columns)
    return [(False, values_statement(postgres, name, columns, len(chunk)), [value for row in chunk for value in row])
            for chunk in (flat[first:first + size] for first in range(0, len(flat), size))]


def shared_statement_and_parameters(name: str, columns: list[str], rows: list[tuple[Any, ...]],
                                    json_columns: list[int]) -> tuple[bool, str, Any]:
    """The document form as the sweep sends it on PostgreSQL (models/bulk.py): each distinct JSON value once
    (the rows carry its position in a second document, joined back by the server), and each column that
    holds one value in every row once, in a one-object document."""
    constant = [position for position in range(len(columns)) if position not in json_columns and len(rows) > 1
                and all(row[position] == rows[0][position] for row in rows)][:len(columns) - 1]
    varying = [position for position in range(len(columns)) if position not in constant]
    distinct: list[dict[str, int]] = [{} for _ in json_columns]
    documents: list[list[Any]] = [[] for _ in json_columns]
    replaced = []
    for row in rows:
        values = [as_json(value) for value in row]
        for slot, position in enumerate(json_columns):
            if values[position] is None:
                continue
            encoded = json.dumps(values[position])
            number = distinct[slot].get(encoded)
            if number is None:
                documents[slot].append(values[position])
                number = distinct[slot][encoded] = len(documents[slot])
            values[position] = number
        replaced.append({columns[position]: values[position] for position in varying})
    constants = {columns[position]: as_json(rows[0][position]) for position in constant}
    return (False, shared_statement(name, columns, [columns[p] for p in json_columns], list(constants)),
            [json.dumps(replaced), *(json.dumps(document) for document in documents), json.dumps(constants)])


def shared_statement(name: str, columns: list[str], shared: list[str], constant: list[str]) -> str:
    varying = [column for column in columns if column not in constant]
    quoted = ", ".join(f'"{column}"' for column in varying)
    spec = ", ".join(f'"{column}" {"integer" if column in shared else postgres_type(name, column)}'
                     for column in varying)
    chosen = ", ".join(f"s_{column}.value" if column in shared else f'c."{column}"' if column in constant
                       else f'x."{column}"' for column in columns)
    joins = " ".join(f"LEFT JOIN json_array_elements(%s::json) WITH ORDINALITY AS s_{column}(value, position) "
                     f'ON s_{column}.position = x."{column}"' for column in shared)
    constants = ", ".join(f'"{column}" {postgres_type(name, column)}' for column in constant) or '"none" text'
    source = (f"ROWS FROM (json_to_recordset(%s::json) AS ({spec})) WITH ORDINALITY AS x({quoted}, sent_position) "
              f"{joins} CROSS JOIN json_to_record(%s::json) AS c({constants})")
    conflict = " ON CONFLICT (dedup_key) DO NOTHING" if name == "notifications" else ""
    names = ", ".join(f'"{column}"' for column in columns)
    return f"INSERT INTO {TABLES[name]} ({names}) SELECT {chosen} FROM {source} ORDER BY x.sent_position{conflict}"


def as_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def values_statement(postgres: bool, name: str, columns: list[str], count: int) -> str:
    """n rows as VALUES: INSERTs, or an UPDATE ... FROM (VALUES ...) (PostgreSQL types the first row; both
    databases name the columns of a VALUES list column1, column2, ...)."""
    mark = "%s" if postgres else "?"
    plain = "(" + ", ".join([mark] * len(columns)) + ")"
    if name != "updates":
        conflict = " ON CONFLICT (dedup_key) DO NOTHING" if name == "notifications" else ""
        return (f"INSERT INTO {TABLES[name]} ({', '.join(columns)}) VALUES {', '.join([plain] * count)}"
                + conflict)
    first = (f"(CAST({mark} AS timestamp), CAST({mark} AS integer), CAST({mark} AS timestamp), "
             f"CAST({mark} AS integer))") if postgres else plain
    return ("UPDATE complaints SET next_escalation_at = v.column1, escalation_level = v.column2, "
            f"updated_at = v.column3 FROM (VALUES {', '.join([first] + [plain] * (count - 1))}) AS v "
            "WHERE complaints.id = v.column4")


TABLES = {"events": "complaint_events", "notifications": "notifications", "updates": "complaints"}


def postgres_type(name: str, column: str) -> str:
    """The column's own PostgreSQL type (json_to_recordset needs each one: text is not boolean or integer)."""
    return str(Base.metadata.tables[TABLES[name]].c[column].type.compile(dialect=postgresql.dialect()))


def document_statement(postgres: bool, name: str, columns: list[str]) -> str:
    """One statement whose rows arrive as one JSON array: json_to_recordset on PostgreSQL, json_each on SQLite."""
    if postgres:
        spec = ", ".join(f'"{column}" {postgres_type(name, column)}' for column in columns)
        source = f"json_to_recordset(%s::json) AS x({spec})"
    else:
        fields = ", ".join(f"json_extract(value, '$.{column}') AS \"{column}\"" for column in columns)
        source = f"(SELECT {fields} FROM json_each(?)) AS x"
    quoted = ", ".join(f'"{column}"' for column in columns)
    if name == "updates":
        return ("UPDATE complaints SET next_escalation_at = x.next_escalation_at, escalation_level = "
                f"x.escalation_level, updated_at = x.updated_at FROM {source} WHERE complaints.id = x.id")
    conflict = " ON CONFLICT (dedup_key) DO NOTHING" if name == "notifications" else ""
    return f"INSERT INTO {TABLES[name]} ({quoted}) SELECT {quoted} FROM {source} WHERE true{conflict}"


def split_batches(written: dict[str, Any], complaint_column: int, batch: int) -> list[dict[str, list[Any]]]:
    """The written rows grouped like the sweep's transactions: `batch` complaints each; messages about no
    complaint (bundles) with the last batch."""
    ids = sorted(row[-1] for row in written["updates"])
    batch_of = {complaint_id: position // batch for position, complaint_id in enumerate(ids)}
    count = max(1, -(-len(ids) // batch))
    batches: list[dict[str, list[Any]]] = [{"events": [], "notifications": [], "updates": []} for _ in range(count)]
    for row in written["events"]:
        batches[batch_of.get(row[0], count - 1)]["events"].append(row)
    for row in written["notifications"]:
        batches[batch_of.get(row[complaint_column], count - 1)]["notifications"].append(row)
    for row in written["updates"]:
        batches[batch_of[row[-1]]]["updates"].append(row)
    return batches


# --- one backend ----------------------------------------------------------------------------------


SMALL_RUNS = 3  # the small sweep is cheap to repeat on fresh copies: its median is the figure


def run_backend(name: str, urls: dict[str, str], settings: Settings, args: argparse.Namespace,
                say: Callable[..., None]) -> dict[str, Any]:
    databases = {label: prepare_database(settings, Environment.of({}), url) for label, url in urls.items()}
    smalls = [label for label in databases if label.startswith("small")]
    try:
        built = {label: build(databases[label], settings, args.due, args.due) for label in (*smalls, *FLOOR_FORMS)}
        settle(databases[smalls[-1]])
        runs = [time_sweep(databases[label], settings, args.profile if label == smalls[0] else 0, say,
                           args.statements and label == smalls[0]) for label in smalls]
        small = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
        per_due = small["seconds"] * 1000 / args.due
        say(f"{name}: sweep, {args.due:,} due among {args.due:,}: {small['seconds']:.2f} s ({per_due:.3f} ms per due "
            f"complaint, median of {len(runs)}: " + ", ".join(f"{run['seconds']:.2f}" for run in runs)
            + f" s; this process's CPU {small['cpu_seconds']:.2f} s), {small['escalate_events']:,} escalation events, "
            f"{small['notifications']:,} outbox rows")
        written = written_rows(databases[smalls[0]])
        batch = default_batch_size(databases[smalls[0]].sessions)
        timed = time_floor(databases, written, batch)
        forms = {form: seconds for form, (seconds, _) in timed.items()}
        fastest = min(forms, key=forms.__getitem__)
        floor, encoding = forms[fastest], timed[fastest][1]
        say(f"{name}: raw-SQL floor of the same writes: " + ", ".join(f"{form} {seconds:.3f} s" for form, seconds
                                                                       in forms.items())
            + f" ({floor * 1000 / args.due:.3f} ms per due complaint, of which building the {fastest} form's "
              f"parameters {encoding:.3f} s); sweep/floor {small['seconds'] / floor:.2f}")
        result: dict[str, Any] = {
            "batch": batch, "small_seconds": round(small["seconds"], 3),
            "small_runs": [round(run["seconds"], 3) for run in runs],
            "small_cpu_seconds": round(small["cpu_seconds"], 3),
            "floor_seconds": round(floor, 3), "floor_forms": {form: round(sec, 3) for form, sec in forms.items()},
            "floor_parameters_seconds": round(encoding, 3),
            "ms_per_due": round(per_due, 4), "floor_ms_per_due": round(floor * 1000 / args.due, 4),
            "floor_ratio": round(small["seconds"] / floor, 2), "escalate_events": small["escalate_events"],
            "notifications": small["notifications"],
        }
        if "large" in databases:
            built["large"] = build(databases["large"], settings, args.due, args.large)
            settle(databases["large"])
            large = time_sweep(databases["large"], settings, 0, say)
            same = (large["notifications"], large["escalate_events"]) == (small["notifications"],
                                                                         small["escalate_events"])
            say(f"{name}: sweep, {args.due:,} due among {args.large:,}: {large['seconds']:.2f} s; "
                f"ratio large/small {large['seconds'] / small['seconds']:.2f}{'' if same else ' (writes differ!)'}")
            result.update(large_seconds=round(large["seconds"], 3),
                          ratio=round(large["seconds"] / small["seconds"], 3), same_writes=same)
        say(f"{name}: built " + ", ".join(f"{label} in {seconds:.1f} s" for label, seconds in built.items()))
        result["build_seconds"] = {label: round(seconds, 1) for label, seconds in built.items()}
        return result
    finally:
        for database in databases.values():
            database.engine.dispose()


def settle(database: Database) -> None:
    """Write the bulk load's log out before timing, so the sweep does not pay for the build's checkpoint."""
    postgres = database.engine.dialect.name == "postgresql"
    raw = database.engine.raw_connection()
    try:
        if postgres:
            raw.driver_connection.autocommit = True  # SQLite's connections are in autocommit already
        raw.driver_connection.execute("CHECKPOINT" if postgres else "PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception as error:  # noqa: BLE001  (CHECKPOINT needs a superuser; without it the figure is noisier)
        print(f"note: no checkpoint before timing ({type(error).__name__}: {error})", file=sys.stderr)
    finally:
        if postgres:
            raw.driver_connection.autocommit = False
        raw.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000, help="0 skips the large database")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile the small sweep with cProfile and print its top N entries")
    parser.add_argument("--statements", action="store_true",
                        help="for the first small sweep: statements and commits per batch, time in each, and the "
                             "Python between the round trips")
    parser.add_argument("--json", action="store_true", help="print one JSON object (progress goes to stderr)")
    args = parser.parse_args()
    say = progress_printer(args.json)
    settings = load_settings(ROOT / "config.yaml")
    labels = [f"small{n}" for n in range(1, SMALL_RUNS + 1)] + [*FLOOR_FORMS] + (["large"] if args.large > args.due
                                                                                    else [])
    results: dict[str, Any] = {}
    with ExitStack() as stack:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                directory = Path(stack.enter_context(tempfile.TemporaryDirectory()))
                urls = {label: f"sqlite:///{directory / label}.db" for label in labels}
            else:
                admin = postgres_admin_url()
                if admin is None:
                    results[backend] = {"skipped": "no PostgreSQL reachable"}
                    continue
                urls = {label: stack.enter_context(private_postgres_database(admin, f"escalation_{label}"))
                        for label in labels}
            results[backend] = run_backend(backend, urls, settings, args, say)
            if backend == "sqlite":
                shutil.rmtree(directory, ignore_errors=True)
    if args.json:
        print(json.dumps({"due": args.due, "large": args.large, "backends": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
