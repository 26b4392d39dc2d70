"""Background jobs from the database: claimed with a lease, retried with backoff, given up with the error,
and never run by two workers at once."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.clock import FixedClock
from models.db import transaction
from models.jobs import claim_jobs, enqueue_job
from models.tables import Job
from notifier.jobs import LEASE, MAX_ATTEMPTS, JobRunner

KIND = "test.work"


def queue(sessions: sessionmaker[Session], clock: FixedClock, count: int = 1) -> None:
    with transaction(sessions) as session:
        for number in range(count):
            enqueue_job(session, KIND, {"n": number}, clock())


def jobs(sessions: sessionmaker[Session]) -> list[Job]:
    with sessions() as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def test_a_handled_job_is_done_once(sessions, clock) -> None:
    seen: list[dict[str, Any]] = []
    queue(sessions, clock, 3)
    runner = JobRunner(sessions, {KIND: seen.append}, "w1", clock)
    assert runner.run_pass().done == 3 and runner.run_pass().done == 0
    assert sorted(payload["n"] for payload in seen) == [0, 1, 2]
    assert {(job.status, job.attempts, job.lease_owner) for job in jobs(sessions)} == {("done", 1, None)}


def test_a_failing_job_is_retried_with_backoff_then_given_up_with_its_error(sessions, clock) -> None:
    def broken(payload: dict[str, Any]) -> None:
        raise ConnectionError("provider down")

    queue(sessions, clock)
    runner = JobRunner(sessions, {KIND: broken}, "w1", clock, random.Random(1))
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        assert runner.run_pass().retried == 1
        [job] = jobs(sessions)
        assert job.status == "queued" and "provider down" in (job.last_error or "")
        assert runner.run_pass().retried == 0  # not due before its backoff
        waits.append(job.run_after - clock())
        clock.set(job.run_after)
    assert runner.run_pass().failed == 1
    [job] = jobs(sessions)
    assert (job.status, job.attempts) == ("failed", MAX_ATTEMPTS) and job.finished_at == clock()
    assert all(later > earlier for earlier, later in zip(waits, waits[1:], strict=False))


def test_a_job_whose_worker_died_is_claimed_again_once_its_lease_has_run_out(sessions, clock) -> None:
    queue(sessions, clock)
    with transaction(sessions) as session:  # a worker claims it, then its process dies
        [claimed] = claim_jobs(session, {KIND}, "dead-worker", clock(), LEASE, 10)
    seen: list[dict[str, Any]] = []
    survivor = JobRunner(sessions, {KIND: seen.append}, "w2", clock)
    assert survivor.run_pass().done == 0 and not survivor.due()
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert survivor.run_pass().done == 1 and seen == [claimed.payload]
    [job] = jobs(sessions)
    assert (job.status, job.attempts) == ("done", 2)


def test_a_claimed_job_is_not_claimed_again_while_its_lease_runs(sessions, clock) -> None:
    queue(sessions, clock, 5)
    with transaction(sessions) as session:
        first = claim_jobs(session, {KIND}, "w1", clock(), LEASE, 3)
    with transaction(sessions) as session:
        second = claim_jobs(session, {KIND}, "w2", clock(), LEASE, 10)
    ids = [job.id for job in first + second]
    assert len(first) == 3 and len(ids) == len(set(ids)) == 5


@pytest.mark.parametrize("db_engine", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_two_workers_claiming_at_the_same_moment_on_postgresql_skip_each_others_jobs(sessions, clock) -> None:
    queue(sessions, clock, 5)
    with transaction(sessions) as first, transaction(sessions) as second:
        mine = claim_jobs(first, {KIND}, "w1", clock(), LEASE, 3)
        theirs = claim_jobs(second, {KIND}, "w2", clock(), LEASE, 10)  # SKIP LOCKED: the other two
    ids = [job.id for job in mine + theirs]
    assert (len(mine), len(theirs)) == (3, 2) and len(set(ids)) == 5


def test_a_lease_lost_to_another_worker_is_not_settled_by_the_first(sessions, clock) -> None:
    queue(sessions, clock)
    with transaction(sessions) as session:
        [slow] = claim_jobs(session, {KIND}, "slow", clock(), LEASE, 1)
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert JobRunner(sessions, {KIND: lambda payload: None}, "fast", clock).run_pass().done == 1
    from models.jobs import retry_job

    with transaction(sessions) as session:
        assert retry_job(session, slow.id, "slow", "late", clock() + timedelta(minutes=1)) is False
    assert jobs(sessions)[0].status == "done"


def test_jobs_of_kinds_nobody_handles_are_left_for_a_worker_that_does(sessions, clock) -> None:
    queue(sessions, clock)
    assert JobRunner(sessions, {"other.kind": lambda payload: None}, "w1", clock).run_pass().done == 0
    assert jobs(sessions)[0].status == "queued"
