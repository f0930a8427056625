"""Pages of 系统管理员 for service items: list, create and edit (materials, participants, form
definition), publish and suspend, BPMN upload, themes, 事项要素完整率, XLSX import/export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from yiwang.core.choices import Role
from yiwang.core.errors import ServiceError
from yiwang.core.models import Organisation
from yiwang.core.permissions import has_role
from yiwang.services import selectors, services, spreadsheet
from yiwang.services.choices import ItemStatus
from yiwang.services.forms import (
    ImportForm,
    ItemForm,
    MaterialFormSet,
    ProcessUploadForm,
    ThemeForm,
    material_initial,
    material_rows,
)
from yiwang.services.models import ServiceItem, Theme
from yiwang.services.services import (
    ITEM_FIELDS,
    THEME_CHANGES,
    THEME_FIELDS,
    missing_elements,
)
from yiwang.services.views import process_context

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _forbidden(request):
    return render(request, "core/forbidden.html", status=403)


def _manages_items(user) -> bool:
    return Organisation.objects.restrict(user, "write_items").exists()


@login_required
def item_list(request):
    """事项管理: the items of the departments the admin manages."""
    if not _manages_items(request.user):
        return _forbidden(request)
    qs = ServiceItem.objects.restrict(request.user, "change").select_related("organisation")
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(code__icontains=q.upper())
    if status in ItemStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("organisation__name", "code"), 30).get_page(
        request.GET.get("page")
    )
    themes = Theme.objects.restrict(request.user, "change").select_related("lead")
    return render(request, "services/manage/items.html", {
        "page": page, "q": q, "status": status, "statuses": ItemStatus.choices, "themes": themes,
    })  # fmt: skip


def _service_errors(form, exc: ServiceError) -> None:
    form.add_error(None, exc.message)
    for name, errors in exc.detail.get("fields", {}).items():
        if name in form.fields:
            form.add_error(name, errors)


@login_required
def item_edit(request, item_id: int | None = None):
    """编制/修改事项: the 实施清单 elements, materials, participants and the form on one page."""
    item = None
    if item_id is not None:
        item = get_object_or_404(ServiceItem.objects.restrict(request.user, "change"), pk=item_id)
    elif not _manages_items(request.user):
        return _forbidden(request)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = ItemForm(data, instance=item, actor=request.user)
    formset = MaterialFormSet(
        data, files, initial=material_initial(item) if item else None, prefix="m"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        attrs = {k: form.cleaned_data[k] for k in ITEM_FIELDS if k in form.cleaned_data}
        common = {
            "materials": material_rows(formset),
            "participants": list(form.cleaned_data["participants"]),
            "form_definition": form.cleaned_data["form_json"],
        }
        try:
            if item is None:
                item = services.create_item(actor=request.user,
                                            organisation=form.cleaned_data["organisation"],
                                            **common, **attrs)  # fmt: skip
                messages.success(request, "事项已编制（草稿），要素齐全后请发布。")
            else:
                attrs.pop("code", None)
                services.update_item(actor=request.user, item=item,
                                     note=request.POST.get("note", "")[:200], **common, **attrs)  # fmt: skip
                messages.success(request, "事项已保存。")
            return redirect("services:manage_item", item_id=item.pk)
        except ServiceError as exc:
            _service_errors(form, exc)
    return render(
        request, "services/manage/item_edit.html", {"form": form, "formset": formset, "item": item}
    )


@login_required
def item_detail(request, item_id: int):
    """The admin's page of one item: completeness, actions, process diagram, versions."""
    item = get_object_or_404(
        ServiceItem.objects.restrict(request.user, "change").select_related("process"), pk=item_id
    )
    process = process_context(item)
    return render(request, "services/manage/item.html", {
        "item": item, "missing": missing_elements(item), **process,
        "task_ids": [t["id"] for t in process["user_tasks"]],
        "materials": item.materials.select_related("resource"),
        "versions": item.versions.all()[:10], "upload_form": ProcessUploadForm(),
        "participants": item.participants.all(),
    })  # fmt: skip


def _item_action(request, item_id: int, act, done: str):
    item = get_object_or_404(ServiceItem.objects.restrict(request.user, "view"), pk=item_id)
    try:
        act(item)
        messages.success(request, done)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("services:manage_item", item_id=item.pk)


