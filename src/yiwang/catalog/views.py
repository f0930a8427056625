"""Catalog pages: browse and search, the resource page, edit pages for data officers,
the department page, demands, and XLSX import/export."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from yiwang.catalog import panels, selectors, services, spreadsheet
from yiwang.catalog.choices import Category, ShareType
from yiwang.catalog.forms import (
    RESOURCE_FORM_FIELDS,
    DecisionForm,
    DemandForm,
    FieldFormSet,
    ImportForm,
    NegativeRemoveForm,
    ResourceForm,
)
from yiwang.catalog.models import Demand, Resource
from yiwang.core.errors import ServiceError
from yiwang.core.models import Organisation
from yiwang.core.permissions import can

MAX_ID = 2**63 - 1


def database_id(text: str) -> int | None:
    """A query-string id as an int, or None for anything else ("²" is a digit to isdigit())."""
    text = text.strip()
    if not (text.isascii() and text.isdecimal()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def browse(request):
    """资源目录: search (Chinese, two-character words found) and filter the resources one may see."""
    params = {
        "q": request.GET.get("q", "").strip()[:100],
        "category": request.GET.get("category")
        if request.GET.get("category") in Category.values
        else None,
        "share_type": request.GET.get("share_type")
        if request.GET.get("share_type") in ShareType.values
        else None,
    }
    owner = request.GET.get("owner", "")
    qs = selectors.resources(request.user, owner_id=database_id(owner), **params)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    kept = urlencode({k: v for k, v in {**params, "owner": owner}.items() if v})
    can_write = Organisation.objects.restrict(request.user, "write_catalog").exists()
    return render(request, "catalog/browse.html", {
        "page": page, "params": params, "kept": kept, "categories": Category.choices, "share_types": ShareType.choices,
        "can_write": can_write,
    })  # fmt: skip


def resource_detail(request, resource_id: int):
    resource = get_object_or_404(
        Resource.objects.restrict(request.user, "view").select_related("owner"), pk=resource_id
    )
    return render(request, "catalog/resource.html", {
        "resource": resource,
        "fields": resource.fields.all(),
        "versions": resource.versions.all()[:10],
        "can_edit": can(request.user, "change", resource),
        "can_demand": Organisation.objects.restrict(request.user, "write_catalog").exists(),
        "negative": getattr(resource, "negative_entry", None),
        "panels": panels.render_context(request, resource),
    })  # fmt: skip


def _field_initial(resource):
    return [
        {"code": f.code, "name": f.name, "data_type": f.data_type, "length": f.length, "required": f.required,
         "is_key": f.is_key, "is_personal": f.is_personal, "filterable": f.filterable,
         "enum_values": "、".join(f.enum_values or []), "description": f.description}
        for f in resource.fields.all()
    ]  # fmt: skip


@login_required
def resource_edit(request, resource_id: int | None = None):
    """编目/修改: the resource's description and its 信息项 on one page."""
    resource = None
    if resource_id is not None:
        resource = get_object_or_404(
            Resource.objects.restrict(request.user, "change"), pk=resource_id
        )
    elif not Organisation.objects.restrict(request.user, "write_catalog").exists():
        return render(request, "core/forbidden.html", status=403)
    form = ResourceForm(request.POST or None, instance=resource, actor=request.user)
    formset = FieldFormSet(
        request.POST or None, initial=_field_initial(resource) if resource else None, prefix="f"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        for f in fields:
            f.pop("DELETE", None)
        attrs = {k: form.cleaned_data[k] for k in RESOURCE_FORM_FIELDS if k in form.cleaned_data}
        owner = attrs.pop("owner")
        try:
            if resource is None:
                resource = services.create_resource(
                    actor=request.user, owner=owner, fields=fields, **attrs
                )
                messages.success(request, "资源已编目（草稿），检查无误后请发布。")
            else:
                attrs.pop("code", None)
                stamp = resource.updated_at
                saved = services.update_resource(actor=request.user, resource=resource, fields=fields, owner=owner,
                                                 note=request.POST.get("note", "")[:200], **attrs)  # fmt: skip
                # the service saves (and stamps) a resource only when the form changed it
                changed = saved.updated_at != stamp
                messages.success(
                    request, "资源已保存。" if changed else "内容没有变化，未产生新版本。"
                )
            return redirect("catalog:resource", resource_id=resource.pk)
        except ServiceError as exc:
            form.add_error(None, exc.message)
            for name, errors in exc.detail.get("fields", {}).items():
                if name in form.fields:
                    form.add_error(name, errors)
    return render(
        request, "catalog/edit.html", {"form": form, "formset": formset, "resource": resource}
    )


def _resource_action(request, resource_id: int, act, done: str):
    """Run one action button of the resource page and come back with its outcome."""
    resource = get_object_or_404(Resource.objects.restrict(request.user, "view"), pk=resource_id)
    try:
        act(resource)
        messages.success(request, done.format(resource=resource))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("catalog:resource", resource_id=resource.pk)


@login_required
@require_POST
def resource_publish(request, resource_id: int):
    return _resource_action(request, resource_id, lambda r: services.publish_resource(actor=request.user, resource=r),
                            "资源已发布（版本 {resource.version}）。")  # fmt: skip


@login_required
@require_POST
def resource_retire(request, resource_id: int):
    reason = request.POST.get("reason", "")[:300]
    return _resource_action(request, resource_id,
                            lambda r: services.retire_resource(actor=request.user, resource=r, reason=reason),
                            "资源已停用。")  # fmt: skip


@login_required
@require_POST
def resource_negative(request, resource_id: int):
    basis = request.POST.get("legal_basis", "")[:500]
    return _resource_action(request, resource_id,
                            lambda r: services.add_to_negative_list(actor=request.user, resource=r, legal_basis=basis),
                            "已列入负面清单。")  # fmt: skip


@login_required
@require_POST
def resource_negative_remove(request, resource_id: int):
    form = NegativeRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("catalog:resource", resource_id=resource_id)
    return _resource_action(request, resource_id,
                            lambda r: services.remove_from_negative_list(actor=request.user, resource=r,
                                                                         **form.cleaned_data),
                            "已移出负面清单，资源恢复共享。")  # fmt: skip


def department(request, org_id: int):
    """部门页: resources, demands (met or not), responsibilities (overdue or not)."""
    organisation = get_object_or_404(Organisation.objects.restrict(request.user, "view"), pk=org_id)
    summary = selectors.department_summary(request.user, organisation)
    decidable = set(Demand.objects.restrict(request.user, "decide").values_list("pk", flat=True))
    incoming = Demand.objects.restrict(request.user, "view").filter(resource__owner=organisation).select_related(
        "requester", "resource")  # fmt: skip
    # A demand for data not in the catalog has no owner to answer it among `incoming`: the
    # administrator above the requester answers it here, in the requester's own list.
    answers_own = any(d.pk in decidable for d in summary["demands"])
    return render(request, "catalog/department.html", {
        **summary, "incoming": incoming, "decidable": decidable, "answers_own": answers_own,
        "decision_form": DecisionForm(),
    })  # fmt: skip


@login_required
def demand_new(request):
    form = DemandForm(
        request.POST or None, actor=request.user, initial={"resource": request.GET.get("resource")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            demand = services.create_demand(actor=request.user, requester=data["requester"],
                                            resource=data["resource"], purpose=data["purpose"],
                                            description=data["description"], field_codes=data["field_codes"])  # fmt: skip
            messages.success(request, "数据需求已登记。")
            return redirect("catalog:department", org_id=demand.requester_id)
        except ServiceError as exc:
            form.add_error(None, exc.message)
    return render(request, "catalog/demand_new.html", {"form": form})


@login_required
@require_POST
def demand_decide(request, demand_id: int):
    demand = get_object_or_404(Demand.objects.restrict(request.user, "view"), pk=demand_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_demand(actor=request.user, demand=demand, **form.cleaned_data)
            messages.success(request, "需求已答复。")
        except ServiceError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    owner_id = demand.resource.owner_id if demand.resource else demand.requester_id
    return redirect("catalog:department", org_id=owner_id)


def export_xlsx(request):
    data = spreadsheet.export_catalog(Resource.objects.restrict(request.user, "view"))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="catalog.xlsx"'
    return response


@login_required
def import_xlsx(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            form.add_error("file", "文件超过 10 MB")
        else:
            try:
                result = spreadsheet.import_catalog(actor=request.user, data=upload.read())
            except ServiceError as exc:
                form.add_error("file", exc.message)
    return render(request, "catalog/import.html", {"form": form, "result": result})
