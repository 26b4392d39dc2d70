"""Sending lanes: how many sends of one channel may be in flight at once, and the threads that carry them.

A provider that answers in 300 ms lets one lane send about 3 messages a second, a tenth of Telegram's
30/s. To use a provider's limit the sends must overlap, and the width a channel needs is its rate
limit times its latency (Little's law): 30/s x 0.3 s = 9 in flight. Each channel's width is measured,
not configured: it starts at one and follows the observed latency (`observe`) (a moving average), never beyond
`max_in_flight`. A channel without a rate limit (e-mail, the log) keeps one lane: we do not know what
its server tolerates, and the token buckets pace nothing there.

The width is also what a crash can cost: a notifier killed with `width` sends in flight re-sends those
when their leases run out. A send holds its lane until its outcome is recorded (`release`), not only
until the provider answered: otherwise the next send could leave while the last one's record is still
being written, and a kill in that moment would re-send both. So a channel widens only when its
provider is far away (answers slower than WIDEN_AFTER_SECONDS): then the network wait is what limits
a lane, and overlapping sends buys the provider's whole limit. A provider that answers faster is on
our network (a relay, a test's fake); a lane there is bound by our own CPU, more threads would mostly
queue for the interpreter, and a crash keeps costing at most one re-send.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

MAX_IN_FLIGHT = 32
# Weight of the newest latency sample in the moving average: reacts within about ten sends.
SMOOTHING = 0.2
# Headroom over Little's law, so jitter in the latency does not leave the bucket's tokens unused.
HEADROOM = 1.25
# Telegram and Twilio answer in 150-400 ms from Indonesia; one lane at 50 ms already sends 20 a second.
WIDEN_AFTER_SECONDS = 0.05

Result = TypeVar("Result")


class Lanes:
    """Per-channel bounded concurrency. The caller checks `has_room`, `submit`s (which takes a lane) and
    `release`s the lane once it has recorded what the work returned."""

    def __init__(self, rates: Mapping[str, float], max_in_flight: int = MAX_IN_FLIGHT) -> None:
        self.rates = dict(rates)
        self.max_in_flight = max_in_flight
        self.latency: dict[str, float] = {}
        self._in_flight: dict[str, int] = {}
        self._pools: dict[str, ThreadPoolExecutor] = {}
        self._lock = threading.Lock()
        self.stopped = False

    def width(self, channel: str) -> int:
        rate = self.rates.get(channel)
        latency = self.latency.get(channel, 0.0)
        if rate is None or latency < WIDEN_AFTER_SECONDS:
            return 1
        needed = math.ceil(rate * latency * HEADROOM)
        return max(1, min(self.max_in_flight, needed))

    def has_room(self, channel: str) -> bool:
        with self._lock:
            return self._in_flight.get(channel, 0) < self.width(channel)

    def submit(self, channel: str, work: Callable[[], Result]) -> Future[Result]:
        """Run `work` in one of the channel's lanes, which stays taken until `release`."""
        with self._lock:
            self._in_flight[channel] = self._in_flight.get(channel, 0) + 1
            pool = self._pools.get(channel)
            if pool is None:
                pool = self._pools[channel] = ThreadPoolExecutor(self.max_in_flight, f"send-{channel}")
        try:
            return pool.submit(work)
        except RuntimeError:  # the interpreter is shutting its thread pools down
            with self._lock:
                self._in_flight[channel] -= 1
                self.stopped = True
            raise

    def release(self, channel: str) -> None:
        with self._lock:
            self._in_flight[channel] -= 1

    def idle(self) -> bool:
        with self._lock:
            return not any(self._in_flight.values())

    def close(self) -> None:
        for pool in self._pools.values():
            pool.shutdown(wait=True)
        self._pools.clear()

    def observe(self, channel: str, seconds: float) -> None:
        """One request's answer time (the provider's part only: pacing waits are not latency)."""
        with self._lock:
            previous = self.latency.get(channel)
            self.latency[channel] = seconds if previous is None else previous + SMOOTHING * (seconds - previous)
