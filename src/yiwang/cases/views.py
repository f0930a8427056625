"""Case pages: apply, my cases, the case page, the one window (综合窗口) and the reviewer's tasks."""

from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yiwang.cases import approval, panels, selectors, services, texts
from yiwang.cases import materials as materials_module
from yiwang.cases.choices import SPECIAL_PROCEDURES, CaseStatus, ClockStopKind, TaskStatus
from yiwang.cases.models import Case, CaseTask, Notification
from yiwang.cases.schemas import MATERIAL_FILE, masked_form, personal
from yiwang.core.errors import ServiceError
from yiwang.core.nul import has_nul
from yiwang.core.permissions import can
from yiwang.services.choices import ItemStatus
from yiwang.services.models import ServiceItem, Theme

CONSENT_FIELD = re.compile(r"^consent_([1-9][0-9]{0,17})$")


def _case_for(user, number: str) -> Case:
    case = Case.objects.restrict(user).filter(number=number).select_related("item").first()
    if case is None:
        raise Http404("办件不存在或无权访问")
    return case


def _uploads(request) -> dict:
    """The material files of the form, by material id (field names as in the API)."""
    uploads = {}
    for key, upload in request.FILES.items():
        match = MATERIAL_FILE.match(key)
        if match is None:
            raise ServiceError(
                "validation_failed", f"文件字段名应为 material_<材料编号>：{key[:40]}"
            )
        uploads[int(match[1])] = upload
    return uploads


def _licence_consent(request) -> list[int]:
    """The materials whose e-licence the applicant agreed to have used (免提交)."""
    return [int(m[1]) for key in request.POST if (m := CONSENT_FIELD.match(key))]


def _offers(user, materials, company) -> dict:
    holder = company.company_uscc if company else (user.id_number or "")
    return materials_module.licence_offers(materials, holder_code=holder)


def _form_values(request, item_or_definition, prefix: str = "") -> dict:
    definition = getattr(item_or_definition, "form_definition", item_or_definition)
    return {f["code"]: request.POST.get(prefix + f["code"], "") for f in definition}


def _agencies(user):
    """The user's agencies in force: only these apply, and pre-fill, for a company."""
    return user.agencies.in_force()


def _agency(user, uscc: str | None):
    if not uscc or has_nul(uscc):  # a posted NUL would fail in PostgreSQL's query
        return None
    return _agencies(user).filter(company_uscc=uscc).first()


def _application_page(
    request, *, definition, initial: dict, submit, done: str, template: str, context: dict,
    prefix: str = "",
):  # fmt: skip
    """The shared shape of the apply, theme and walk-in pages: show the form (pre-filled), and on
    POST call `submit(values)`; a refusal shows its message and each field's error in place.
    `prefix` goes before each field's code in its input name, where the page has inputs of its
    own that a form field's code could otherwise share."""
    values, errors = initial, {}
    if request.method == "POST":
        values = _form_values(request, definition, prefix)
        try:
            case = submit(values)
        except ServiceError as exc:
            errors = exc.detail.get("fields", {})
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{done}，办件编号 {case.number}")
            return redirect("cases:detail", number=case.number)
    fields = [
        {**f, "value": values.get(f["code"], ""), "error": errors.get(f["code"])}
        for f in definition
    ]
    return render(request, template, {**context, "fields": fields, "prefix": prefix})


@login_required
def apply(request, item_id: int):
    """网上申请: the item's form pre-filled from what the platform holds, and its materials."""
    item = get_object_or_404(ServiceItem, pk=item_id, status=ItemStatus.PUBLISHED)
    company = _agency(request.user, request.GET.get("company") or request.POST.get("company"))
    materials = list(item.materials.select_related("resource"))
    return _application_page(
        request, definition=item.form_definition, done="申请已提交", template="cases/apply.html",
        initial=selectors.prefill(item, request.user, company=company) if request.method == "GET" else {},
        submit=lambda values: services.submit_application(
            actor=request.user, item=item, form_data=values, uploads=_uploads(request),
            company_uscc=company.company_uscc if company else None,
            licence_consent=_licence_consent(request)),
        context={"item": item, "materials": materials, "company": company,
                 "agencies": _agencies(request.user), "offers": _offers(request.user, materials, company),
                 "consented": _licence_consent(request)},
    )  # fmt: skip


