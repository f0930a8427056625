"""Background work of supervision: the deadline sweep every five minutes."""

from django_tasks import task

from yiwang.core.jobs import periodic


@periodic(300)
@task()
def sweep_deadlines() -> dict:
    """Cards for cases and tasks nearing or past their deadlines; late 督办 escalated."""
    from yiwang.supervision.sweep import sweep_deadlines as sweep

    return sweep().as_dict()


@periodic(3600)
@task()
def weekly_report() -> str:
    """Each hour: if last week's 周通报 is missing, write it; also refresh the last two days' stats.
    A report a supervisor built while the week was still running counts as missing: it lacks the
    week's last days."""
    import datetime

    from django.utils import timezone

    from yiwang.supervision import kpi
    from yiwang.supervision.models import WeeklyReport
    from yiwang.supervision.reports import build_weekly_report, last_monday

    today = timezone.localdate()
    kpi.refresh_daily(today - datetime.timedelta(days=1), today)
    monday = last_monday(today)
    week_over = datetime.datetime.combine(
        monday + datetime.timedelta(days=7), datetime.time.min, timezone.get_current_timezone()
    )
    if WeeklyReport.objects.filter(week_start=monday, created_at__gte=week_over).exists():
        return "exists"
    return str(build_weekly_report(monday).week_start)