@login_required
@require_POST
def item_publish(request, item_id: int):
    note = request.POST.get("note", "").strip()[:200] or "发布"
    return _item_action(request, item_id,
                        lambda i: services.publish_item(actor=request.user, item=i, note=note),
                        "事项已发布。")  # fmt: skip


@login_required
@require_POST
def item_suspend(request, item_id: int):
    reason = request.POST.get("reason", "")[:300]
    return _item_action(request, item_id,
                        lambda i: services.suspend_item(actor=request.user, item=i, reason=reason),
                        "事项已暂停受理。")  # fmt: skip


@login_required
@require_POST
def item_process(request, item_id: int):
    """上传审批流程: a BPMN file checked by `services.upload_process`; its errors shown."""
    form = ProcessUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("services:manage_item", item_id=item_id)
    name, xml = form.cleaned_data["name"], form.cleaned_data["file"]
    return _item_action(request, item_id,
                        lambda i: services.upload_process(actor=request.user, item=i, name=name, bpmn_xml=xml),
                        "审批流程已上传。")  # fmt: skip


@login_required
def theme_new(request):
    """组建一件事: a bundle of published items with one joint form and case."""
    if not _manages_items(request.user):
        return _forbidden(request)
    form = ThemeForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        attrs = {k: form.cleaned_data[k] for k in THEME_FIELDS}
        try:
            theme = services.create_theme(actor=request.user, lead=form.cleaned_data["lead"],
                                          items=list(form.cleaned_data["items"]), **attrs)  # fmt: skip
            messages.success(request, "一件事已组建（草稿），检查后请发布。")
            return redirect("services:theme", code=theme.code)
        except ServiceError as exc:
            _service_errors(form, exc)
    return render(request, "services/manage/theme_new.html", {"form": form})


@login_required
def theme_edit(request, code: str):
    """修改一件事: its wording, lead and (while a draft) its items, checked like a new theme."""
    theme = get_object_or_404(Theme.objects.restrict(request.user, "change"), code=code)
    # The form writes what it cleans onto its instance: give it a copy, so that the service
    # compares the theme as stored with the change.
    form = ThemeForm(request.POST or None, instance=Theme.objects.get(pk=theme.pk),
                     actor=request.user)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in THEME_CHANGES}
        # The list box sends a set, not an order: the same items keep the theme's order.
        chosen = list(form.cleaned_data["items"])
        if {i.pk for i in chosen} != set(theme.items.values_list("pk", flat=True)):
            changes["items"] = chosen
        try:
            services.update_theme(actor=request.user, theme=theme, lead=form.cleaned_data["lead"],
                                  **changes)  # fmt: skip
            messages.success(request, "一件事已保存。")
            return redirect("services:theme", code=theme.code)
        except ServiceError as exc:
            _service_errors(form, exc)
    return render(request, "services/manage/theme_new.html", {"form": form, "theme": theme})


@login_required
@require_POST
def theme_publish(request, code: str):
    theme = get_object_or_404(Theme.objects.restrict(request.user, "view"), code=code)
    try:
        services.publish_theme(actor=request.user, theme=theme)
        messages.success(request, "一件事已发布。")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("services:theme", code=theme.code)


@login_required
def completeness(request):
    """事项要素完整率: per department, the items lacking required elements."""
    if not (_manages_items(request.user) or has_role(request.user, Role.SUPERVISOR)):
        return _forbidden(request)
    rows = selectors.completeness_by_department(request.user)
    total = sum(r.total for r in rows)
    incomplete = sum(len(r.incomplete) for r in rows)
    return render(request, "services/manage/completeness.html", {
        "rows": rows, "total": total, "incomplete": incomplete,
        "rate": 1 - incomplete / total if total else 1.0,
    })  # fmt: skip


@login_required
def export_xlsx(request):
    data = spreadsheet.export_items(ServiceItem.objects.restrict(request.user, "view"))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="service-items.xlsx"'
    return response


@login_required
def import_xlsx(request):
    if not _manages_items(request.user):
        return _forbidden(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > spreadsheet.MAX_BYTES:
            form.add_error("file", "文件超过 10 MB")
        else:
            try:
                result = spreadsheet.import_items(actor=request.user, data=upload.read())
            except ServiceError as exc:
                form.add_error("file", exc.message)
    return render(request, "services/manage/import.html", {"form": form, "result": result})
