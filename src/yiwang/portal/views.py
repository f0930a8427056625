from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from yiwang.core.choices import OrganisationLevel
from yiwang.core.models import Organisation


def home(request):
    """The citizen-facing home page; staff see their workbench links."""
    departments = (
        Organisation.objects.restrict(request.user, "view")
        .filter(level=OrganisationLevel.CITY)
        .count()
    )
    from yiwang.services.selectors import life_events

    return render(request, "portal/home.html", {
        "department_count": departments,
        "person_events": life_events("person"), "company_events": life_events("company"),
    })  # fmt: skip


def organisation_directory(request):
    """部门目录: every active government body, grouped under its parent."""
    organisations = Organisation.objects.restrict(request.user, "view").select_related("parent")
    query = request.GET.get("q", "").strip()[:50]
    if query:
        organisations = organisations.filter(name__icontains=query)
    return render(
        request, "portal/organisations.html", {"organisations": organisations, "q": query}
    )


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
