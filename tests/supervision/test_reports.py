import datetime

import pytest
from openpyxl import load_workbook

from yiwang.supervision.models import WeeklyReport
from yiwang.supervision.reports import build_weekly_report, last_monday, score

pytestmark = pytest.mark.django_db


def this_monday():
    from django.utils import timezone

    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday())


def test_the_weekly_report_ranks_departments_and_writes_xlsx_and_pdf(activity, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}  # fmt: skip
    report = build_weekly_report(this_monday())
    assert [row["rank"] for row in report.summary] == list(range(1, len(report.summary) + 1))
    market = next(r for r in report.summary if r["organisation"] == "江澜市市场监督管理局")
    assert market["received"] == 3 and market["score"] == score(market)
    sheet = load_workbook(report.xlsx.path).active
    assert sheet.cell(1, 2).value == "部门" and sheet.max_row == len(report.summary) + 1
    with open(report.pdf.path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_building_a_week_again_replaces_its_report(activity):
    build_weekly_report(this_monday())
    build_weekly_report(this_monday())
    assert WeeklyReport.objects.count() == 1


def test_a_report_must_start_on_a_monday(activity):
    with pytest.raises(ValueError):
        build_weekly_report(this_monday() + datetime.timedelta(days=1))


def test_last_monday_is_the_start_of_the_last_complete_week():
    assert last_monday(datetime.date(2026, 11, 22)) == datetime.date(2026, 11, 9)  # a Sunday
    assert last_monday(datetime.date(2026, 11, 23)) == datetime.date(2026, 11, 16)  # a Monday


def test_the_score_rewards_on_time_work_and_satisfaction():
    good = {"on_time_rate": 1.0, "red_rate": 0.0, "satisfaction_rate": 1.0, "online_rate": 1.0,
            "rectification_rate": 1.0}  # fmt: skip
    late = {**good, "on_time_rate": 0.5, "red_rate": 0.5}
    assert score(good) == 100 and score(late) < score(good)


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}  # fmt: skip
    return tmp_path


def test_the_hourly_job_writes_last_weeks_report_as_xlsx_and_pdf(activity, media, time_machine):
    from django.utils import timezone

    from yiwang.supervision.tasks import weekly_report

    monday = this_monday()
    time_machine.move_to(timezone.now() + datetime.timedelta(days=7))  # this week is now last week
    result = weekly_report.enqueue()  # as the worker runs it (the test backend runs it at once)
    report = WeeklyReport.objects.get()
    assert result.return_value == str(monday) and report.week_start == monday
    assert any(r["organisation"] == "江澜市市场监督管理局" for r in report.summary)
    with report.xlsx.open("rb") as xlsx, report.pdf.open("rb") as pdf:
        assert xlsx.read(2) == b"PK" and pdf.read(5) == b"%PDF-"


def test_the_hourly_job_leaves_an_existing_report_alone(activity, media, time_machine):
    from django.utils import timezone

    from yiwang.supervision.tasks import weekly_report

    time_machine.move_to(timezone.now() + datetime.timedelta(days=7))
    weekly_report.enqueue()
    first = WeeklyReport.objects.get()
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=1))
    assert weekly_report.enqueue().return_value == "exists"
    again = WeeklyReport.objects.get()
    assert (again.pk, again.created_at, again.xlsx.name, again.pdf.name) == (
        first.pk, first.created_at, first.xlsx.name, first.pdf.name,
    )  # fmt: skip


def test_building_a_week_again_removes_the_files_it_replaces(
    activity, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        build_weekly_report(this_monday())
    with django_capture_on_commit_callbacks(execute=True):
        report = build_weekly_report(this_monday())
    kept = sorted(p.name for p in (media / "reports").iterdir())
    assert kept == sorted([report.xlsx.name.split("/")[-1], report.pdf.name.split("/")[-1]])


def test_the_hourly_job_rewrites_a_report_built_before_its_week_was_over(
    activity, media, time_machine
):
    from django.utils import timezone

    from yiwang.supervision.tasks import weekly_report

    monday = this_monday()
    build_weekly_report(monday)  # a supervisor's report of the week still running
    early = WeeklyReport.objects.get()
    time_machine.move_to(timezone.now() + datetime.timedelta(days=7))
    assert weekly_report.enqueue().return_value == str(monday)
    report = WeeklyReport.objects.get()
    assert report.pk != early.pk and report.week_start == monday
    assert timezone.localdate(report.created_at) > monday + datetime.timedelta(days=6)
