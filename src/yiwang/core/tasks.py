"""Background work of the foundation."""

from django_tasks import task

from yiwang.core import audit
from yiwang.core.jobs import RESULT_LABELS, RESULT_VALUES, JobProgress, job_task, periodic
from yiwang.core.models import AuditSeal


@periodic(30)
@task()
def seal_audit_events() -> int:
    """Seal whatever audit events wait (run periodically by `yiwang worker`)."""
    return audit.seal_all()


@periodic(3600)
@task()
def prune_task_results() -> None:
    """Drop finished task results older than a day from the database queue (it would grow forever)."""
    from django.conf import settings
    from django.core.management import call_command

    if settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
        call_command("prune_db_task_results", min_age_days=1, verbosity=0)


RESULT_LABELS.update(ok="校验结果", seals="封存批次", events="已校验事件", unsealed="待封存事件",
                     problems="发现的问题")  # fmt: skip
RESULT_VALUES["ok"] = {True: "通过", False: "未通过"}


@job_task
def verify_audit_log(progress: JobProgress) -> dict:
    """校验审计日志 as a job a supervisor can follow."""
    progress.start(AuditSeal.objects.count())
    report = audit.verify(on_seal=lambda: progress.advance())
    progress.log("校验通过" if report.ok else f"发现 {len(report.broken)} 处问题")
    return {
        "ok": report.ok,
        "seals": report.seals,
        "events": report.events,
        "unsealed": report.unsealed,
        "problems": [message for _id, message in report.broken[:100]],
    }
