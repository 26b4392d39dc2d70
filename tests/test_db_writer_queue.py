"""SQLite writers queue on a file lock: released on commit, rollback and pool return; never lost."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from models.db import WriterQueue, make_engine, make_session_factory, transaction, upgrade_schema
from models.tables import AppState


def engines(tmp_path: Path, count: int):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    first = make_engine(url)
    upgrade_schema(first)
    return [first, *[make_engine(url) for _ in range(count - 1)]]


def test_a_session_closed_without_commit_releases_the_writer_lock(tmp_path: Path) -> None:
    first, second = engines(tmp_path, 2)
    with make_session_factory(first)() as session:
        session.scalar(select(func.count(AppState.key)))  # begins a transaction, never committed
    queue_wait = WriterQueue(Path(str(tmp_path / "queue.db") + ".writer-lock"), timeout_seconds=2.0)
    assert queue_wait.lock_path.exists()
    with transaction(make_session_factory(second)) as session:
        session.add(AppState(key="k", value="v", updated_at=datetime.now(UTC)))


def test_concurrent_writers_from_two_engines_lose_nothing(tmp_path: Path) -> None:
    all_engines = engines(tmp_path, 2)

    def write(writer: int) -> None:
        factory = make_session_factory(all_engines[writer % 2])
        for number in range(50):
            with transaction(factory) as session:
                session.add(AppState(key=f"{writer}-{number}", value="x", updated_at=datetime.now(UTC)))

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with make_session_factory(all_engines[0])() as session:
        assert session.scalar(select(func.count(AppState.key))) == 200
