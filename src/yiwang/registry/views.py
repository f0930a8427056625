"""Registry pages: loads of a resource (upload, follow, quarantine, re-run), records, quality."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yiwang.catalog.models import Resource
from yiwang.core.errors import ServiceError
from yiwang.core.spreadsheet import xlsx_bytes
from yiwang.registry import quality, selectors, services
from yiwang.registry.choices import LoadMode, problem_label
from yiwang.registry.downloads import quarantine_csv
from yiwang.registry.keys import stored_key
from yiwang.registry.models import Load, Record


class UploadForm(forms.Form):
    file = forms.FileField(label="数据文件（CSV / XLSX / JSON Lines）")
    mode = forms.ChoiceField(label="归集方式", choices=LoadMode.choices, initial=LoadMode.UPSERT)


@login_required
def resource_loads(request, resource_id: int):
    """归集: a resource's loads, and a form to hand over a new file."""
    resource = get_object_or_404(Resource.objects.restrict(request.user, "view"), pk=resource_id)
    may_load = Resource.objects.restrict(request.user, "load").filter(pk=resource.pk).exists()
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and may_load and form.is_valid():
        try:
            load = services.receive_file(actor=request.user, resource=resource, upload=form.cleaned_data["file"],
                                         mode=form.cleaned_data["mode"])  # fmt: skip
            return redirect("registry:load", load_id=load.pk)
        except ServiceError as exc:
            form.add_error("file", exc.message)
    loads = (
        Load.objects.restrict(request.user, "view")
        .filter(resource=resource)
        .order_by("-created_at", "-pk")
    )
    page = Paginator(loads, 50).get_page(request.GET.get("page"))
    return render(request, "registry/loads.html", {"resource": resource, "loads": page, "page": page, "form": form,
                                                   "may_load": may_load})  # fmt: skip


@login_required
def load_detail(request, load_id):
    load = get_object_or_404(
        Load.objects.restrict(request.user, "view").select_related("resource", "job"), pk=load_id
    )
    errors = selectors.quarantined_rows(request.user, load)[:100]
    report = getattr(load, "quality", None) if load.is_finished else None
    counts = report.error_counts if report else {}
    problems = [(problem_label(code), code, n) for code, n in counts.items()]  # 问题分布
    may_load = Resource.objects.restrict(request.user, "load").filter(pk=load.resource_id).exists()
    return render(request, "registry/load.html", {"load": load, "errors": errors, "report": report,
                                                  "problems": problems, "labels": quality.DIMENSION_LABELS,
                                                  "may_load": may_load})  # fmt: skip


@login_required
def load_status(request, load_id):
    """htmx fragment polled while the load runs."""
    load = get_object_or_404(
        Load.objects.restrict(request.user, "view").select_related("job"), pk=load_id
    )
    response = render(request, "registry/load_status.html", {"load": load})
    if load.is_finished and request.htmx:
        response["HX-Refresh"] = (
            "true"  # the page grows the report, the problem rows and the actions
        )
    return response


@login_required
def load_errors_csv(request, load_id):
    load = get_object_or_404(Load.objects.restrict(request.user, "view"), pk=load_id)
    return quarantine_csv(load, request.user)


@login_required
@require_POST
def load_rerun(request, load_id):
    load = get_object_or_404(Load.objects.restrict(request.user, "view"), pk=load_id)
    try:
        new = services.rerun_load(actor=request.user, load=load)
        return redirect("registry:load", load_id=new.pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("registry:load", load_id=load.pk)


@login_required
def records(request, resource_id: int):
    """The stored records, personal fields masked unless the viewer may see them."""
    resource = get_object_or_404(
        Resource.objects.restrict(request.user, "read_records"), pk=resource_id
    )
    fields = list(resource.fields.all())
    qs = Record.objects.filter(resource=resource).order_by("key")
    key = request.GET.get("key", "").strip()[:255]
    if key:  # typed as people write it: a lowercase x in a 身份号码 still finds it
        qs = qs.filter(key__startswith=stored_key([f.data_type for f in fields if f.is_key], key))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [selectors.masked_record(request.user, resource, r.data, fields) for r in page]
    return render(request, "registry/records.html", {"resource": resource, "fields": fields, "page": page,
                                                     "rows": rows, "key": key})  # fmt: skip


@login_required
def quality_overview(request):
    """数据质量: a score per department (chart) and per resource, exportable as XLSX."""
    overview = selectors.quality_overview(request.user)
    if request.GET.get("format") == "xlsx":
        return _quality_xlsx(overview)
    chart = {
        "names": [d["name"] for d in overview["departments"]],
        "scores": [d["score"] for d in overview["departments"]],
    }
    return render(
        request,
        "registry/quality.html",
        {**overview, "chart": chart, "labels": quality.DIMENSION_LABELS},
    )


QUALITY_COLUMNS = {"score": "得分", **quality.DIMENSION_LABELS}
FIGURE_COLUMNS = {"records": "登记簿记录数", "loads": "计入批次数", "rows": "计入行数"}


def _quality_xlsx(overview) -> HttpResponse:
    """The overview as a workbook: the same figures as the page, with what they were computed over."""
    header = ["资源代码", "资源名称", "提供方", *QUALITY_COLUMNS.values(), "最近归集",
              *FIGURE_COLUMNS.values()]  # fmt: skip
    rows = []
    for row in overview["rows"]:
        r, q = row["resource"], row["quality"]
        last_loaded = _local_minute(r.last_loaded_at) if r.last_loaded_at else ""
        scores = [q[k] if q else "" for k in QUALITY_COLUMNS]
        figures = [q[k] if q else "" for k in FIGURE_COLUMNS]
        rows.append([r.code, r.name, r.owner.name, *scores, last_loaded, *figures])
    departments = [[d["name"], d["score"], d["resources"]] for d in overview["departments"]]
    data = xlsx_bytes(
        {
            "资源质量": (header, rows),
            "部门得分": (["部门", "平均得分", "已评估资源数"], departments),
        }
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="data-quality.xlsx"'
    return response


def _local_minute(moment) -> str:
    """A moment as the pages show it, in the platform's time zone: ``2026-12-05 05:31``. Text,
    as the other exports write their dates; openpyxl cannot write an aware datetime, and a naive
    one would hide which zone it is in."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
