"""The `aduan` command line as operators run it: read-only commands never wait for or take the writer
lock, and `aduan web` (the installed console script, as a process) is gunicorn with one /metrics for
all its workers."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from models.clock import FixedClock
from models.config import Settings
from models.db import transaction
from models.desk import Desk, NewComplaint, calendar_for
from models.environment import Environment
from models.runtime import prepare_database

ROOT = Path(__file__).resolve().parents[1]
ADUAN = str(Path(sys.executable).parent / "aduan")
CONFIG = str(ROOT / "config.yaml")
READ_ONLY = (["complaints", "list", "--json"], ["complaints", "show", "{code}", "--json"],
             ["notifications", "list", "--json"], ["report", "monthly", "--month", "2026-11", "--format", "json"],
             ["router", "report", "--json"], ["config", "check"])


@pytest.fixture
def prepared(tmp_path: Path, settings: Settings, sqlite_template: Path, clock: FixedClock) -> tuple[Path, str]:
    """A prepared SQLite file with one complaint; returns its path and the complaint's code."""
    path = tmp_path / "aduan.db"
    shutil.copy(sqlite_template, path)
    database = prepare_database(settings, Environment.of({}), f"sqlite:///{path}")
    with transaction(database.sessions) as session:
        desk = Desk(session, settings, calendar_for(settings), clock())
        reporter = desk.reporter_for("whatsapp", "+6281255550001", "Siti", "+6281255550001")
        code = desk.file(NewComplaint(reporter=reporter, text="jalan berlubang", channel="whatsapp",
                                      agency_code="PUPR"), dispatch=True).code
    database.engine.dispose()
    return path, code


@pytest.mark.timeout(60)
def test_read_only_commands_answer_while_a_writer_holds_the_database(
        prepared: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    path, code = prepared
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    # Another writer in the middle of a long write: the desk's writer lock (an flock conflicts with any other
    # open of the file, in this process too) and SQLite's own.
    lock = os.open(str(path) + ".writer-lock", os.O_RDWR | os.O_CREAT)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE complaints SET text = text")
        for command in READ_ONLY:
            # A command that wrote (migrations, the directory sync) would wait 30 s for the lock, then fail.
            started = time.monotonic()
            assert main(["--config", CONFIG, *(part.replace("{code}", code) for part in command)]) == 0, command
            assert time.monotonic() - started < 25, command
        assert main(["--config", CONFIG, "status", "--json"]) in (0, 1)
        assert '"depth"' in capsys.readouterr().out
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        os.close(lock)


# What a read-only command on SQLite has no use for: each cost its start tens of milliseconds (issue 17).
NOT_FOR_READING = ("pydantic_settings", "sqlalchemy.dialects.postgresql")
LOADED_BY = """
import sys
from bot.cli import main
status = main(sys.argv[1:])
print(" ".join(sorted(sys.modules)))
raise SystemExit(0 if status in (0, 1) else status)
"""


@pytest.mark.timeout(120)
def test_a_read_only_command_on_sqlite_loads_neither_pydantic_settings_nor_the_postgresql_dialect(
        prepared: tuple[Path, str]) -> None:
    path, code = prepared
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TWILIO_", "TELEGRAM_"))}
    env.update(DATABASE_URL=f"sqlite:///{path}", ADUAN_CONFIG=CONFIG)
    for command in (["complaints", "list"], ["complaints", "show", code], ["notifications", "list"], ["status"]):
        finished = subprocess.run([sys.executable, "-c", LOADED_BY, *command], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=60)
        assert finished.returncode == 0, finished.stderr
        modules = set(finished.stdout.splitlines()[-1].split())
        assert "sqlalchemy.orm" in modules and "sqlalchemy.dialects.sqlite" in modules, command
        assert not {name for name in modules if name.startswith(NOT_FOR_READING)}, command


def test_router_classify_runs_without_the_cyclic_collector_and_router_bench_with_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import bot.classifier
    from bot.cli import main

    collecting: dict[str, bool] = {}

    def record(argv: list[str]) -> int:
        collecting[argv[0]] = gc.isenabled()
        return 0

    monkeypatch.setattr(bot.classifier, "main", record)
    assert main(["router", "classify", "jalan rusak"]) == 0
    assert main(["router", "bench"]) == 0

    assert collecting == {"classify": False, "bench": True}
    assert gc.isenabled()


def test_a_short_lived_command_gives_the_collector_back_when_it_fails() -> None:
    import gc

    from bot.cli.common import short_lived

    @short_lived
    def failing() -> None:
        assert not gc.isenabled()
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        failing()
    assert gc.isenabled()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def web(prepared: tuple[Path, str], tmp_path: Path) -> Iterator[str]:
    """`aduan web` with two gunicorn workers on a free loopback port; stopped with SIGTERM."""
    path, _ = prepared
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PROMETHEUS_", "TWILIO_",
                                                                                  "TELEGRAM_"))}
    env.update(DATABASE_URL=f"sqlite:///{path}", SECRET_KEY="cli-test-secret-5b2e8d1f4a7c9036e2b4d8f1")
    with (tmp_path / "web.log").open("wb") as log:
        process = subprocess.Popen([ADUAN, "--config", CONFIG, "web", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not _answers(base):
            assert process.poll() is None, (tmp_path / "web.log").read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "aduan web never answered /livez"
            time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0, (tmp_path / "web.log").read_text(errors="replace")[-3000:]


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/livez", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def served_requests(base: str, blueprint: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "aduan_http_request_seconds_count" and sample.labels.get("blueprint") == blueprint)


@pytest.mark.timeout(180)
def test_aduan_web_is_gunicorn_and_every_scrape_counts_the_requests_of_every_worker(web: str) -> None:
    livez = httpx.get(f"{web}/livez", timeout=10)
    assert livez.headers["server"].startswith("gunicorn")
    before = served_requests(web, "app")
    for _ in range(40):  # a new connection each: the workers take turns accepting them
        httpx.get(f"{web}/livez", timeout=10)
    scrapes = {served_requests(web, "app") for _ in range(8)}
    assert scrapes == {before + 40}
