"""Working days on the official Chinese calendar, with local overrides from the database."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.core.models import CalendarOverride
from yiwang.core.workdays import (
    WorkCalendar,
    add_working_days,
    is_working_day,
    official_years,
    working_days_between,
)

pytestmark = pytest.mark.django_db

SPRING_FESTIVAL_2026 = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]  # 02-15 .. 02-23
NATIONAL_DAY_2025 = [date(2025, 10, 1) + timedelta(days=i) for i in range(8)]  # 10-01 .. 10-08


def override(day: date, working: bool) -> CalendarOverride:
    return CalendarOverride.objects.create(date=day, is_working_day=working, reason="测试")


# --- Spring Festival 2026 ----------------------------------------------------


@pytest.mark.parametrize("day", SPRING_FESTIVAL_2026, ids=str)
def test_every_day_of_the_2026_spring_festival_is_a_rest_day(day):
    assert not is_working_day(day)


@pytest.mark.parametrize("day", [date(2026, 2, 14), date(2026, 2, 28)], ids=str)
def test_the_saturdays_adjusted_for_the_2026_spring_festival_are_working_days(day):
    assert day.weekday() == 5
    assert is_working_day(day)


def test_one_working_day_after_the_friday_before_the_festival_is_the_adjusted_saturday():
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)


def test_one_working_day_after_the_adjusted_saturday_is_the_day_after_the_festival():
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_working_days_between_skip_the_whole_festival():
    # (02-13, 02-24]: 02-14 (adjusted Saturday) and 02-24.
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2


def test_working_days_between_count_the_adjusted_saturday_after_the_festival():
    # (02-23, 03-01]: 02-24 .. 02-27 and the adjusted Saturday 02-28; Sunday 03-01 rests.
    assert working_days_between(date(2026, 2, 23), date(2026, 3, 1)) == 5


def test_ten_working_days_from_before_the_festival_land_after_it():
    # 02-12, 02-13, 02-14, 02-24..02-28, 03-02, 03-03
    assert add_working_days(date(2026, 2, 11), 10) == date(2026, 3, 3)


# --- National Day 2025 -------------------------------------------------------


@pytest.mark.parametrize("day", NATIONAL_DAY_2025, ids=str)
def test_every_day_of_the_2025_national_day_holiday_is_a_rest_day(day):
    assert not is_working_day(day)


@pytest.mark.parametrize("day", [date(2025, 9, 28), date(2025, 10, 11)], ids=str)
def test_the_weekend_days_adjusted_for_the_2025_national_day_are_working_days(day):
    assert day.weekday() >= 5
    assert is_working_day(day)


def test_one_working_day_after_the_last_friday_of_september_2025_is_the_adjusted_sunday():
    assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)


def test_one_working_day_after_the_eve_of_national_day_2025_is_october_the_ninth():
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_working_days_across_national_day_2025_include_both_adjusted_weekend_days():
    # 09-28, 09-29, 09-30, 10-09, 10-10, 10-11
    assert add_working_days(date(2025, 9, 26), 6) == date(2025, 10, 11)
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 12)) == 6


# --- arguments and invariants ------------------------------------------------


def test_adding_zero_working_days_is_the_start_even_on_a_holiday():
    assert add_working_days(date(2026, 2, 17), 0) == date(2026, 2, 17)


def test_adding_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1)


def test_there_are_no_working_days_between_a_day_and_itself():
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0


def test_there_are_no_working_days_between_a_later_day_and_an_earlier_one():
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == 0


def test_working_days_between_count_the_end_but_not_the_start():
    # Monday 03-02 to Tuesday 03-03: only the Tuesday.
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 3)) == 1


def test_the_official_years_cover_2025_and_2026():
    assert 2025 in official_years()
    assert 2026 in official_years()


days_2024_to_2026 = st.dates(date(2024, 1, 1), date(2026, 12, 31))


@settings(max_examples=200, deadline=None)
@given(days_2024_to_2026, st.integers(0, 40))
def test_working_days_between_a_start_and_n_working_days_later_is_n(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


@settings(max_examples=200, deadline=None)
@given(days_2024_to_2026, st.integers(1, 40))
def test_adding_working_days_always_lands_on_a_working_day(start, n):
    assert is_working_day(add_working_days(start, n))


@settings(max_examples=200, deadline=None)
@given(days_2024_to_2026, st.integers(1, 40))
def test_no_working_day_is_skipped_before_the_result(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end - timedelta(days=1)) == n - 1


# --- local overrides ---------------------------------------------------------


def test_an_override_makes_a_normal_monday_a_rest_day():
    assert is_working_day(date(2026, 3, 9))
    override(date(2026, 3, 9), working=False)
    assert not is_working_day(date(2026, 3, 9))


def test_an_override_makes_a_sunday_a_working_day():
    assert not is_working_day(date(2026, 3, 8))
    override(date(2026, 3, 8), working=True)
    assert is_working_day(date(2026, 3, 8))


def test_an_override_makes_an_official_adjusted_saturday_a_rest_day():
    override(date(2026, 2, 14), working=False)
    assert not is_working_day(date(2026, 2, 14))


def test_adding_working_days_honours_a_working_sunday_override():
    override(date(2026, 3, 8), working=True)
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 8)


def test_adding_working_days_honours_a_rest_monday_override():
    override(date(2026, 3, 9), working=False)
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 10)


def test_working_days_between_honour_both_overrides():
    override(date(2026, 3, 8), working=True)
    override(date(2026, 3, 9), working=False)
    # (03-06, 03-13]: Sunday 03-08 works, Monday 03-09 rests, 03-10 .. 03-13 work.
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 13)) == 5


def test_a_calendar_built_with_explicit_overrides_does_not_read_the_database():
    override(date(2026, 3, 9), working=False)
    assert WorkCalendar(overrides={}).is_working_day(date(2026, 3, 9))


# --- a year chinese-calendar does not know -----------------------------------


@pytest.mark.parametrize("day", [date(2031, 1, 4), date(2031, 1, 5)], ids=str)
def test_in_an_unknown_year_weekends_are_rest_days(day):
    assert day.weekday() >= 5
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day", [date(2031, 1, 1), date(2031, 1, 2), date(2031, 1, 3), date(2031, 1, 6)], ids=str
)
def test_in_an_unknown_year_weekdays_are_working_days(day):
    # 2031-01-01 is New Year's Day, but until the schedule is entered it is a Wednesday like any other.
    assert day.weekday() < 5
    assert is_working_day(day)


def test_in_an_unknown_year_adding_working_days_skips_the_weekend():
    assert add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 6)


def test_in_an_unknown_year_an_override_enters_the_holiday_schedule():
    override(date(2031, 1, 1), working=False)
    assert add_working_days(date(2030, 12, 31), 1) == date(2031, 1, 2)
