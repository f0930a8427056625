"""Reads of the exchange that depend on who asks."""

from __future__ import annotations

from django.utils import timezone

from yiwang.exchange.gateway import subject_hash
from yiwang.exchange.models import ExchangeLog


def subject_hashes_of(user) -> list[str]:
    """The identities whose data-usage a user may see: their own 身份号码 and the companies they act for."""
    hashes = [subject_hash(user.id_number)] if getattr(user, "id_number", None) else []
    today = timezone.localdate()
    for agency in user.agencies.filter(valid_from__lte=today).exclude(valid_until__lt=today):
        hashes.append(subject_hash(agency.company_uscc))
    return hashes


def usage_for(user) -> list[dict]:
    """我的数据使用记录: every successful exchange that read the user's (or their company's) record."""
    logs = (ExchangeLog.objects.filter(subjects__subject_hash__in=subject_hashes_of(user), status=200)
            .select_related("organisation", "client", "resource").distinct().order_by("-occurred_at"))  # fmt: skip
    return [
        {"occurred_at": log.occurred_at, "organisation": log.organisation.name, "client": log.client.name,
         "resource": log.resource.name if log.resource else "", "purpose": log.purpose, "fields": log.field_codes,
         "operation": log.operation, "case_number": log.case_number}
        for log in logs[:1000]
    ]  # fmt: skip


def daily_statistics(actor, *, days: int = 30) -> dict:
    """Calls, records and errors per day, and per resource, department and system, over `days` days."""
    import datetime

    from django.db.models import Count, Q, Sum
    from django.db.models.functions import TruncDate

    since = timezone.now() - datetime.timedelta(days=days)
    logs = ExchangeLog.objects.restrict(actor, "view").filter(occurred_at__gte=since)
    measures = {
        "calls": Count("id"),
        "records": Sum("record_count"),
        "errors": Count("id", filter=Q(status__gte=400)),
    }

    def grouped(*fields):
        return list(logs.values(*fields).annotate(**measures).order_by("-calls")[:200])

    per_day = list(
        logs.annotate(day=TruncDate("occurred_at"))
        .values("day")
        .annotate(**measures)
        .order_by("day")
    )
    return {
        "days": days,
        "per_day": per_day,
        "per_resource": grouped("resource__code", "resource__name"),
        "per_department": grouped("organisation__name"),
        "per_client": grouped(
            "client__organisation__uscc", "client__subsystem_code", "client__name"
        ),
        "totals": logs.aggregate(**measures),
    }
