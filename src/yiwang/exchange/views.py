"""Exchange pages: access requests (both sides), grants, and 我的数据使用记录 for citizens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from yiwang.catalog.choices import ResourceStatus
from yiwang.catalog.models import Field, Resource
from yiwang.catalog.permissions import staff_org_ids
from yiwang.core.errors import ServiceError
from yiwang.core.models import ApiClient
from yiwang.exchange import case_numbers, selectors, services
from yiwang.exchange.case_numbers import is_case_number
from yiwang.exchange.choices import GrantStatus, RequestStatus
from yiwang.exchange.forms import AccessRequestForm, ApproveForm, GrantStatusForm, RejectForm
from yiwang.exchange.inputs import ascii_int
from yiwang.exchange.models import AccessRequest, ExchangeLog, Grant

DONE = {
    GrantStatus.ACTIVE: "已恢复",
    GrantStatus.SUSPENDED: "已暂停",
    GrantStatus.REVOKED: "已撤销",
}


def _fields_of(resource: Resource, codes: list[str]) -> list[Field]:
    """The resource's fields named by `codes`, in the order of the codes (prefetched fields)."""
    by_code = {f.code: f for f in resource.fields.all()}
    return [by_code[c] for c in codes if c in by_code]


def _names(resource: Resource, codes: list[str]) -> list[str]:
    by_code = {f.code: f.name for f in resource.fields.all()}
    return [by_code.get(c, c) for c in codes]


@login_required
def requests(request):
    """共享申请: the requests waiting for this user's decision, and those their departments made."""
    pending = list(AccessRequest.objects.restrict(request.user, "decide").filter(status=RequestStatus.PENDING)
                   .select_related("requester", "client__organisation", "resource")
                   .prefetch_related("resource__fields"))  # fmt: skip
    for r in pending:
        r.requested = _fields_of(r.resource, r.field_codes)
        r.personal = [f for f in r.requested if f.is_personal]
    own = (AccessRequest.objects.restrict(request.user, "view")
           .filter(requester_id__in=staff_org_ids(request.user))
           .select_related("requester", "client__organisation", "resource__owner")
           .prefetch_related("resource__fields").order_by("-created_at", "-pk"))  # fmt: skip
    page = Paginator(own, 100).get_page(ascii_int(request.GET.get("page"), default=1))
    page.object_list = list(page.object_list)
    for r in page.object_list:
        r.field_names = _names(r.resource, r.field_codes)
    can_ask = ApiClient.objects.restrict(request.user, "view").exists()
    return render(request, "exchange/requests.html", {"pending": pending, "own": page.object_list,
                                                      "page": page, "can_ask": can_ask})  # fmt: skip


