"""好差评 pages: rating a case, the department's rectifications, the applicant's confirmation,
and the public satisfaction page."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yiwang.cases.models import Case
from yiwang.core.errors import NotFound, ServiceError
from yiwang.core.permissions import org_ids_with_role
from yiwang.reviews import selectors, services
from yiwang.reviews.forms import ConfirmForm, RatingForm, RectificationReplyForm
from yiwang.reviews.models import Rectification
from yiwang.reviews.permissions import DEPARTMENT_ROLES

PUBLIC_PERIODS = {"90": 90, "365": 365, "730": 730}


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return "输入有误"


def _case_for(user, number: str) -> Case:
    case = Case.objects.restrict(user).filter(number=number).first()
    if case is None:
        raise Http404("办件不存在或无权访问")
    return case


@login_required
@require_POST
def rate(request, number: str):
    """评价 a finished case from its page (online), or at the window's rating device (窗口评价器)
    after the window served the applicant."""
    case = _case_for(request.user, number)
    channel = "window" if request.POST.get("channel") == "window" else "online"
    form = RatingForm(request.POST, prefix="window" if channel == "window" else None)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("cases:detail", number=case.number)
    try:
        rating = services.rate_case(
            actor=request.user, case=case, level=form.cleaned_data["level"], channel=channel,
            comment=form.cleaned_data["comment"], dimensions=form.dimensions(),
            anonymous=form.cleaned_data["anonymous"],
        )  # fmt: skip
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        note = "，部门将在期限内整改并回复您" if rating.is_bad else ""
        messages.success(request, f"感谢您的评价{note}")
    return redirect("cases:detail", number=case.number)


@login_required
@require_POST
def confirm(request, rectification_id: int):
    """The applicant confirms the department's answer or contests it."""
    rectification = (
        Rectification.objects.restrict(request.user)
        .filter(pk=rectification_id)
        .select_related("rating__case")
        .first()
    )
    if rectification is None:
        raise Http404("整改不存在或无权访问")
    number = rectification.rating.case.number
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("cases:detail", number=number)
    try:
        services.confirm_rectification(
            actor=request.user, rectification=rectification,
            satisfied=form.cleaned_data["satisfied"], note=form.cleaned_data["note"],
        )  # fmt: skip
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        done = form.cleaned_data["satisfied"]
        messages.success(request, "已确认整改结果" if done else "已提出异议，部门将重新整改")
    return redirect("cases:detail", number=number)


@login_required
def rectifications(request):
    """差评整改: my departments' rectifications, those to answer first, late ones marked."""
    own = org_ids_with_role(request.user, *DEPARTMENT_ROLES)
    if not own:
        return render(request, "core/forbidden.html", status=403)
    today = timezone.localdate()
    found = selectors.department_rectifications(request.user, own)[:300]
    return render(request, "reviews/rectifications.html", {
        "rows": [(r, r.status in selectors.WAITING and r.due_date < today) for r in found],
        "form": RectificationReplyForm(), "today": today,
    })  # fmt: skip


@login_required
@require_POST
def reply(request, rectification_id: int):
    """整改回复 by the rated department."""
    own = org_ids_with_role(request.user, *DEPARTMENT_ROLES)
    found = selectors.department_rectifications(request.user, own)
    rectification = found.filter(pk=rectification_id).first()
    if rectification is None:
        raise Http404("整改不存在或无权访问")
    form = RectificationReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("reviews:rectifications")
    try:
        services.reply_rectification(actor=request.user, rectification=rectification,
                                     kind=form.cleaned_data["kind"], reply=form.cleaned_data["reply"])  # fmt: skip
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "整改回复已提交，待申请人确认")
    return redirect("reviews:rectifications")


def satisfaction(request):
    """满意度公示 (public, no login): satisfaction per department and per item, aggregated only."""
    period = request.GET.get("days", "365")
    days = PUBLIC_PERIODS.get(period, 365)
    end = timezone.localdate()
    start = end - datetime.timedelta(days=days - 1)
    return render(request, "reviews/satisfaction.html", {
        **selectors.public_satisfaction(start, end), "days": days, "start": start, "end": end,
        "min_ratings": selectors.MIN_PUBLIC_RATINGS,
    })  # fmt: skip