@login_required
def apply_theme(request, code: str):
    """一件事: one joint form and the de-duplicated materials of all the theme's items."""
    from yiwang.services.selectors import (
        theme_form,
        theme_form_conflicts,
        theme_items,
        theme_materials,
    )

    theme = get_object_or_404(Theme, code=code, status=ItemStatus.PUBLISHED)
    if theme_form_conflicts(theme):
        messages.error(request, services.THEME_FORM_PENDING)
        return redirect("services:theme", code=theme.code)
    company = _agency(request.user, request.GET.get("company") or request.POST.get("company"))
    initial = {}
    if request.method == "GET":
        for item in theme_items(theme):
            initial.update(selectors.prefill(item, request.user, company=company))
    materials = [entry.material for entry in theme_materials(theme)]
    return _application_page(
        request, definition=theme_form(theme), initial=initial, done="一件事申请已提交",
        template="cases/apply.html",
        submit=lambda values: services.submit_theme_application(
            actor=request.user, theme=theme, form_data=values, uploads=_uploads(request),
            company_uscc=company.company_uscc if company else None,
            licence_consent=_licence_consent(request)),
        context={"item": theme, "theme": theme, "company": company, "agencies": _agencies(request.user),
                 "materials": materials, "offers": _offers(request.user, materials, company),
                 "consented": _licence_consent(request)},
    )  # fmt: skip


@login_required
def mine(request):
    """我的办件 and my messages."""
    mine = Notification.objects.filter(user=request.user)
    return render(request, "cases/mine.html", {
        "cases": selectors.my_cases(request.user)[:200], "notes": mine.select_related("case")[:20],
        "unread": mine.filter(read_at__isnull=True).count(),
    })  # fmt: skip


@login_required
@require_POST
def messages_read(request):
    """全部标为已读: the user's site messages."""
    services.mark_messages_read(actor=request.user)
    return redirect("cases:mine")


@login_required
def detail(request, number: str):
    """The case page: status, due dates, who holds it, timeline, materials, and the actions
    this user may take."""
    case = _case_for(request.user, number)
    user = request.user
    tasks = list(case.tasks.select_related("organisation", "completed_by"))
    my_tasks = [t for t in tasks if t.status == TaskStatus.OPEN and can(user, "change", t)]
    is_applicant = case.applicant_id == user.pk or can(user, "apply", case)
    # A walk-in's 补正 is recorded by the window: its materials; the form, which staff see masked,
    # stays the applicant's to change.
    can_correct = services.may_answer_correction(user, case)
    process_xml = case.process.bpmn_xml if case.process_id else None
    current = sorted({t.node_id for t in tasks if t.status == TaskStatus.OPEN})
    today = timezone.localdate()
    # The clock and 好差评 parts come from the apps that own them, as panels.
    at_window = can(user, "accept", case)
    panel_templates, panel_context = panels.collect(
        user, case, {"is_applicant": is_applicant, "at_window": at_window, "today": today}
    )
    stop = case.clock_stops.filter(ended_at__isnull=True).first()
    awaiting = case.status == CaseStatus.CORRECTION or (
        case.status == CaseStatus.ACCEPTED
        and stop is not None
        and stop.kind == ClockStopKind.CORRECTION
    )
    definition = services.form_definition_of(case)
    shown = masked_form(request, case, definition)  # as the API answers this viewer
    draft = request.session.pop(CORRECTION_DRAFT, None) if is_applicant else None
    if not draft or draft["case"] != case.number:
        draft = {"values": case.form_data, "errors": {}}
    return render(request, "cases/detail.html", {
        "case": case, "tasks": tasks, "my_tasks": my_tasks, "is_applicant": is_applicant,
        "can_accept": at_window, "can_finish_now": at_window and services.is_immediate(case),
        "events": case.events.all(),
        "materials": case.materials.all(), "stop": stop,
        "stop_overrun": bool(stop and stop.planned_end and stop.planned_end < today),
        "awaiting_correction": awaiting, "can_withdraw": case.is_open and can(user, "apply", case),
        "correction_materials": [m for m, _ in materials_module.asked_materials(case)] if awaiting and can_correct else [],
        "can_correct": can_correct,
        "holders": sorted({t.organisation.name for t in tasks if t.status == TaskStatus.OPEN}),
        "applicant_name": personal(request, case, "applicant_name"),
        "applicant_code": personal(request, case, "applicant_code"),
        "form_rows": [(f["label"], shown.get(f["code"], "")) for f in definition],
        "special_kinds": [(k, ClockStopKind(k).label) for k in SPECIAL_PROCEDURES],
        "special_reason_max": texts.SPECIAL_REASON_MAX, "withdraw_reason_max": texts.WITHDRAW_REASON_MAX,
        "correction_fields": [{**f, "value": draft["values"].get(f["code"], ""), "error": draft["errors"].get(f["code"])}
                              for f in definition] if is_applicant else [],
        "process_xml": process_xml, "current_nodes": current, "today": today,
        "panel_templates": panel_templates, **panel_context,
    })  # fmt: skip


