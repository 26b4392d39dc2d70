"""How long to wait before trying again: doubling from 30 s up to an hour, with jitter so that rows
failed together do not come back together. Shared by the outbox dispatcher and the job runner."""

from __future__ import annotations

import random
from datetime import timedelta

BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0


def retry_delay(attempts: int, rng: random.Random, retry_after: float | None = None) -> timedelta:
    """The wait after the `attempts`-th failed try; a provider's own Retry-After wins."""
    if retry_after is not None:
        return timedelta(seconds=retry_after)
    delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=delay * rng.uniform(0.8, 1.2))
