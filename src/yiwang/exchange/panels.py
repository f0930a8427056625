"""The exchange's panel on the catalog's resource page: who uses the resource — the grants in
force (department, system, fields, expiry) and the demands (需求清单) for it."""

from django.utils import timezone

from yiwang.catalog import panels
from yiwang.catalog.choices import ResourceStatus
from yiwang.catalog.models import Demand
from yiwang.catalog.permissions import is_government
from yiwang.exchange.choices import GrantStatus
from yiwang.exchange.models import Grant


@panels.register
def users_panel(request, resource):
    """Shown to government staff who may see the resource page (sharing is between government
    bodies; the public sees the catalog's 开放 terms, not who uses the data)."""
    if not is_government(request.user):
        return None
    names = {f.code: f.name for f in resource.fields.all()}
    today = timezone.localdate()
    # In force as Grant.in_force says: a 停用 resource answers no one.
    grants = list(
        Grant.objects.filter(
            resource=resource,
            status=GrantStatus.ACTIVE,
            valid_from__lte=today,
            valid_until__gte=today,
            resource__status=ResourceStatus.PUBLISHED,
        )
        .select_related("client__organisation")
        .order_by("valid_until", "pk")
    )
    demands = list(Demand.objects.filter(resource=resource).select_related("requester")[:100])
    for item in [*grants, *demands]:
        item.field_names = [names.get(c, c) for c in item.field_codes]
    return {"template": "exchange/panel.html", "grants": grants, "demands": demands}
