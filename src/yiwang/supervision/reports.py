"""周通报: the weekly report with a ranking of departments, written as XLSX and PDF."""

from __future__ import annotations

import datetime
import io

from django.core.files.base import ContentFile
from django.db import transaction

from yiwang.core.models import Organisation
from yiwang.core.spreadsheet import xlsx_bytes
from yiwang.supervision import kpi
from yiwang.supervision.models import WeeklyReport

COLUMNS = (
    ("rank", "排名"), ("organisation", "部门"), ("score", "综合得分"), ("received", "收件"),
    ("accepted", "受理"), ("finished", "办结"), ("on_time_rate", "按时办结率"),
    ("warning_rate", "预警率"), ("red_rate", "红牌率"), ("online_rate", "网办率"),
    ("satisfaction_rate", "满意率"), ("rectification_rate", "差评整改率"),
)  # fmt: skip
RATES = {"on_time_rate", "warning_rate", "red_rate", "online_rate", "satisfaction_rate",
         "rectification_rate"}  # fmt: skip


def score(row: dict) -> float:
    """综合得分 (0–100): 按时办结 40, 无红牌 20, 满意 20, 网办 10, 差评整改 10; no data counts as full."""

    def rate(name, default=1.0):
        value = row.get(name)
        return default if value is None else value

    return round(
        40 * rate("on_time_rate") + 20 * (1 - rate("red_rate", 0.0)) + 20 * rate("satisfaction_rate")
        + 10 * rate("online_rate") + 10 * rate("rectification_rate"),
        2,
    )  # fmt: skip


def ranking(start: datetime.date, end: datetime.date) -> list[dict]:
    """Departments with cases in the period, best first, from the daily aggregates."""
    counts = kpi.summarise(kpi.daily_counts(start, end))
    satisfaction = kpi.satisfaction(start, end)
    names = dict(Organisation.objects.filter(pk__in=counts).values_list("pk", "name"))
    rows = []
    for org_id, row in counts.items():
        merged = {
            **row,
            **satisfaction.get(org_id, {}),
            "organisation": names.get(org_id, str(org_id)),
        }
        merged["score"] = score(merged)
        rows.append(merged)
    rows.sort(key=lambda r: (-r["score"], r["organisation"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return [{key: row.get(key) for key, _ in COLUMNS} for row in rows]


def _cell(key: str, value):
    if value is None:
        return "—"
    return f"{value:.1%}" if key in RATES else value


def _xlsx(title: str, rows: list[dict]) -> bytes:
    header = [label for _, label in COLUMNS]
    body = [[_cell(k, r[k]) for k, _ in COLUMNS] for r in rows]
    return xlsx_bytes({title: (header, body)})


def _pdf(title: str, rows: list[dict]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    font = "STSong-Light"  # a CID font: nothing to ship or fetch, viewers supply the glyphs
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=title)
    heading = Paragraph(title, ParagraphStyle("h", fontName=font, fontSize=16, leading=22))
    data = [[label for _, label in COLUMNS]] + [
        [str(_cell(k, r[k])) for k, _ in COLUMNS] for r in rows
    ]
    table = Table(data, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
    ]))  # fmt: skip
    document.build([heading, table])
    return buffer.getvalue()


@transaction.atomic
def build_weekly_report(week_start: datetime.date) -> WeeklyReport:
    """Refresh the week's aggregates and write its report (replacing an earlier one)."""
    if week_start.weekday() != 0:
        raise ValueError("week_start must be a Monday")
    end = week_start + datetime.timedelta(days=6)
    kpi.refresh_daily(week_start, end)
    rows = ranking(week_start, end)
    title = f"政务服务周通报（{week_start:%Y-%m-%d} 至 {end:%Y-%m-%d}）"
    for old in WeeklyReport.objects.filter(week_start=week_start):
        files = [f for f in (old.xlsx, old.pdf) if f]
        old.delete()  # its files go once the new report is committed
        transaction.on_commit(lambda files=files: [f.storage.delete(f.name) for f in files])
    report = WeeklyReport(week_start=week_start, summary=rows)
    stem = f"weekly-{week_start:%Y%m%d}"
    report.xlsx.save(f"{stem}.xlsx", ContentFile(_xlsx("周通报", rows)), save=False)
    report.pdf.save(f"{stem}.pdf", ContentFile(_pdf(title, rows)), save=False)
    report.save()
    return report


def last_monday(today: datetime.date) -> datetime.date:
    """The Monday of the last complete week before `today`."""
    return today - datetime.timedelta(days=today.weekday() + 7)