def _act(request, number: str, action) -> object:
    case = _case_for(request.user, number)
    try:
        action(case)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail", number=case.number)


@login_required
@require_POST
def accept(request, number: str):
    def run(case):
        services.accept_case(actor=request.user, case=case, finish_now=bool(request.POST.get("finish_now")),
                             opinion=request.POST.get("opinion", ""))  # fmt: skip
        messages.success(request, "已受理")

    return _act(request, number, run)


@login_required
@require_POST
def correction(request, number: str):
    def run(case):
        items = request.POST.get("corrections", "").splitlines()
        services.request_correction(actor=request.user, case=case, corrections=items,
                                    message=request.POST.get("message", ""))  # fmt: skip
        messages.success(request, "已发出补正告知")

    return _act(request, number, run)


@login_required
@require_POST
def review_correction(request, number: str):
    def run(case):
        items = request.POST.get("corrections", "").splitlines()
        services.request_review_correction(actor=request.user, case=case, corrections=items,
                                           message=request.POST.get("message", ""))  # fmt: skip
        messages.success(request, "已一次性告知申请人补正，暂停计时")

    return _act(request, number, run)


@login_required
@require_POST
def withdraw(request, number: str):
    """撤回: the applicant withdraws a case that is not finished, as through the API."""

    def run(case):
        services.withdraw_case(actor=request.user, case=case, reason=request.POST.get("reason", ""))
        messages.success(request, "申请已撤回")

    return _act(request, number, run)


@login_required
def material_file(request, number: str, material_id: int):
    """A material uploaded to a case, for whoever may see the case (applicant, departments
    taking part, supervisors); anyone else is told it does not exist."""
    case = _case_for(request.user, number)
    stored = case.materials.filter(pk=material_id).exclude(file="").first()
    if stored is None:
        raise Http404("材料不存在")
    suffix = "." + stored.file.name.rsplit(".", 1)[-1] if "." in stored.file.name else ""
    return FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=f"{stored.name}{suffix}"
    )


@login_required
@require_POST
def refuse(request, number: str):
    def run(case):
        services.refuse_case(actor=request.user, case=case, reason=request.POST.get("reason", ""))
        messages.success(request, "已作出不予受理决定")

    return _act(request, number, run)


# Session key: what an applicant typed in a refused 补正, for the case page to show again with
# each field's error (files cannot be kept; they are chosen again).
CORRECTION_DRAFT = "cases.correction_draft"


