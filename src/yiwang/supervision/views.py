"""电子监察 pages: the supervisor's board, 督办, a department's cards, the KPI dashboard, 周通报."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yiwang.cases.models import Case
from yiwang.core.errors import NotFound, ServiceError
from yiwang.core.models import Organisation
from yiwang.core.utils import query_id
from yiwang.supervision import kpi, selectors, services
from yiwang.supervision.choices import CardLevel, NoticeStatus
from yiwang.supervision.forms import NoticeForm, PeriodForm, ReplyForm, WeekForm
from yiwang.supervision.models import Card, WeeklyReport
from yiwang.supervision.reports import COLUMNS as REPORT_COLUMNS
from yiwang.supervision.reports import RATES as REPORT_RATES
from yiwang.supervision.reports import build_weekly_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def supervisor_only(view):
    """Pages of 监察人员: anonymous users log in; other users are told the page is not theirs."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not selectors.is_supervisor(request.user):
            return render(request, "core/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def staff_only(view):
    """Pages of supervisors and department staff."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (selectors.is_supervisor(user) or selectors.department_ids(user)):
            return render(request, "core/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


@supervisor_only
def board(request):
    """监察看板: open cards by department and by item, a 30-day trend, open red cards to press."""
    user, today = request.user, timezone.localdate()
    red = selectors.open_cards(user).filter(level=CardLevel.RED).order_by("due_date", "id")
    waiting = selectors.notices(user).filter(
        status__in=[NoticeStatus.SENT, NoticeStatus.OVERDUE], replied_at__isnull=True
    )  # a late reply keeps the escalation on record, but the notice no longer waits
    by_department = selectors.cards_by(user, "organisation")
    return render(request, "supervision/board.html", {
        "by_department": by_department, "open_total": sum(r["total"] for r in by_department),
        "by_item": selectors.cards_by(user, "item")[:50],
        "trend": selectors.trend(user, today=today), "red_cards": red[:200],
        "open_notices": [(n, selectors.is_late(n, today)) for n in waiting[:100]],
        "overrun": _overrun_special_procedures(today),
        "today": today,
    })  # fmt: skip


def _overrun_special_procedures(today) -> list:
    """特别程序 past their planned end: the clock is stopped, so no card will ever come; the
    board lists them so that a supervisor can press the department (督办 on the case)."""
    from yiwang.cases.selectors import overrun_special_procedures

    return list(overrun_special_procedures(today=today)[:100])


def _notice_target(request):
    """The card or case a 督办 is about, from ?card= or ?case=; 404 if not visible."""
    source = request.POST if request.method == "POST" else request.GET
    card_id, number = query_id(source.get("card", "")), source.get("case", "")
    if card_id is not None:
        card = Card.objects.restrict(request.user).filter(pk=card_id).select_related("case").first()
        if card is None:
            raise Http404("警示牌不存在或无权访问")
        return card, card.case, Organisation.objects.filter(pk=card.organisation_id)
    case = Case.objects.restrict(request.user).filter(number=number).first() if number else None
    if case is None:
        raise Http404("请从警示牌或办件页面发起督办")
    return None, case, case.participants.order_by("name")


@supervisor_only
def notice_new(request):
    """发起督办 about a card or a case: the message and the reply deadline."""
    card, case, organisations = _notice_target(request)
    form = NoticeForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_notice(actor=request.user, card=card, case=case, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已向{form.cleaned_data['organisation'].name}发出督办")
            return redirect("supervision:board")
    return render(
        request, "supervision/notice_new.html", {"form": form, "card": card, "case": case}
    )


@staff_only
def mine(request):
    """本部门: my departments' open cards, the 督办 they received, and the late 督办 of the
    departments below them escalated to them; late ones marked."""
    user, today = request.user, timezone.localdate()
    own = selectors.department_ids(user)
    cards = list(
        selectors.open_cards(user)
        .filter(organisation_id__in=own)
        .order_by("level", "due_date")[:300]  # red before yellow
    )
    selectors.hide_anonymous_cases(cards)
    received = selectors.notices(user).filter(organisation_id__in=own)[:200]
    escalated = selectors.notices(user).filter(escalated_to_id__in=own)[:200]
    return render(request, "supervision/mine.html", {
        "cards": cards, "today": today,
        "notices": [(n, selectors.is_late(n, today)) for n in received],
        "escalated": [(n, selectors.is_late(n, today)) for n in escalated],
    })  # fmt: skip


@login_required
@require_POST
def notice_reply(request, notice_id: int):
    """回复督办: the department says what it did."""
    notice = selectors.notices(request.user).filter(pk=notice_id).first()
    if notice is None:
        raise Http404("督办不存在或无权访问")
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reply"][0])
        return redirect("supervision:mine")
    try:
        services.reply_notice(actor=request.user, notice=notice, reply=form.cleaned_data["reply"])
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "督办回复已提交")
    return redirect("supervision:mine")


# --- KPI dashboard ---------------------------------------------------------------------------

COLUMNS = (
    ("received", "收件", "n"), ("accepted", "受理", "n"), ("finished", "办结", "n"),
    ("on_time_rate", "按时办结率", "%"), ("warning_rate", "预警率", "%"), ("red_rate", "红牌率", "%"),
    ("online_rate", "网办率", "%"), ("immediate_share", "即办件占比", "%"),
    ("compression_ratio", "承诺时限压缩比", "%"), ("avg_case_days", "平均办理天数", "d"),
    ("avg_step_days", "平均环节天数", "d"), ("one_visit_share", "最多跑一次", "%"),
    ("zero_visit_share", "零跑动", "%"), ("satisfaction_rate", "满意率", "%"),
    ("rectification_rate", "差评整改率", "%"), ("completeness", "要素完整率", "%"),
)  # fmt: skip
MAX_ROWS = 200


def _shown(value, kind):
    if value is None:
        return "—"
    if kind == "%":
        return f"{value:.1%}"
    return f"{value:.1f}" if kind == "d" else value


def _filters(request):
    """The dashboard's filters (bound even when empty, so the defaults apply) and the
    departments they select: a department's staff never see beyond their own."""
    organisations = selectors.dashboard_organisations(request.user)
    form = PeriodForm(request.GET, organisations=organisations)
    if not form.is_valid():
        return form, None
    chosen = form.cleaned_data.get("organisation")
    if chosen is not None:
        ids = {chosen.pk}
    elif selectors.is_supervisor(request.user):
        ids = None
    else:
        ids = set(organisations.values_list("pk", flat=True))
    return form, {**form.cleaned_data, "organisation_ids": ids}


@staff_only
def dashboard(request):
    """KPI 看板: a period and a department; a table, two charts, and the table as XLSX."""
    form, chosen = _filters(request)
    if chosen is None:
        return render(request, "supervision/dashboard.html", {"form": form, "rows": []})
    by = chosen["by"]
    rows = selectors.kpi_rows(start=chosen["start"], end=chosen["end"], by=by,
                              organisation_ids=chosen["organisation_ids"])  # fmt: skip
    columns = COLUMNS
    table = [(r, [(label, _shown(r.get(key), kind)) for key, label, kind in columns]) for r in rows]
    if request.GET.get("format") == "xlsx":
        return _dashboard_xlsx(chosen, columns, table)
    cut = len(rows) > MAX_ROWS  # a city has thousands of items: the page shows the busiest
    if cut:
        keep = sorted(range(len(rows)), key=lambda i: (-rows[i]["received"], rows[i]["name"]))[
            :MAX_ROWS
        ]
        rows, table = [rows[i] for i in sorted(keep)], [table[i] for i in sorted(keep)]
    chart = {
        "names": [r["name"] for r in rows],
        "received": [r["received"] for r in rows],
        "finished": [r["finished"] for r in rows],
        "on_time": [None if r["on_time_rate"] is None else round(100 * r["on_time_rate"], 1) for r in rows],
        "satisfaction": [None if r.get("satisfaction_rate") is None else round(100 * r["satisfaction_rate"], 1)
                         for r in rows],
    }  # fmt: skip
    return render(request, "supervision/dashboard.html", {
        "form": form, "rows": table, "columns": columns, "chart": chart, **chosen,
        "last_day": selectors.last_refresh(), "is_supervisor": selectors.is_supervisor(request.user),
        "query": request.GET.urlencode(), "cut": cut, "max_rows": MAX_ROWS,
    })  # fmt: skip


def _dashboard_xlsx(chosen, columns, table) -> HttpResponse:
    from yiwang.core.spreadsheet import xlsx_bytes

    header = ["部门" if chosen["by"] == "organisation" else "事项"] + [c[1] for c in columns]
    body = [[r["name"]] + [value for _, value in cells] for r, cells in table]
    response = HttpResponse(xlsx_bytes({"政务服务指标": (header, body)}), content_type=XLSX)
    name = f"kpi-{chosen['start']:%Y%m%d}-{chosen['end']:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@supervisor_only
@require_POST
def dashboard_refresh(request):
    """重新统计: rebuild the daily aggregates of the shown period (synchronously: a few seconds)."""
    # The department only carries the page's filter back; the refresh covers every department.
    form = PeriodForm(request.POST, organisations=selectors.dashboard_organisations(request.user))
    if not form.is_valid():
        fields = [f"{form[name].label}：{errors[0]}" for name, errors in form.errors.items()
                  if name != "__all__"]  # fmt: skip
        messages.error(request, "；".join([*form.non_field_errors(), *fields]) or "统计期间无效")
        return redirect("supervision:dashboard")
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    rows = kpi.refresh_daily(start, end)
    messages.success(request, f"已重新统计 {start} 至 {end} 的数据（{rows} 条日统计）")
    query = urlencode({"start": start, "end": end, "organisation": request.POST.get("organisation", ""),
                       "by": request.POST.get("by", "")})  # fmt: skip
    return redirect(f"{reverse('supervision:dashboard')}?{query}")


# --- 周通报 -----------------------------------------------------------------------------------


@staff_only
def reports(request):
    """周通报 list: each week's ranking, downloadable as XLSX and PDF; supervisors build one."""
    return render(request, "supervision/reports.html", {
        "reports": WeeklyReport.objects.all()[:104], "form": WeekForm(),
        "is_supervisor": selectors.is_supervisor(request.user),
    })  # fmt: skip


@supervisor_only
@require_POST
def report_build(request):
    """生成周通报 for a week now (synchronously; the hourly job writes last week's by itself)."""
    form = WeekForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["day"][0])
        return redirect("supervision:reports")
    report = build_weekly_report(form.cleaned_data["day"])
    messages.success(request, f"已生成{report}")
    return redirect("supervision:report", report_id=report.pk)


@staff_only
def report_detail(request, report_id: int):
    """One 周通报: its ranking as a table, and its files."""
    report = get_object_or_404(WeeklyReport, pk=report_id)
    rows = [
        [
            (label, _shown(row.get(key), "%" if key in REPORT_RATES else "n"))
            for key, label in REPORT_COLUMNS
        ]
        for row in report.summary
    ]
    return render(request, "supervision/report.html", {"report": report, "rows": rows})


@staff_only
def report_file(request, report_id: int, kind: str):
    report = get_object_or_404(WeeklyReport, pk=report_id)
    field = {"xlsx": report.xlsx, "pdf": report.pdf}.get(kind)
    if not field:
        raise Http404("文件不存在")
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件不存在，请重新生成该周通报") from exc
    name = f"weekly-{report.week_start:%Y%m%d}.{kind}"
    return FileResponse(handle, as_attachment=True, filename=name)
