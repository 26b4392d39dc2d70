"""Background work kept in the database: queue a job in any transaction, claim due jobs with a lease.

Claiming works like the outbox's: SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, and on SQLite (whose
writers are serialised by BEGIN IMMEDIATE) a conditional UPDATE that only takes rows still due. A job
whose worker dies keeps its lease until `lease_until` and is then due again, so nothing in flight is
lost; a job that fails is queued again later or, after its last attempt, marked failed with the error.
Time is a parameter: every function takes `now`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from models.tables import Job


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


def enqueue_job(session: Session, kind: str, payload: dict[str, Any], now: datetime) -> None:
    """Queue a job in the caller's transaction; it is due at once."""
    session.add(Job(kind=kind, payload=payload, status=JobStatus.QUEUED.value, attempts=0, run_after=now,
                    created_at=now))
    session.flush()


def claim_jobs(session: Session, kinds: Collection[str], owner: str, now: datetime, lease: timedelta,
               limit: int) -> list[ClaimedJob]:
    """Take up to `limit` due jobs of these kinds for `owner` until now + lease, in the caller's transaction."""
    query = select(Job.id).where(Job.kind.in_(list(kinds)), _due(now)).order_by(Job.run_after, Job.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if not ids:
        return []
    claimed = session.scalars(
        update(Job).where(Job.id.in_(ids), _due(now))
        .values(status=JobStatus.RUNNING.value, lease_owner=owner, lease_until=now + lease, attempts=Job.attempts + 1)
        .returning(Job), execution_options={"synchronize_session": False}
    ).all()
    return sorted((ClaimedJob(job.id, job.kind, dict(job.payload), job.attempts) for job in claimed),
                  key=lambda job: job.id)


def finish_job(session: Session, job_id: int, owner: str, now: datetime) -> bool:
    """Mark a claimed job done; False when the lease was lost (another worker took it over)."""
    return _settle(session, job_id, owner, {"status": JobStatus.DONE.value, "finished_at": now, "last_error": None})


def retry_job(session: Session, job_id: int, owner: str, error: str, run_after: datetime) -> bool:
    """Hand a failed attempt back to the queue, due again at `run_after`."""
    return _settle(session, job_id, owner, {"status": JobStatus.QUEUED.value, "run_after": run_after,
                                            "last_error": error[:2000]})


def fail_job(session: Session, job_id: int, owner: str, error: str, now: datetime) -> bool:
    """Give up on a job for good (its last attempt failed, or no retry can help)."""
    return _settle(session, job_id, owner, {"status": JobStatus.FAILED.value, "finished_at": now,
                                            "last_error": error[:2000]})


def _settle(session: Session, job_id: int, owner: str, values: dict[str, Any]) -> bool:
    changed = session.execute(
        update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING.value, Job.lease_owner == owner)
        .values(lease_owner=None, lease_until=None, **values).returning(Job.id)
    ).first()
    return changed is not None


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Job.status == JobStatus.QUEUED.value, Job.run_after <= now),
        and_(Job.status == JobStatus.RUNNING.value, Job.lease_until < now),
    )
