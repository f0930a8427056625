"""URLs for `yiwang bench exchange`: the platform, plus a bare endpoint doing the same read
with no authentication, grant check, masking or log — the baseline of the same stack."""

from django.http import JsonResponse
from django.urls import path

from yiwang.registry.models import Record
from yiwang.urls import urlpatterns as platform


def bare_lookup(request, resource_id: int, key: str):
    data = (
        Record.objects.filter(resource_id=resource_id, key=key)
        .values_list("data", flat=True)
        .first()
    )
    if data is None:
        return JsonResponse({"code": "not_found"}, status=404)
    return JsonResponse(data)


urlpatterns = [path("bench/bare/<int:resource_id>/<str:key>", bare_lookup), *platform]
