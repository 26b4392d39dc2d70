"""Helpers shared by the benchmark scripts: bulk loading, private PostgreSQL databases, process memory.

Nothing here is used by the product. Bulk loading goes around the ORM: SQLAlchemy Core executemany in
chunks on SQLite, COPY on PostgreSQL, so a million complaints load in about a minute.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import socket
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, FromClause, Table, create_engine, text

CHUNK = 50_000


# --- bulk loading -----------------------------------------------------------------------------


def bulk_insert(engine: Engine, table: FromClause, rows: Iterable[dict[str, Any]]) -> int:
    """Insert dict rows (all with the same keys) into a model's table (`Complaint.__table__`) as fast as
    the backend allows; returns the row count."""
    target = cast(Table, table)
    if engine.dialect.name == "postgresql":
        return _copy_rows(engine, target, rows)
    return _executemany_rows(engine, target, rows)


def _chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _executemany_rows(engine: Engine, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    for chunk in _chunks(rows):
        with engine.begin() as connection:
            connection.execute(table.insert(), chunk)
        count += len(chunk)
    return count


def _copy_rows(engine: Engine, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """COPY … FROM STDIN through psycopg; values are converted the way the column types would bind them."""
    count = 0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        columns: list[str] | None = None
        for chunk in _chunks(rows):
            columns = columns or list(chunk[0])
            statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(statement) as copy:
                for row in chunk:
                    copy.write_row([_copy_value(row[name]) for name in columns])
            count += len(chunk)
        raw.commit()
    finally:
        raw.close()
    return count


def _copy_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)  # the schema stores naive UTC (UTCDateTime)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def analyze(engine: Engine) -> None:
    """Fresh planner statistics after a bulk load, as autovacuum / a DBA would have them."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


# --- PostgreSQL -------------------------------------------------------------------------------


def postgres_admin_url() -> str | None:
    """DATABASE_URL_TEST, else the local test server when it answers on 127.0.0.1:5432, else None."""
    url = os.environ.get("DATABASE_URL_TEST")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    except OSError:
        return None


@contextlib.contextmanager
def private_postgres_database(admin_url: str, label: str) -> Iterator[str]:
    """A new database for this run only (dropped afterwards, even on failure); yields its URL."""
    name = f"bench_{label}_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def server_version(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar_one()).split()[0]
    finally:
        engine.dispose()


# --- process memory ---------------------------------------------------------------------------


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM (peak resident set) of a running process in MB, or None when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def child_pids(pid: int) -> list[int]:
    """Direct children of a process (e.g. gunicorn's workers), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == pid:
                children.append(int(entry.name))
    return sorted(children)


# A child started straight from a big process inherits that process's peak in its own ru_maxrss:
# subprocess starts children with vfork, and exec folds the borrowed memory's high-water mark into
# the child's maximum. This launcher is a bare interpreter (-S, a few MB) that really forks, execs the
# command in the fresh child and writes "<exit code> <ru_maxrss KB>" of that child to the file argv[1].
LAUNCHER = """
import os, sys
report, command = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.execvp(command[0], command)
_, status, usage = os.wait4(pid, 0)
code = os.waitstatus_to_exitcode(status)
with open(report, "w") as out:
    out.write(f"{code} {usage.ru_maxrss}")
sys.exit(code)
"""


def measured_command(command: list[str], report: Path) -> list[str]:
    """`command` wrapped so that its own peak RSS (and exit code) end up in the file `report`."""
    return [sys.executable, "-S", "-c", LAUNCHER, str(report), *command]


def read_measured(report: Path) -> tuple[int, float]:
    """(exit code, peak RSS in MB) written by the launcher; ru_maxrss is in KB on Linux."""
    code, kilobytes = report.read_text().split()
    return int(code), int(kilobytes) / 1024


def progress_printer(json_output: bool) -> Callable[..., None]:
    """print to stdout, or to stderr when the script's stdout is reserved for one JSON object (--json)."""
    return functools.partial(print, file=sys.stderr, flush=True) if json_output else print
