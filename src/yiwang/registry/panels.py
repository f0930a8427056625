"""The registry's panel on the catalog's resource page: last load, quality, links."""

from yiwang.catalog import panels
from yiwang.catalog.models import Resource
from yiwang.registry import quality, selectors


@panels.register
def registry_panel(request, resource):
    if not request.user.is_authenticated:
        return None
    q = selectors.resource_quality(resource)
    return {
        "template": "registry/panel.html",
        "quality": q,
        "labels": quality.DIMENSION_LABELS,
        "may_load": Resource.objects.restrict(request.user, "load").filter(pk=resource.pk).exists(),
        "may_read": Resource.objects.restrict(request.user, "read_records")
        .filter(pk=resource.pk)
        .exists(),
        "record_count": resource.records.count(),
    }
