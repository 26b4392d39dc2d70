"""Working days (hari kerja) of a deployment's time zone.

A working day is Monday–Friday, minus Indonesian national holidays (category PUBLIC) and
cuti bersama (category GOVERNMENT) from the `holidays` package, adjusted by the Pemda's own
config overrides:

* ``extra_holidays`` — dates made non-working: regional holidays, mid-year SKB changes, and any
  cuti bersama the installed `holidays` release does not know yet;
* ``working_overrides`` — dates made working again (a cancelled cuti bersama; or a Saturday the
  Pemda declares a working day). An override always wins, even on a weekend.

Holiday coverage is whatever the installed `holidays` release ships. With holidays 0.109 cuti
bersama are listed through 2027 (2026 matches SKB 3 Menteri 2025: 8 days); from 2028 on the
package has no cuti bersama at all and Islamic/lunar holidays are astronomical estimates named
"… (perkiraan)". When an SKB is published before the package catches up, put the dates in
``extra_holidays`` (and move dates with ``working_overrides``) — that is what the overrides are for.
Names come in Indonesian (``language="id"``) regardless of the process locale: left to itself the
package picks the language from ``LANG`` and would answer in English under ``C.UTF-8``.

There is no wall clock here: every method takes its dates or instants as arguments. Instants
must be timezone-aware; deadlines come back as aware UTC datetimes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from models.config import Settings

# Label for an extra holiday given as a bare date (config without a name).
DEFAULT_EXTRA_LABEL = "Libur daerah"
_ONE_DAY = timedelta(days=1)


def calendar_for(settings: Settings) -> WorkingCalendar:
    """The deployment's calendar, from config.yaml's region and calendar sections."""
    calendar = settings.calendar
    return WorkingCalendar(
        settings.region.timezone,
        extra_holidays={holiday.date: holiday.name for holiday in calendar.extra_holidays},
        working_overrides=calendar.working_days,
        office_start=calendar.office_start,
        office_end=calendar.office_end,
    )


class WorkingCalendar:
    """Hari kerja of one Pemda: Mon–Fri minus national holidays/cuti bersama, plus config overrides."""

    def __init__(self, timezone: str, extra_holidays: Mapping[date, str] | Iterable[date] = (),
                 working_overrides: Iterable[date] = (), office_start: time = time(7, 30),
                 office_end: time = time(16, 0), *, language: str = "id") -> None:
        self.zone: ZoneInfo = _zone(timezone)
        if office_start >= office_end:
            raise ValueError(f"office_start {office_start} must be before office_end {office_end}")
        self.office_start = office_start
        self.office_end = office_end
        self.language = language
        self.extra: dict[date, str] = _labelled(extra_holidays)
        self.working: frozenset[date] = frozenset(working_overrides)
        clash = ", ".join(day.isoformat() for day in sorted(self.extra.keys() & self.working))
        if clash:
            raise ValueError(f"dates both added as holidays and made working days: {clash}")
        # Weekend days made working, sorted so range counts are a bisect away.
        self._weekend_working = tuple(sorted(day for day in self.working if day.weekday() >= 5))
        # Per year: names of all non-working dates, and the sorted weekdays among them (see _year).
        self._names: dict[int, dict[date, str]] = {}
        self._closed_weekdays: dict[int, tuple[date, ...]] = {}

    # --- days -------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        if day in self.working:
            return True
        return day.weekday() < 5 and day not in self._year(day.year)

    def holiday_name(self, day: date) -> str | None:
        """Holiday or override label of `day`; None on ordinary days, plain weekends and working overrides."""
        if day in self.working:
            return None
        return self._year(day.year).get(day)

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day strictly after `day`; n == 0 gives `day` if working, else the next one."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if n == 0 and self.is_working_day(day):
            return day
        current, remaining = day, max(n, 1)
        while remaining:
            current += _ONE_DAY
            remaining -= self.is_working_day(current)
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days in (start, end]; 0 if end <= start.

        Counted arithmetically (weekdays, minus closed weekdays, plus working weekends) rather than
        day by day, because escalation sweeps call this for every open complaint.
        """
        if end <= start:
            return 0
        weekdays = _weekdays_up_to(end) - _weekdays_up_to(start)
        closed = sum(_count_in(self._closed(year), start, end) for year in range(start.year, end.year + 1))
        return weekdays - closed + _count_in(self._weekend_working, start, end)

    # --- instants ---------------------------------------------------------------------------

    def local(self, instant: datetime) -> datetime:
        """`instant` as an aware datetime in the calendar's zone."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"naive datetime {instant.isoformat()}: pass a timezone-aware instant")
        return instant.astimezone(self.zone)

    def local_date(self, instant: datetime) -> date:
        return self.local(instant).date()

    def due_date(self, start: datetime, n: int) -> date:
        """Local date of the n-th working day after `start` (for display)."""
        return self.add_working_days(self.local_date(start), n)

    def due_at(self, start: datetime, n: int) -> datetime:
        """Deadline of "within n working days of `start`": end of the due date, i.e. the next local midnight, in UTC."""
        return self._at(self.due_date(start, n) + _ONE_DAY, time(0))

    def next_office_moment(self, instant: datetime) -> datetime:
        """Earliest UTC instant >= `instant` within office hours (office_start <= t < office_end) of a working day."""
        local = self.local(instant)
        day, clock = local.date(), local.time()
        if self.is_working_day(day) and clock < self.office_end:
            return instant.astimezone(UTC) if clock >= self.office_start else self._at(day, self.office_start)
        return self._at(self.add_working_days(day, 1), self.office_start)

    def working_days_elapsed(self, start: datetime, now: datetime) -> int:
        """Whole working days between the local dates of `start` and `now` (0 if now is not later)."""
        return self.working_days_between(self.local_date(start), self.local_date(now))

    # --- internals --------------------------------------------------------------------------

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, self.zone).astimezone(UTC)

    def _year(self, year: int) -> dict[date, str]:
        """Names of every holiday of `year` (package + extra), loaded once per year.

        Building a `holidays` object costs milliseconds; after this every lookup is a dict hit.
        """
        names = self._names.get(year)
        if names is None:
            names = self._load(year)
            self._closed_weekdays[year] = tuple(
                sorted(day for day in names if day.weekday() < 5 and day not in self.working))
            self._names[year] = names
        return names

    def _closed(self, year: int) -> tuple[date, ...]:
        self._year(year)
        return self._closed_weekdays[year]

    def _load(self, year: int) -> dict[date, str]:
        # Imported on the first year asked for: a read-only command that shows no deadline never pays for it.
        import holidays

        found = holidays.country_holidays(
            "ID", years=year, categories=(holidays.PUBLIC, holidays.GOVERNMENT), language=self.language)
        names = {day: str(name) for day, name in found.items()}
        # The Pemda's own label wins: it is the wording its staff and citizens will see.
        names.update((day, label) for day, label in self.extra.items() if day.year == year)
        return names


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (expected an IANA name such as 'Asia/Makassar')") from None


def _labelled(extra: Mapping[date, str] | Iterable[date]) -> dict[date, str]:
    if isinstance(extra, Mapping):
        return {day: str(label) or DEFAULT_EXTRA_LABEL for day, label in extra.items()}
    return dict.fromkeys(extra, DEFAULT_EXTRA_LABEL)


def _weekdays_up_to(day: date) -> int:
    """Mon–Fri dates from 0001-01-01 (a Monday) through `day` inclusive."""
    ordinal = day.toordinal()
    return ordinal // 7 * 5 + min(ordinal % 7, 5)


def _count_in(sorted_days: tuple[date, ...], start: date, end: date) -> int:
    """How many of `sorted_days` fall in (start, end]."""
    return bisect_right(sorted_days, end) - bisect_right(sorted_days, start)


__all__ = ["DEFAULT_EXTRA_LABEL", "WorkingCalendar"]
