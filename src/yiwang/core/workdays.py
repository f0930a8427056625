"""Working days on the official Chinese calendar (chinese-calendar) with local overrides.

The State Council publishes each year's holidays late in the year before;
for a year chinese-calendar does not know yet, weekends are rest days until
an admin enters the year's schedule as overrides (and ``yiwang doctor`` says so).
"""

from __future__ import annotations

import datetime

import chinese_calendar

from yiwang.core.models import CalendarOverride


def _official_is_working_day(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def official_years() -> range:
    """The years chinese-calendar has the official schedule for."""
    years = sorted({d.year for d in chinese_calendar.holidays})
    return range(years[0], years[-1] + 1)


class WorkCalendar:
    """The calendar in force: official days, then the local overrides loaded once."""

    def __init__(self, overrides: dict[datetime.date, bool] | None = None):
        if overrides is None:
            overrides = dict(CalendarOverride.objects.values_list("date", "is_working_day"))
        self.overrides = overrides

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _official_is_working_day(day)

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The date `n` working days after `start` (start itself not counted); n ≥ 0."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        while n > 0:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def warning_date(self, due: datetime.date, days_left: int) -> datetime.date:
        """The first day from which at most `days_left` working days remain until `due`."""
        day = due
        while True:
            before = day - datetime.timedelta(days=1)
            if self.working_days_between(before, due) > days_left:
                return day
            day = before

    def working_days_between(self, a: datetime.date, b: datetime.date) -> int:
        """Working days in (a, b]: 0 when b ≤ a."""
        count, day = 0, a
        while day < b:
            day += datetime.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    return WorkCalendar().add_working_days(start, n)


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    return WorkCalendar().working_days_between(a, b)


def is_working_day(day: datetime.date) -> bool:
    return WorkCalendar().is_working_day(day)