@login_required
@require_POST
def corrected(request, number: str):
    def run(case):
        # The window records a walk-in's materials only (its page has no form fields).
        applicant = can(request.user, "apply", case)
        values = _form_values(request, services.form_definition_of(case)) if applicant else None
        try:
            services.submit_correction(actor=request.user, case=case, form_data=values,
                                       uploads=_uploads(request))  # fmt: skip
        except ServiceError as exc:
            if values is not None:
                request.session[CORRECTION_DRAFT] = {
                    "case": case.number,
                    "values": values,
                    "errors": exc.detail.get("fields", {}),
                }
            raise
        messages.success(request, "补正材料已提交")

    return _act(request, number, run)


@login_required
@require_POST
def special(request, number: str):
    def run(case):
        try:
            planned = datetime.date.fromisoformat(request.POST.get("planned_end", ""))
        except ValueError:
            planned = None
        approval.start_special_procedure(actor=request.user, case=case, kind=request.POST.get("kind", ""),
                                         reason=request.POST.get("reason", ""), planned_end=planned)  # fmt: skip
        messages.success(request, "已启动特别程序，暂停计时")

    return _act(request, number, run)


@login_required
@require_POST
def special_end(request, number: str):
    def run(case):
        approval.end_special_procedure(
            actor=request.user, case=case, result=request.POST.get("result", "")
        )
        messages.success(request, "特别程序已结束，恢复计时")

    return _act(request, number, run)


@login_required
@require_POST
def complete(request, task_id: int):
    # Found among the tasks the user sees, as the API finds it: the service then tells one who
    # sees but may not decide it (a clerk of the department) who does, not "not found".
    task = CaseTask.objects.restrict(request.user, "view").filter(pk=task_id).first()
    if task is None:
        raise Http404("任务不存在或无权办理")
    try:
        approval.complete_task(actor=request.user, task=task, decision=request.POST.get("decision", ""),
                               opinion=request.POST.get("opinion", ""))  # fmt: skip
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "审查意见已提交")
    return redirect("cases:detail", number=task.case.number)


@login_required
def window(request):
    """综合窗口: applications to accept, and the items a walk-in applicant can be registered for.
    Applicants' names are masked as on the case page and in the API's list."""
    cases = list(selectors.window_cases(request.user)[:200])
    for case in cases:
        case.shown_applicant = personal(request, case, "applicant_name")
    return render(request, "cases/window.html", {"cases": cases})


@login_required
def tasks(request):
    """审批待办: my departments' open review tasks, the most urgent first."""
    return render(request, "cases/tasks.html", {
        "tasks": selectors.open_tasks(request.user)[:200], "today": datetime.date.today(),
    })  # fmt: skip


# The walk-in page has inputs of its own (applicant_name, phone, paper…) whose names are also
# valid form-field codes; its form fields are named "form.<code>", which no code can be.
WALK_IN_FORM_PREFIX = "form."


def _paper_materials(post) -> list[int]:
    """The materials taken on paper (已收取纸质材料): ids in ASCII digits; anything else is no id."""
    return [int(v) for v in post.getlist("paper") if v.isascii() and v.isdigit()]


@login_required
def walk_in(request, item_id: int):
    """窗口登记: a clerk registers an application for someone at the window."""
    item = get_object_or_404(ServiceItem, pk=item_id, status=ItemStatus.PUBLISHED)
    post = request.POST
    return _application_page(
        request, definition=item.form_definition, initial={}, done="已登记", template="cases/walk_in.html",
        prefix=WALK_IN_FORM_PREFIX,
        submit=lambda values: services.register_walk_in(
            actor=request.user, item=item, applicant_kind=post.get("applicant_kind", ""),
            applicant_name=post.get("applicant_name", ""), applicant_code=post.get("applicant_code", ""),
            phone=post.get("phone", ""), form_data=values, uploads=_uploads(request),
            paper_materials=_paper_materials(post)),
        context={"item": item, "materials": item.materials.all(), "post": post},
    )  # fmt: skip
