"""Hari kerja: Mon–Fri minus national holidays and cuti bersama (from the installed `holidays`
package) plus the Pemda's overrides, in WIB, WITA and WIT. Holiday facts asserted here are the
ones the installed package ships for 2025/2026 (they match SKB 3 Menteri 2025 for 2026)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.workdays import DEFAULT_EXTRA_LABEL, WorkingCalendar

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
ZONES = (WIB, WITA, WIT)
# Built once: the calendars cache holidays per year, which is exactly what a sweep relies on.
CALENDARS = {zone: WorkingCalendar(zone) for zone in ZONES}
BARITO_KUALA = CALENDARS[WITA]

calendars = st.sampled_from(ZONES).map(CALENDARS.__getitem__)
# 2025–2027 are the years with cuti bersama in the installed package; the range spans two year ends.
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
# Dates that sit in a holiday week or a year end, where off-by-one errors live.
tricky_days = st.sampled_from([
    date(2025, 12, 24), date(2025, 12, 31), date(2026, 3, 13), date(2026, 3, 17), date(2026, 3, 19),
    date(2026, 3, 21), date(2026, 12, 23), date(2026, 12, 24), date(2026, 12, 31), date(2027, 1, 1),
])
any_days = st.one_of(days, tricky_days)
instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(UTC))
counts = st.integers(min_value=0, max_value=40)


def wita(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(WITA))


def naive_count(calendar: WorkingCalendar, start: date, end: date) -> int:
    return sum(calendar.is_working_day(start + timedelta(days=k)) for k in range(1, (end - start).days + 1))


# --- the holiday facts this deployment depends on --------------------------------------------


def test_idul_fitri_2026_closes_offices_from_nyepi_wednesday_to_the_tuesday_after() -> None:
    closed = [date(2026, 3, 18), date(2026, 3, 19), date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 24)]
    assert not any(BARITO_KUALA.is_working_day(day) for day in closed)
    assert BARITO_KUALA.holiday_name(date(2026, 3, 20)) == "Cuti Bersama Hari Raya Idul Fitri"
    assert BARITO_KUALA.holiday_name(date(2026, 3, 21)) == "Hari Raya Idul Fitri"
    assert BARITO_KUALA.is_working_day(date(2026, 3, 17))
    assert BARITO_KUALA.is_working_day(date(2026, 3, 25))


def test_christmas_2026_closes_thursday_cuti_bersama_and_friday_natal() -> None:
    assert BARITO_KUALA.holiday_name(date(2026, 12, 24)) == "Cuti Bersama Hari Raya Natal"
    assert BARITO_KUALA.holiday_name(date(2026, 12, 25)) == "Hari Raya Natal"
    assert BARITO_KUALA.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)


def test_2026_has_the_eight_cuti_bersama_of_the_skb() -> None:
    cuti = [day for day in _year_days(2026) if (BARITO_KUALA.holiday_name(day) or "").startswith("Cuti Bersama")]
    assert cuti == [date(2026, 2, 16), date(2026, 3, 18), date(2026, 3, 20), date(2026, 3, 23),
                    date(2026, 3, 24), date(2026, 5, 15), date(2026, 5, 28), date(2026, 12, 24)]


def test_the_extra_holiday_of_18_august_2025_is_known() -> None:
    assert not BARITO_KUALA.is_working_day(date(2025, 8, 18))


def test_holiday_names_are_indonesian_whatever_the_process_locale_is() -> None:
    assert BARITO_KUALA.holiday_name(date(2026, 1, 1)) == "Tahun Baru Masehi"


def test_ordinary_weekdays_and_plain_weekends_have_no_holiday_name() -> None:
    assert BARITO_KUALA.holiday_name(date(2026, 3, 10)) is None
    assert BARITO_KUALA.holiday_name(date(2026, 3, 7)) is None
    assert not BARITO_KUALA.is_working_day(date(2026, 3, 7))


def test_a_holiday_on_a_sunday_keeps_its_name() -> None:
    assert BARITO_KUALA.holiday_name(date(2026, 4, 5)) is not None


def test_year_end_2025_skips_natal_cuti_bersama_and_new_year() -> None:
    assert BARITO_KUALA.add_working_days(date(2025, 12, 24), 1) == date(2025, 12, 29)
    assert BARITO_KUALA.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)
    assert BARITO_KUALA.working_days_between(date(2025, 12, 24), date(2026, 1, 2)) == 4


# --- deadlines --------------------------------------------------------------------------------


def test_complaint_filed_friday_afternoon_wita_with_one_day_is_due_at_the_end_of_monday() -> None:
    filed = wita(2026, 3, 6, 15)
    assert BARITO_KUALA.due_date(filed, 1) == date(2026, 3, 9)
    assert BARITO_KUALA.due_at(filed, 1) == wita(2026, 3, 10)
    assert BARITO_KUALA.due_at(filed, 1) == datetime(2026, 3, 9, 16, tzinfo=UTC)
    assert BARITO_KUALA.due_at(filed, 1).tzinfo == UTC


def test_complaint_filed_friday_before_holiday_week_is_due_after_the_holidays() -> None:
    filed = wita(2026, 3, 13, 15)
    assert [BARITO_KUALA.due_date(filed, n) for n in (1, 2, 3)] == [date(2026, 3, 16), date(2026, 3, 17),
                                                                     date(2026, 3, 25)]
    assert BARITO_KUALA.due_at(filed, 3) == wita(2026, 3, 26)


def test_zero_working_days_means_end_of_today_or_of_the_next_working_day() -> None:
    assert BARITO_KUALA.due_at(wita(2026, 3, 10, 9), 0) == wita(2026, 3, 11)
    assert BARITO_KUALA.due_date(wita(2026, 3, 21, 9), 0) == date(2026, 3, 25)


def test_negative_working_days_are_rejected() -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        BARITO_KUALA.add_working_days(date(2026, 3, 10), -1)


def test_working_days_elapsed_counts_local_dates_not_24_hour_periods() -> None:
    # Monday 23:00 WITA to Tuesday 01:00 WITA is two hours but one working day later.
    assert BARITO_KUALA.working_days_elapsed(wita(2026, 3, 9, 23), wita(2026, 3, 10, 1)) == 1
    assert BARITO_KUALA.working_days_elapsed(wita(2026, 3, 13, 9), wita(2026, 3, 26, 9)) == 4
    assert BARITO_KUALA.working_days_elapsed(wita(2026, 3, 26, 9), wita(2026, 3, 13, 9)) == 0


# --- time zones ---------------------------------------------------------------------------------


def test_late_utc_evening_is_already_the_next_morning_in_wit() -> None:
    instant = datetime(2026, 1, 5, 16, 30, tzinfo=UTC)
    assert CALENDARS[WIT].local_date(instant) == date(2026, 1, 6)
    assert CALENDARS[WIT].local(instant) == datetime(2026, 1, 6, 1, 30, tzinfo=ZoneInfo(WIT))


def test_the_same_instant_near_midnight_is_monday_in_wib_and_tuesday_in_wit() -> None:
    instant = datetime(2026, 3, 9, 16, 30, tzinfo=UTC)
    assert CALENDARS[WIB].local_date(instant) == date(2026, 3, 9)
    assert CALENDARS[WITA].local_date(instant) == date(2026, 3, 10)
    assert CALENDARS[WIT].local_date(instant) == date(2026, 3, 10)
    assert CALENDARS[WIB].due_at(instant, 1) != CALENDARS[WIT].due_at(instant, 1)


def test_a_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="naive"):
        BARITO_KUALA.local_date(datetime(2026, 3, 9, 9))


def test_an_unknown_time_zone_is_rejected_by_name() -> None:
    for name in ("Asia/Banjarmasin", "", "../etc"):
        with pytest.raises(ValueError, match="unknown time zone"):
            WorkingCalendar(name)


def test_office_hours_must_be_a_non_empty_interval() -> None:
    with pytest.raises(ValueError, match="office_start"):
        WorkingCalendar(WITA, office_start=time(16), office_end=time(7, 30))


# --- office hours -----------------------------------------------------------------------------


def test_friday_after_office_hours_waits_for_monday_0730() -> None:
    assert BARITO_KUALA.next_office_moment(wita(2026, 3, 6, 16)) == wita(2026, 3, 9, 7, 30)


def test_early_morning_on_a_working_day_waits_for_0730() -> None:
    assert BARITO_KUALA.next_office_moment(wita(2026, 3, 9, 6)) == wita(2026, 3, 9, 7, 30)


def test_inside_office_hours_is_now() -> None:
    now = wita(2026, 3, 9, 10, 15)
    assert BARITO_KUALA.next_office_moment(now) == now
    assert BARITO_KUALA.next_office_moment(now).tzinfo == UTC


def test_during_lebaran_the_next_office_moment_is_after_the_cuti_bersama() -> None:
    assert BARITO_KUALA.next_office_moment(wita(2026, 3, 18, 9)) == wita(2026, 3, 25, 7, 30)


def test_office_hours_follow_config() -> None:
    calendar = WorkingCalendar(WITA, office_start=time(8), office_end=time(14))
    assert calendar.next_office_moment(wita(2026, 3, 9, 7, 45)) == wita(2026, 3, 9, 8)
    assert calendar.next_office_moment(wita(2026, 3, 9, 14)) == wita(2026, 3, 10, 8)


# --- overrides ----------------------------------------------------------------------------------


def test_a_regional_holiday_from_config_closes_the_day_with_its_label() -> None:
    calendar = WorkingCalendar(WITA, extra_holidays={date(2026, 3, 10): "Libur daerah (contoh)"})
    assert not calendar.is_working_day(date(2026, 3, 10))
    assert calendar.holiday_name(date(2026, 3, 10)) == "Libur daerah (contoh)"
    assert calendar.add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 11)


def test_extra_holidays_given_as_bare_dates_get_a_default_label() -> None:
    calendar = WorkingCalendar(WITA, extra_holidays=[date(2028, 12, 26)])
    assert calendar.holiday_name(date(2028, 12, 26)) == DEFAULT_EXTRA_LABEL
    assert not calendar.is_working_day(date(2028, 12, 26))


def test_a_cancelled_cuti_bersama_is_a_working_day_again() -> None:
    calendar = WorkingCalendar(WITA, working_overrides=[date(2026, 12, 24)])
    assert calendar.is_working_day(date(2026, 12, 24))
    assert calendar.holiday_name(date(2026, 12, 24)) is None
    assert calendar.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 24)
    # 21-24 and 28-31 December; only Natal on Friday 25th stays closed.
    assert calendar.working_days_between(date(2026, 12, 20), date(2026, 12, 31)) == 8


def test_a_saturday_declared_working_counts() -> None:
    calendar = WorkingCalendar(WITA, working_overrides=[date(2026, 3, 7)])
    assert calendar.is_working_day(date(2026, 3, 7))
    assert calendar.working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 2


def test_a_date_both_closed_and_opened_by_config_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="2026-03-10"):
        WorkingCalendar(WITA, extra_holidays=[date(2026, 3, 10)], working_overrides=[date(2026, 3, 10)])


def test_holidays_are_fetched_once_per_year(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = holidays.country_holidays

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(holidays, "country_holidays", counting)
    calendar = WorkingCalendar(WITA)
    for offset in range(2 * 366):
        calendar.is_working_day(date(2026, 1, 1) + timedelta(days=offset))
    calendar.working_days_between(date(2026, 1, 1), date(2027, 12, 31))
    assert calls == [2026, 2027]


# --- properties -------------------------------------------------------------------------------


@given(calendars, any_days, st.integers(min_value=1, max_value=40))
def test_adding_working_days_lands_on_a_later_working_day(calendar: WorkingCalendar, day: date, n: int) -> None:
    result = calendar.add_working_days(day, n)
    assert result > day
    assert calendar.is_working_day(result)


@given(calendars, any_days, counts)
def test_counting_back_the_added_working_days_gives_n(calendar: WorkingCalendar, day: date, n: int) -> None:
    result = calendar.add_working_days(day, n)
    expected = 0 if n == 0 and calendar.is_working_day(day) else max(n, 1)
    assert calendar.working_days_between(day, result) == expected
    if expected:
        # ...and the day before the result is one short: the result is the first day reaching n.
        assert calendar.working_days_between(day, result - timedelta(days=1)) == expected - 1


@given(calendars, any_days)
def test_zero_working_days_is_the_day_itself_or_the_next_working_day(calendar: WorkingCalendar, day: date) -> None:
    expected = day if calendar.is_working_day(day) else calendar.add_working_days(day, 1)
    assert calendar.add_working_days(day, 0) == expected


@given(calendars, any_days, st.integers(min_value=-30, max_value=800))
def test_arithmetic_count_matches_a_day_by_day_count(calendar: WorkingCalendar, start: date, span: int) -> None:
    end = start + timedelta(days=span)
    assert calendar.working_days_between(start, end) == max(naive_count(calendar, start, end), 0)


@given(calendars, any_days, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
def test_working_day_counts_add_up_across_a_split(calendar: WorkingCalendar, start: date, a: int, b: int) -> None:
    middle, end = start + timedelta(days=a), start + timedelta(days=a + b)
    total = calendar.working_days_between(start, end)
    assert total == calendar.working_days_between(start, middle) + calendar.working_days_between(middle, end)


@given(calendars, instants, st.integers(min_value=1, max_value=30))
def test_due_at_grows_with_n_and_ends_a_working_day(calendar: WorkingCalendar, start: datetime, n: int) -> None:
    due, later = calendar.due_at(start, n), calendar.due_at(start, n + 1)
    assert start < calendar.due_at(start, 0) <= due < later
    assert due.tzinfo == UTC
    local_end = calendar.local(due)
    assert local_end.time() == time(0)
    assert calendar.is_working_day(local_end.date() - timedelta(days=1))
    assert local_end.date() - timedelta(days=1) == calendar.due_date(start, n)


@given(calendars, instants)
def test_zero_days_on_a_closed_day_is_due_with_one_day(calendar: WorkingCalendar, start: datetime) -> None:
    # n == 0 means "by the end of today", and a closed day has no end of business of its own.
    same = calendar.due_at(start, 0) == calendar.due_at(start, 1)
    assert same != calendar.is_working_day(calendar.local_date(start))


@given(calendars, instants)
def test_next_office_moment_is_the_earliest_office_instant_not_before_input(
        calendar: WorkingCalendar, instant: datetime) -> None:
    moment = calendar.next_office_moment(instant)
    local = calendar.local(moment)
    assert moment >= instant
    assert moment.tzinfo == UTC
    assert calendar.is_working_day(local.date())
    assert calendar.office_start <= local.time() < calendar.office_end
    # Either we were already in office hours, or we waited until an opening bell.
    assert moment == instant or local.time() == calendar.office_start
    if moment != instant:
        assert calendar.next_office_moment(moment - timedelta(minutes=1)) == moment


@given(instants)
def test_local_dates_run_east_to_west(instant: datetime) -> None:
    wib, wita_, wit = (CALENDARS[zone].local_date(instant) for zone in ZONES)
    assert wib <= wita_ <= wit <= wib + timedelta(days=1)


@settings(max_examples=50)
@given(any_days)
def test_config_overrides_close_and_open_exactly_the_days_given(day: date) -> None:
    closed = WorkingCalendar(WITA, extra_holidays=[day])
    opened = WorkingCalendar(WITA, working_overrides=[day])
    assert not closed.is_working_day(day)
    assert opened.is_working_day(day)
    for neighbour in (day - timedelta(days=1), day + timedelta(days=1)):
        assert closed.is_working_day(neighbour) == BARITO_KUALA.is_working_day(neighbour)
        assert opened.is_working_day(neighbour) == BARITO_KUALA.is_working_day(neighbour)
    shift = BARITO_KUALA.is_working_day(day)
    span = (day - timedelta(days=10), day + timedelta(days=10))
    assert closed.working_days_between(*span) == BARITO_KUALA.working_days_between(*span) - shift
    assert opened.working_days_between(*span) == BARITO_KUALA.working_days_between(*span) + (not shift)


def _year_days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=k) for k in range((date(year + 1, 1, 1) - first).days)]
