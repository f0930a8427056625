"""证照管理: the issuing organisation's staff find their licences and suspend, resume, revoke or
cancel them, with a reason, through `set_licence_status` (audited)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from yiwang.core.choices import MaskKind
from yiwang.core.errors import ServiceError
from yiwang.core.masking import reveal_or_mask
from yiwang.licences import services
from yiwang.licences.choices import LicenceStatus
from yiwang.licences.models import Licence
from yiwang.licences.services.issuance import TRANSITIONS

CHOICES = [
    (status, LicenceStatus(status).label if status != "valid" else "恢复有效")
    for status in TRANSITIONS
]


def _next_statuses(licence: Licence) -> list[tuple[str, str]]:
    return [(status, label) for status, label in CHOICES if licence.status in TRANSITIONS[status]]


@login_required
def issued(request):
    """The licences the user's organisations issued, newest first; search by number, identifier or holder code."""
    qs = Licence.objects.restrict(request.user, "change").select_related("licence_type", "issuer")
    q = request.GET.get("q", "").strip().upper()[:120]
    if q:
        qs = qs.filter(Q(number=q) | Q(identifier=q) | Q(holder_code=q))
    status = request.GET.get("status", "")
    if status in LicenceStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    for licence in page:
        licence.next_statuses = _next_statuses(licence)
        licence.shown_code = reveal_or_mask(request.user, MaskKind.RIC, licence.holder_code)
    return render(request, "licences/issued.html", {"page": page, "q": q, "status": status,
                                                    "statuses": LicenceStatus.choices})  # fmt: skip


@login_required
@require_POST
def change_status(request, licence_id: int):
    licence = get_object_or_404(Licence.objects.restrict(request.user, "change"), pk=licence_id)
    status, reason = request.POST.get("status", ""), request.POST.get("reason", "")
    try:
        services.set_licence_status(
            actor=request.user, licence=licence, status=status, reason=reason[:300]
        )
    except ServiceError as exc:
        messages.error(request, f"{licence.number}：{exc.message}")
    else:
        messages.success(
            request, f"证照 {licence.number} 已改为「{licence.get_status_display()}」。"
        )
    return redirect(reverse("licences:issued") + "?" + urlencode({"q": licence.number}))
