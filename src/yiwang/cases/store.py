"""Where a case's process lives in the database: its engine state and its departments' tasks.

The approval path writes here at every step (acceptance, each review), so the
statements are plain SQL through `core.hotsql`, prepared once per connection on
PostgreSQL and run on the driver's own cursor on SQLite: the ORM's query
compilation cost as much as the engine step itself (ADR 0018). Callers hold
the transaction and the case's row lock.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import connection

from yiwang.cases.choices import TaskStatus
from yiwang.cases.models import Case, CaseTask
from yiwang.core import hotsql


@dataclass(frozen=True)
class NewTask:
    """A task the engine made ready, with the department and role that will work on it."""

    engine_id: uuid.UUID
    node_id: str
    name: str
    organisation_id: int
    role: str
    due_date: datetime.date | None
    warn_date: datetime.date | None


def _uuid(value: uuid.UUID):
    return value if connection.vendor == "postgresql" else value.hex


def _when(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _day(value: datetime.date | None):
    return connection.ops.adapt_datefield_value(value)


_SQL = {
    "read": "SELECT workflow_state FROM cases_case WHERE id = %s",
    "save": (
        "UPDATE cases_case SET workflow_state = %s, timer_due_at = %s, updated_at = %s"
        " WHERE id = %s"
    ),
    "close": (
        "UPDATE cases_casetask SET status = %s, decision = %s, opinion = %s,"
        " completed_by_id = %s, completed_at = %s WHERE engine_id = %s AND status = %s"
    ),
    "open": (
        "INSERT INTO cases_casetask (case_id, engine_id, node_id, name, organisation_id, role,"
        " status, due_date, warn_date, decision, opinion, created_at) VALUES "
    ),
    "finish": (
        "UPDATE cases_case SET status = %s, finished_at = %s, outcome_note = %s,"
        " result_reference = %s, timer_due_at = NULL, updated_at = %s WHERE id = %s"
    ),
}
assert Case._meta.db_table == "cases_case" and CaseTask._meta.db_table == "cases_casetask"


def read_state(case_id: int) -> str:
    """The case's engine state, read under its row lock."""
    with hotsql.cursor() as cursor:
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        cursor.execute(_SQL["read"] + lock, [case_id])
        row = cursor.fetchone()
    return row[0] if row else ""


def save_state(
    case_id: int, state: str, *, timer_due_at: datetime.datetime | None, now: datetime.datetime
) -> None:
    """Store the engine state after a step, with when its earliest timer falls due (the timer
    job finds due cases by that column alone); `updated_at` feeds the incremental deadline
    sweep."""
    due = _when(timer_due_at) if timer_due_at is not None else None
    with hotsql.cursor() as cursor:
        cursor.execute(_SQL["save"], [state, due, _when(now), case_id])


def open_tasks(case_id: int, tasks: list[NewTask], *, now: datetime.datetime) -> None:
    """Insert the departments' new tasks in one statement."""
    if not tasks:
        return
    row = "(%s, %s, %s, %s, %s, %s, %s, %s, %s, '', '', %s)"
    params: list = []
    for t in tasks:
        params += [case_id, _uuid(t.engine_id), t.node_id, t.name, t.organisation_id, t.role,
                   TaskStatus.OPEN, _day(t.due_date), _day(t.warn_date), _when(now)]  # fmt: skip
    with hotsql.cursor() as cursor:
        cursor.execute(_SQL["open"] + ", ".join([row] * len(tasks)), params)


def close_task(
    engine_id: uuid.UUID,
    *,
    decision: str,
    opinion: str,
    by_id: int | None,
    now: datetime.datetime,
) -> bool:
    """Mark an open task done with the reviewer's decision; False if it was not open."""
    with hotsql.cursor() as cursor:
        cursor.execute(_SQL["close"], [TaskStatus.DONE, decision, opinion, by_id, _when(now),
                                         _uuid(engine_id), TaskStatus.OPEN])  # fmt: skip
        return cursor.rowcount == 1


def finish_case(
    case_id: int,
    *,
    status: str,
    outcome_note: str,
    result_reference: str,
    now: datetime.datetime,
) -> None:
    """办结: the case's final status, when and with what result; no timer is waited on any more."""
    with hotsql.cursor() as cursor:
        cursor.execute(_SQL["finish"], [status, _when(now), outcome_note, result_reference,
                                          _when(now), case_id])  # fmt: skip