@login_required
def request_new(request):
    """申请共享: one of the department's systems asks for a published resource."""
    form = AccessRequestForm(request.POST or None, actor=request.user,
                             initial={"resource": request.GET.get("resource")})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["expected_volume"] = data["expected_volume"] or 0
        client, resource = data.pop("client"), data.pop("resource")
        try:
            access = services.request_access(
                actor=request.user, client=client, resource=resource, **data
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            _tell_outcome(request, access)
            return redirect("exchange:requests")
    has_clients = form.fields["client"].queryset.exists()
    return render(request, "exchange/request_new.html", {"form": form, "has_clients": has_clients})


def _tell_outcome(request, access: AccessRequest) -> None:
    if access.status == RequestStatus.APPROVED:
        messages.success(
            request, f"申请结果：已批准。「{access.resource.name}」为无条件共享，授权已生效。"
        )
    elif access.status == RequestStatus.REFUSED:
        messages.error(request, f"申请结果：不予共享。{access.decision_reason}")
    else:
        messages.info(request, f"申请结果：待审核。「{access.resource.name}」为有条件共享，"
                               f"请等待{access.resource.owner.name}审核。")  # fmt: skip


@login_required
@require_POST
def request_decide(request, request_id: int):
    """批准 (possibly fewer fields, some in clear) or 驳回 (with a reason) one pending request."""
    access = get_object_or_404(
        AccessRequest.objects.restrict(request.user, "decide").select_related(
            "resource", "requester"
        ),
        pk=request_id,
    )
    approve = request.POST.get("decision") == "approve"
    if approve:
        form = ApproveForm(request.POST, requested=_fields_of(access.resource, access.field_codes))
    else:
        form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("exchange:requests")
    try:
        services.decide_request(
            actor=request.user, request=access, approve=approve, **form.cleaned_data
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        done = "已批准，授权已生效" if approve else "已驳回"
        messages.success(
            request, f"{access.requester.name}对「{access.resource.name}」的申请{done}。"
        )
    return redirect("exchange:requests")


@login_required
def grants(request):
    """共享授权: what the user's departments were granted and what they granted others."""
    grants = (Grant.objects.restrict(request.user, "view")
              .select_related("client__organisation", "resource__owner")
              .prefetch_related("resource__fields").order_by("-created_at", "-pk"))  # fmt: skip
    page = Paginator(grants, 100).get_page(ascii_int(request.GET.get("page"), default=1))
    shown = page.object_list = list(page.object_list)
    changeable = set(
        Grant.objects.restrict(request.user, "change")
        .filter(pk__in=[g.pk for g in shown])
        .values_list("pk", flat=True)
    )
    for g in shown:
        g.field_names = _names(g.resource, g.field_codes)
        g.clear_names = _names(g.resource, g.clear_fields)
        g.changeable = g.pk in changeable and g.status != GrantStatus.REVOKED
        g.resource_retired = g.resource.status == ResourceStatus.RETIRED  # it can only be revoked
        g.is_in_force, g.state = g.in_force(), g.state_label()
    return render(request, "exchange/grants.html", {"grants": shown, "page": page})


@login_required
@require_POST
def grant_status(request, grant_id: int):
    grant = get_object_or_404(
        Grant.objects.restrict(request.user, "change").select_related("resource", "client"),
        pk=grant_id,
    )
    form = GrantStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("exchange:grants")
    status, reason = form.cleaned_data["status"], form.cleaned_data["reason"]
    try:
        services.set_grant_status(actor=request.user, grant=grant, status=status, reason=reason)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{grant.client.name}对「{grant.resource.name}」的授权{DONE[status]}。"
        )
    return redirect("exchange:grants")


@login_required
def my_data(request):
    """我的数据使用记录: every exchange that read or changed the user's (or their company's) record."""
    page = Paginator(selectors.usage_for(request.user), 50).get_page(
        ascii_int(request.GET.get("page"), default=1)
    )
    names = _usage_field_names(page.object_list)
    for u in page.object_list:
        u["field_names"] = [names.get((u["resource_id"], c), c) for c in u["fields"]]
    identified = bool(request.user.id_number) or request.user.agencies.exists()
    return render(request, "exchange/my_data.html", {"page": page, "identified": identified})


def _usage_field_names(usages: list[dict]) -> dict[tuple[int, str], str]:
    """Field names for the logged field codes, by (resource id, code): resources of different
    departments may bear the same name and call a field code differently."""
    resources = {u["resource_id"] for u in usages if u["resource_id"]}
    codes = {c for u in usages for c in u["fields"]}
    if not resources:
        return {}
    rows = Field.objects.filter(resource_id__in=resources, code__in=codes)
    return {
        (resource_id, code): label
        for resource_id, code, label in rows.values_list("resource_id", "code", "name")
    }


@login_required
def statistics(request):
    """交换统计: calls, records and errors per day — in all, and per resource, department or
    system (the chosen dimension: a chart and a day-by-day table); XLSX export of every dimension."""
    days = ascii_int(request.GET.get("days"), default=30, high=366)
    by = request.GET.get("by") if request.GET.get("by") in selectors.DIMENSIONS else "resource"
    stats = selectors.daily_statistics(request.user, days=days)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            statistics_xlsx(request.user, stats, days),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="exchange-statistics.xlsx"'
        return response
    daily = selectors.daily_by(request.user, by, days=days)
    for row in daily:
        row["label"] = key_label(by, row)
    chart = {
        "days": [d["day"].isoformat() for d in stats["per_day"]],
        "calls": [d["calls"] for d in stats["per_day"]],
        "errors": [d["errors"] for d in stats["per_day"]],
        "series": _series(daily, [d["day"] for d in stats["per_day"]]),
    }
    totals = [{**r, "label": key_label(by, r)} for r in stats[f"per_{by}"]]
    return render(request, "exchange/statistics.html", {
        **stats, "chart": chart, "by": by, "dimensions": [(k, v[0]) for k, v in selectors.DIMENSIONS.items()],
        "by_label": selectors.DIMENSIONS[by][0], "dimension_totals": totals,
        "daily": daily[-DAILY_ROWS_SHOWN:][::-1], "daily_cut": len(daily) > DAILY_ROWS_SHOWN,
    })  # fmt: skip


DAILY_ROWS_SHOWN = 500


def key_label(dimension: str, row: dict) -> str:
    """How a statistics row names its resource, department or system."""
    if dimension == "resource":
        return row["resource__name"] or "（未找到资源）"
    if dimension == "department":
        return row["organisation__name"] or "（未认证的调用）"
    if row["client__name"] is None:
        return "（未认证的调用）"
    return f"{row['client__name']}（{row['client__organisation__uscc']}/{row['client__subsystem_code']}）"


def _series(daily: list[dict], days: list) -> list[dict]:
    """Calls per day of the busiest keys, one line each, and the rest as 其他."""
    totals: dict[str, int] = {}
    for row in daily:
        totals[row["label"]] = totals.get(row["label"], 0) + row["calls"]
    top = sorted(totals, key=lambda k: (-totals[k], k))[: selectors.TOP_SERIES]
    index = {day: i for i, day in enumerate(days)}
    lines = {name: [0] * len(days) for name in [*top, "其他"]}
    for row in daily:
        name = row["label"] if row["label"] in top else "其他"
        lines[name][index[row["day"]]] += row["calls"]
    return [{"name": n, "calls": c} for n, c in lines.items() if n != "其他" or any(c)]


def statistics_xlsx(user, stats: dict, days: int) -> bytes:
    """Sheets 每日 (totals per day) and one per dimension with a row per day × key."""
    from yiwang.core.spreadsheet import xlsx_bytes

    measures = ["调用次数", "记录数", "错误数"]

    def rows(items, *keys):
        for i in items:
            yield [*(i[k] for k in keys), i["calls"], i["records"] or 0, i["errors"]]

    def daily(dimension, *keys):
        items = selectors.daily_by(user, dimension, days=days)
        return rows(({**i, "day": i["day"].isoformat()} for i in items), "day", *keys)

    return xlsx_bytes({
        "每日": (["日期", *measures], rows(({**d, "day": d["day"].isoformat()} for d in stats["per_day"]), "day")),
        "按资源": (["日期", "资源代码", "资源", *measures], daily("resource", "resource__code", "resource__name")),
        "按部门": (["日期", "部门", *measures], daily("department", "organisation__name")),
        "按应用系统": (["日期", "单位信用代码", "子系统", "名称", *measures],
                  daily("client", "client__organisation__uscc", "client__subsystem_code", "client__name")),
    })  # fmt: skip


@login_required
def exchange_log(request):
    """交换日志: the latest exchanges the user may see, or those linked to one 办件编号."""
    number = request.GET.get("case", "").strip()[:64]
    if number and not is_case_number(number):
        messages.error(request, case_numbers.MESSAGE.replace("X-Case-Number", "办件编号"))
        logs = ExchangeLog.objects.none()
    elif number:
        logs = selectors.exchanges_for_case(number, request.user)
    else:
        logs = (ExchangeLog.objects.restrict(request.user, "view")
                .select_related("client", "organisation", "resource").order_by("-occurred_at"))  # fmt: skip
    page = Paginator(logs, 50).get_page(ascii_int(request.GET.get("page"), default=1))
    return render(request, "exchange/log.html", {"page": page, "case": number})
