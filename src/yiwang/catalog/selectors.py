"""Reads of the catalog that depend on who asks."""

from __future__ import annotations

import datetime

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from yiwang.catalog.choices import CYCLE_DAYS, DemandStatus, ResourceStatus
from yiwang.catalog.models import Demand, Resource, Responsibility


def resources(
    actor, *, q=None, owner_id=None, category=None, share_type=None, status=None
) -> QuerySet:
    """The resources `actor` may see, filtered; a query `q` ranks by Chinese full-text relevance."""
    qs = Resource.objects.restrict(actor, "view").select_related("owner").prefetch_related("fields")
    for name, value in (("owner_id", owner_id), ("category", category), ("share_type", share_type),
                        ("status", status)):  # fmt: skip
        if value:
            qs = qs.filter(**{name: value})
    if q and q.strip():
        from yiwang.catalog.search import search_resources

        ids = search_resources(q, limit=500)
        order = Case(
            *[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)], output_field=IntegerField()
        )
        return qs.filter(pk__in=ids).order_by(order) if ids else qs.none()
    return qs.order_by("code")


def is_overdue(cadence: str, last_load_at: datetime.datetime | None, now=None) -> bool:
    """A responsibility is overdue when its resource was never loaded or its last load is older than the cadence."""
    days = CYCLE_DAYS.get(cadence)
    if days is None:
        return False
    if last_load_at is None:
        return True
    return (now or timezone.now()) - last_load_at > datetime.timedelta(days=days)


def with_overdue(responsibilities) -> list[Responsibility]:
    now = timezone.now()
    items = list(responsibilities.select_related("resource") if isinstance(responsibilities, QuerySet)
                 else responsibilities)  # fmt: skip
    for item in items:
        item.last_load_at = item.resource.last_loaded_at
        item.overdue = is_overdue(item.cadence, item.last_load_at, now)
    return items


def department_summary(actor, organisation) -> dict:
    """部门页: what a department owns, what it asked for, what it must supply (and is late on)."""
    owned = (
        Resource.objects.restrict(actor, "view")
        .filter(owner=organisation)
        .prefetch_related("fields")
    )
    demands = (
        Demand.objects.restrict(actor, "view")
        .filter(requester=organisation)
        .select_related("resource")
    )
    duties = with_overdue(
        Responsibility.objects.restrict(actor, "view").filter(organisation=organisation)
    )
    return {
        "organisation": organisation,
        "resources": owned.order_by("code"),
        "published": owned.filter(status=ResourceStatus.PUBLISHED).count(),
        "demands": demands,
        "demands_met": sum(1 for d in demands if d.status == DemandStatus.MET),
        "responsibilities": duties,
        "overdue": [d for d in duties if d.overdue],
    }
