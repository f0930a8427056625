"""Reads of the exchange that depend on who asks."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from yiwang.core.choices import Role
from yiwang.exchange.gateway import subject_hashes
from yiwang.exchange.models import ExchangeLog


def subject_hashes_of(user) -> list[str]:
    """The identities whose data-usage a user may see: their own 身份号码 and the companies they act
    for, each hashed under the current and every previous subject-hash key."""
    hashes = subject_hashes(user.id_number) if getattr(user, "id_number", None) else []
    for agency in user.agencies.in_force():
        hashes.extend(subject_hashes(agency.company_uscc))
    return hashes


# The calls a person's data-usage views list: those answered, and a write refused after its load
# had stored some rows (a load commits its valid rows). A refusal otherwise names no subject.
USED = Q(status__lt=400) | Q(record_count__gt=0)


def usage_for(user) -> Usages:
    """我的数据使用记录: every exchange that read or changed the user's (or their company's) record,
    newest first, however far back it goes."""
    logs = (ExchangeLog.objects.filter(USED, subjects__subject_hash__in=subject_hashes_of(user))
            .select_related("organisation", "client", "resource").distinct().order_by("-occurred_at", "-id"))  # fmt: skip
    return Usages(logs)


class Usages:
    """A user's usages, read a page at a time (a company read a few times a day has thousands):
    a slice gives the usages as dicts, an index one of them, `count()` how many there are in all;
    iterating goes through every one, in chunks."""

    def __init__(self, logs):
        self.logs = logs

    def count(self) -> int:
        return self.logs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice | int) -> list[dict] | dict:
        if isinstance(index, slice):
            return [_usage(log) for log in self.logs[index]]
        return _usage(self.logs[index])

    def __iter__(self):
        return (_usage(log) for log in self.logs.iterator(chunk_size=500))


def _usage(log: ExchangeLog) -> dict:
    return {"occurred_at": log.occurred_at, "organisation": log.organisation.name, "client": log.client.name,
            "resource": log.resource.name if log.resource else "", "resource_id": log.resource_id,
            "purpose": log.purpose, "fields": log.field_codes,
            "operation": log.operation, "operation_label": log.get_operation_display(),
            "case_number": log.case_number}  # fmt: skip


MEASURES = {
    "calls": Count("id"),
    "records": Sum("record_count"),
    "errors": Count("id", filter=Q(status__gte=400)),
}
# 统计维度: the log columns that name a resource, a department, a system.
DIMENSIONS = {
    "resource": ("按资源", ("resource_id", "resource__code", "resource__name")),
    "department": ("按部门", ("organisation_id", "organisation__name")),
    "client": ("按应用系统", ("client_id", "client__organisation__uscc", "client__subsystem_code", "client__name")),
}  # fmt: skip
TOP_SERIES = 8  # keys drawn one by one on the chart; the rest are added up as 其他


def _logs_since(actor, days: int):
    since = timezone.now() - datetime.timedelta(days=days)
    return ExchangeLog.objects.restrict(actor, "view").filter(occurred_at__gte=since)


def daily_statistics(actor, *, days: int = 30) -> dict:
    """Calls, records and errors per day, and per resource, department and system, over `days` days."""
    logs = _logs_since(actor, days)

    def grouped(dimension):
        fields = DIMENSIONS[dimension][1]
        return list(logs.values(*fields).annotate(**MEASURES).order_by("-calls", *fields)[:200])

    per_day = list(
        logs.annotate(day=TruncDate("occurred_at"))
        .values("day")
        .annotate(**MEASURES)
        .order_by("day")
    )
    return {
        "days": days,
        "per_day": per_day,
        "per_resource": grouped("resource"),
        "per_department": grouped("department"),
        "per_client": grouped("client"),
        "totals": logs.aggregate(**MEASURES),
    }


def daily_by(actor, dimension: str, *, days: int = 30) -> list[dict]:
    """Calls, records and errors per day and per key of `dimension` (resource, department or
    client): one row per day × key that had calls, oldest day first."""
    fields = DIMENSIONS[dimension][1]
    return list(
        _logs_since(actor, days)
        .annotate(day=TruncDate("occurred_at"))
        .values("day", *fields)
        .annotate(**MEASURES)
        .order_by("day", *fields)
    )


def exchanges_for_case(number: str, user):
    """The exchanges linked to a 办件编号 (X-Case-Number), newest first, for who may see them.

    Supervisors see them all; so does a department of the case: one whose staff took part in an
    exchange of the case (its system called, or its resource was read), or one that a resolver
    registered with `register_case_departments` names (the cases app may register one; the
    exchange does not import it). Anyone else sees none. A malformed number matches nothing.
    """
    from yiwang.catalog.permissions import staff_org_ids
    from yiwang.core.permissions import administered_org_ids, has_role
    from yiwang.exchange.case_numbers import is_case_number

    if not is_case_number(number or ""):
        return ExchangeLog.objects.none()
    logs = (ExchangeLog.objects.filter(case_number=number)
            .select_related("client", "organisation", "resource").order_by("-occurred_at"))  # fmt: skip
    if has_role(user, Role.SUPERVISOR):
        return logs
    mine = staff_org_ids(user) | administered_org_ids(user)
    if not mine:
        return logs.none()
    if (
        mine & _case_departments(number)
        or logs.filter(Q(organisation_id__in=mine) | Q(resource__owner_id__in=mine)).exists()
    ):
        return logs
    return logs.none()


_CASE_DEPARTMENTS: list = []


def register_case_departments(resolver):
    """Register `resolver(case_number) -> set of organisation ids` handling the case."""
    _CASE_DEPARTMENTS.append(resolver)
    return resolver


def _case_departments(number: str) -> set[int]:
    return set().union(*(resolver(number) for resolver in _CASE_DEPARTMENTS))
