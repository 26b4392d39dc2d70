"""Time is a parameter: the domain takes `now`; only entry points read the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


def system_clock() -> datetime:
    return datetime.now(UTC)


class FixedClock:
    """A clock for tests and `--now`: returns a set instant until moved."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.current = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current

    def set(self, instant: datetime) -> None:
        self.current = instant.astimezone(UTC)


def parse_instant(text: str, default_zone: str = "UTC") -> datetime:
    """ISO-8601; a value without offset is read in `default_zone` (the region's zone)."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(default_zone))
    return value.astimezone(UTC)
