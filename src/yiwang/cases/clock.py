"""A case's clock in working days: due dates from acceptance, stopped by 补正 and 特别程序.

When a stop ends after acceptance, the case's due dates (and its open tasks')
move later by the working days the stop lasted, and the timers its process waits
on by the time it lasted.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from yiwang.cases import engine, store
from yiwang.cases.choices import TaskStatus
from yiwang.cases.models import Case, ClockStop
from yiwang.core.errors import ServiceError
from yiwang.core.workdays import WorkCalendar


def set_due_dates(case: Case) -> None:
    """Due dates from the acceptance day: promised and statutory limits in working days."""
    start = timezone.localdate(case.accepted_at)
    item, calendar = case.item, WorkCalendar()
    promised, statutory = _limits(case)
    case.due_date = calendar.add_working_days(start, promised)
    case.warn_date = calendar.warning_date(case.due_date, yellow_threshold(item, promised))
    case.statutory_due_date = calendar.add_working_days(start, statutory) if statutory else None


def _limits(case: Case) -> tuple[int, int | None]:
    """Promised and statutory working days: the item's, or the longest among a theme's items."""
    if not case.theme_id:
        return case.item.promised_days or 0, case.item.statutory_days
    items = [ti.item for ti in case.theme.theme_items.select_related("item")]
    statutory = [i.statutory_days for i in items if i.statutory_days]
    return max(i.promised_days or 0 for i in items), max(statutory) if statutory else None


def yellow_threshold(item, promised_days: int | None = None) -> int:
    """Working days left at which a case turns yellow: ≤ 20 % of the promised time or ≤ 1 day
    by default; the item may set its own ratio and days. `promised_days` is the case's own
    promised time when it is not the item's (a theme's case runs to its longest item's)."""
    ratio = item.yellow_ratio if item.yellow_ratio is not None else settings.YIWANG["YELLOW_RATIO"]
    days = item.yellow_days if item.yellow_days is not None else settings.YIWANG["YELLOW_DAYS"]
    promised = item.promised_days if promised_days is None else promised_days
    return max(int(ratio * (promised or 0)), days)


def case_yellow_threshold(case: Case) -> int:
    """The yellow threshold of a case, on the promised time the case runs to."""
    return yellow_threshold(case.item, _limits(case)[0])


def open_stop(case: Case) -> ClockStop | None:
    return case.clock_stops.filter(ended_at__isnull=True).first()


def stop(case: Case, *, kind: str, reason: str, planned_end=None, organisation=None) -> ClockStop:
    current = open_stop(case)
    if current is not None:  # named, for the one asking may not be the one who can end it
        holder = f"（{current.organisation.name}）" if current.organisation_id else ""
        raise ServiceError("cases.clock_stopped", f"办件正在{current.get_kind_display()}{holder}，"
                           "暂停计时中；结束后才能再暂停计时", status=409)  # fmt: skip
    return ClockStop.objects.create(
        case=case,
        kind=kind,
        reason=reason,
        started_at=timezone.now(),
        planned_end=planned_end,
        organisation=organisation,
    )


def resume(case: Case) -> int:
    """End the open stop, if any; returns the working days the due dates moved."""
    current = open_stop(case)
    if current is None:
        return 0
    current.ended_at = timezone.now()
    current.save(update_fields=["ended_at"])
    if case.accepted_at is None or current.started_at < case.accepted_at:
        return 0
    _postpone_timers(case, by=current.ended_at - current.started_at)
    calendar = WorkCalendar()
    days = calendar.working_days_between(
        timezone.localdate(current.started_at), timezone.localdate(current.ended_at)
    )
    if days:
        threshold = case_yellow_threshold(case)
        case.due_date = calendar.add_working_days(case.due_date, days)
        case.warn_date = calendar.warning_date(case.due_date, threshold)
        if case.statutory_due_date:
            case.statutory_due_date = calendar.add_working_days(case.statutory_due_date, days)
        for task in case.tasks.filter(status=TaskStatus.OPEN, due_date__isnull=False):
            task.due_date = calendar.add_working_days(task.due_date, days)
            task.warn_date = calendar.warning_date(task.due_date, threshold)
            task.save(update_fields=["due_date", "warn_date"])
    # Saved even when nothing moved (a stop within a day): the sweep's incremental run finds the
    # cases whose clock runs again by their `updated_at`.
    case.save(update_fields=["due_date", "warn_date", "statutory_due_date", "updated_at"])
    return days


def _postpone_timers(case: Case, *, by: datetime.timedelta) -> None:
    """The process's duration and cycle timers (定时事件) move later by the time the clock stood
    still, in calendar time as they count; a timer set to a date keeps its date."""
    if case.timer_due_at is None:
        return
    step = engine.postpone_timers(case.process.bpmn_xml, case.workflow_state, by=by)
    case.workflow_state, case.timer_due_at = step.state, step.timer_due_at
    store.save_state(case.pk, step.state, timer_due_at=step.timer_due_at, now=timezone.now())


def end_without_moving(case: Case) -> None:
    """End the open stop of a case that is being finished: its due dates no longer matter."""
    case.clock_stops.filter(ended_at__isnull=True).update(ended_at=timezone.now())
