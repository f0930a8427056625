"""Rows of cases, tasks and cards written straight into the tables, with chosen timestamps: the
KPI tests need events on given days and minutes, which the services stamp with the clock."""

import datetime
import itertools
import uuid

from yiwang.cases.models import Case, CaseTask
from yiwang.supervision.models import Card

_numbers = itertools.count(1)


def case(item, *, submitted, accepted=None, finished=None, status=None, channel="online",
         due=None) -> Case:  # fmt: skip
    if status is None:
        status = "approved" if finished else "accepted" if accepted else "submitted"
    return Case.objects.create(
        number=f"{item.code}KPI{next(_numbers):06d}", item=item, item_version=1,
        applicant_kind="person", applicant_name="测试", applicant_code="990102199001011234",
        channel=channel, status=status, submitted_at=submitted, accepted_at=accepted,
        finished_at=finished, due_date=due,
    )  # fmt: skip


def task(case, organisation, *, created, completed=None, status=None) -> CaseTask:
    made = CaseTask.objects.create(
        case=case, engine_id=uuid.uuid4(), node_id="review", name="部门审查",
        organisation=organisation, role="reviewer", status=status or ("done" if completed else "open"),
        completed_at=completed,
    )  # fmt: skip
    CaseTask.objects.filter(pk=made.pk).update(created_at=created)  # auto_now_add otherwise
    made.created_at = created
    return made


def card(case, *, issued, level="yellow", escalated=None, kind="case", subject_id=None) -> Card:
    return Card.objects.create(
        subject_kind=kind, subject_id=subject_id or case.pk, case=case,
        organisation=case.item.organisation, item=case.item, level=level, status="open",
        due_date=case.due_date or issued.date(), issued_at=issued, escalated_at=escalated,
    )  # fmt: skip


def local(zone, day: datetime.date, hour=0, minute=0, second=0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute, second), zone)
