"""定时事件: the BPMN timers of cases' processes, fired when due.

SpiffWorkflow has no scheduler: a timer fires only when something asks the
workflow to look at its waiting timers. Every step of a case stores when its
earliest timer falls due (`Case.timer_due_at`, a partial index); the periodic
job finds the due cases with that index alone and steps each under its row
lock, as a review would, with the system as actor.

Timers count calendar time, as ISO 8601 means it (``P2D`` is 48 hours), not
working days. A case whose clock is stopped (补正, 特别程序) is not advanced;
when the clock runs again its duration and cycle timers move later by the time
it stood still (`clock.resume`), so that a stop takes nothing from a timer. A timer
set to a date keeps its date and fires, if past, at the next run.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from yiwang.cases import approval, engine
from yiwang.cases.choices import CaseStatus
from yiwang.cases.models import Case, ClockStop
from yiwang.cases.services import add_event
from yiwang.core import audit

logger = logging.getLogger(__name__)


@dataclass
class TimerRun:
    """What a run of the timer job did: cases found due, advanced, and failed (left as they were
    and tried again at the next run)."""

    due: int = 0
    advanced: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def due_case_ids(*, now: datetime.datetime) -> list[int]:
    """Cases in review whose timer is due and whose clock runs, earliest first."""
    stopped = ClockStop.objects.filter(case=OuterRef("pk"), ended_at__isnull=True)
    return list(
        Case.objects.filter(timer_due_at__lte=now, status=CaseStatus.ACCEPTED)
        .exclude(Exists(stopped))
        .order_by("timer_due_at")
        .values_list("pk", flat=True)
    )


def fire_due_timers(*, now: datetime.datetime | None = None) -> TimerRun:
    """Advance every case whose timer is due; each case in its own transaction, so that one case
    that cannot move (a broken state, a licence that cannot be issued) does not hold the others."""
    run = TimerRun()
    for case_id in due_case_ids(now=now or timezone.now()):
        run.due += 1
        try:
            run.advanced += advance_case(case_id)
        except Exception:
            logger.exception("定时事件：办件 %s 无法推进", case_id)
            run.failed += 1
    return run


@transaction.atomic
def advance_case(case_id: int) -> bool:
    """Fire a case's due timers and move its process on, under its row lock; False when, by the
    time the lock is held, there is nothing to fire (another run did it, a review moved the
    case on, its clock stopped)."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("process", "item")
        .filter(pk=case_id)
        .first()
    )
    now = timezone.now()
    if (
        case is None
        or case.status != CaseStatus.ACCEPTED
        or case.timer_due_at is None
        or case.timer_due_at > now
        or case.clock_stops.filter(ended_at__isnull=True).exists()
    ):
        return False
    step = engine.fire_timers(case.process.bpmn_xml, case.workflow_state)
    if not step.fired:  # due to the second, not yet to the engine: the next run fires it
        return False
    fired = list(dict.fromkeys(step.fired))  # one line for a timer on every instance of a task
    for name in fired:
        add_event(case, "timer", f"定时事件「{name}」到期，流程继续")
    audit.record(actor=None, action="case.timer", target=case,
                 after={"timers": fired, "due_at": case.timer_due_at})  # fmt: skip
    approval.apply_step(case, step, actor=None)
    return True
