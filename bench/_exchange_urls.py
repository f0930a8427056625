"""URLs for `yiwang bench exchange`: the platform, plus a bare endpoint of the same stack
(Django + django-ninja, the same lean middleware as the gateway) doing the same read with no authentication, grant
check, masking or log — the baseline."""

from django.urls import path
from ninja import NinjaAPI

from yiwang.registry.models import Record
from yiwang.urls import urlpatterns as platform

bare = NinjaAPI(urls_namespace="bench-bare", docs_url=None)


@bare.get("/{resource_id}/{key}", response={200: dict, 404: dict})
def bare_lookup(request, resource_id: int, key: str):
    data = (
        Record.objects.filter(resource_id=resource_id, key=key)
        .values_list("data", flat=True)
        .first()
    )
    if data is None:
        return 404, {"code": "not_found"}
    return data


urlpatterns = [path("bench/bare/", bare.urls), *platform]
