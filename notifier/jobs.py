"""Running background jobs (models/jobs.py) with the handlers the entry point hands over.

The notifier knows no handler itself (so it imports no wing): `aduan notifier` passes a mapping from
job kind to a callable, e.g. {"whatsapp.media": MediaDownloads(...)}. A handler that returns has done
its job; one that raises is retried with the outbox's backoff, and after `max_attempts` the job is
marked failed with the error. A job claimed by a worker that died is due again once its lease runs out.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.db import transaction
from models.jobs import ClaimedJob, JobStatus, claim_jobs, fail_job, finish_job, retry_job
from models.tables import Job
from notifier.backoff import retry_delay

log = logging.getLogger("aduan.notifier.jobs")

JobHandler = Callable[[dict[str, Any]], None]
# Long enough for a handler's slowest honest run (ten photos at Twilio's 20 s timeout each).
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
BATCH = 20


@dataclass
class JobReport:
    done: int = 0
    retried: int = 0
    failed: int = 0


class JobRunner:
    def __init__(self, sessions: sessionmaker[Session], handlers: Mapping[str, JobHandler], owner: str,
                 clock: Callable[[], datetime], rng: random.Random | None = None) -> None:
        self.sessions = sessions
        self.handlers = handlers
        self.owner = owner
        self.clock = clock
        self.rng = rng or random.Random()

    def run_pass(self) -> JobReport:
        """Run every job due now, batch by batch, until none is left."""
        report = JobReport()
        if not self.handlers:
            return report
        while True:
            with transaction(self.sessions) as session:
                batch = claim_jobs(session, self.handlers, self.owner, self.clock(), LEASE, BATCH)
            if not batch:
                return report
            for job in batch:
                self._run(job, report)

    def due(self) -> bool:
        """Cheap peek (index range read): is any job of a known kind waiting?"""
        if not self.handlers:
            return False
        with self.sessions() as session:
            return session.scalar(select(Job.id).where(
                Job.status == JobStatus.QUEUED.value, Job.run_after <= self.clock(),
                Job.kind.in_(list(self.handlers))).limit(1)) is not None

    def _run(self, job: ClaimedJob, report: JobReport) -> None:
        try:
            self.handlers[job.kind](job.payload)
        except Exception as error:  # a handler's failure must not stop the other jobs
            self._failed(job, error, report)
            return
        with transaction(self.sessions) as session:
            finish_job(session, job.id, self.owner, self.clock())
        report.done += 1

    def _failed(self, job: ClaimedJob, error: Exception, report: JobReport) -> None:
        text = f"{type(error).__name__}: {error}"
        now = self.clock()
        with transaction(self.sessions) as session:
            if job.attempts >= MAX_ATTEMPTS:
                fail_job(session, job.id, self.owner, text, now)
                report.failed += 1
            else:
                retry_job(session, job.id, self.owner, text, now + retry_delay(job.attempts, self.rng))
                report.retried += 1
        log.warning("job failed id=%s kind=%s attempt=%d final=%s error=%s", job.id, job.kind, job.attempts,
                    job.attempts >= MAX_ATTEMPTS, text[:300])
