"""好差评 pages: rating a case, the department's rectifications, the applicant's confirmation,
and the public satisfaction page."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yiwang.cases.models import Case
from yiwang.core.choices import Role
from yiwang.core.errors import NotFound, ServiceError
from yiwang.core.permissions import has_role, org_ids_with_role
from yiwang.reviews import selectors, services
from yiwang.reviews.forms import ConfirmForm, RatingForm, RectificationReplyForm, WindowRatingForm
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
    after the window served the applicant, with the applicant's one-time code."""
    case = _case_for(request.user, number)
    window = request.POST.get("channel") == "window"
    form = WindowRatingForm(request.POST, prefix="window") if window else RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("cases:detail", number=case.number)
    try:
        rating = services.rate_case(
            actor=request.user, case=case, level=form.cleaned_data["level"],
            channel="window" if window else "online", comment=form.cleaned_data["comment"],
            dimensions=form.dimensions(), anonymous=form.cleaned_data["anonymous"],
            code=form.cleaned_data.get("code", ""),
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
def send_code(request, number: str):
    """发送评价码: the window clerk has the applicant sent a one-time code for the rating device."""
    case = _case_for(request.user, number)
    try:
        services.send_rating_code(actor=request.user, case=case)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "评价码已发送给申请人（站内消息、短信），请申请人本人在评价器上输入"
        )
    return redirect(f"{reverse('cases:detail', args=[case.number])}#window-rate")


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
    """差评整改: my departments' rectifications, those to answer first, late ones marked; a
    supervisor follows every department's (read only). The department does not see who gave an
    anonymous rating, nor the case that would tell."""
    own = org_ids_with_role(request.user, *DEPARTMENT_ROLES)
    supervisor = has_role(request.user, Role.SUPERVISOR)
    if not (own or supervisor):
        return render(request, "core/forbidden.html", status=403)
    today = timezone.localdate()
    found = selectors.department_rectifications(request.user, None if supervisor else own)[:300]
    return render(request, "reviews/rectifications.html", {
        "rows": [_row(r, today, own=own, supervisor=supervisor) for r in found],
        "form": RectificationReplyForm(), "today": today,
    })  # fmt: skip


def _row(r: Rectification, today, *, own: set[int], supervisor: bool) -> dict:
    waiting = r.status in selectors.WAITING
    return {
        "r": r, "late": waiting and r.due_date < today,
        "hidden": r.rating.anonymous and not supervisor,  # the case would tell who rated
        "answerable": waiting and r.organisation_id in own,
    }  # fmt: skip


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
