"""Background work of the registries."""

from django_tasks import task

from yiwang.core.jobs import RESULT_LABELS, RESULT_VALUES, JobProgress, job_task, periodic
from yiwang.registry import loading
from yiwang.registry.choices import LoadStatus
from yiwang.registry.models import Load


class LoadCrashed(Exception):
    """The load ended with an internal error: its job fails too, with the error in its log."""


RESULT_LABELS.update(status="状态", valid="有效行数", invalid="问题行数", written="入库行数",
                     error="错误")  # fmt: skip
RESULT_VALUES["status"] = dict(LoadStatus.choices)


@job_task
def run_load_job(progress: JobProgress, *, load_id: str) -> dict:
    load = loading.run_load(Load.objects.get(pk=load_id), progress)
    if load.error_code == loading.INTERNAL_ERROR:
        raise LoadCrashed(load.error_message)
    progress.log(
        f"{load.get_status_display()}：有效 {load.rows_valid} 行，问题 {load.rows_invalid} 行，入库 {load.rows_written} 行"
    )
    return {"status": load.status, "valid": load.rows_valid, "invalid": load.rows_invalid,
            "written": load.rows_written, "error": load.error_message}  # fmt: skip


@periodic(300)
@task()
def recover_stale_loads() -> int:
    return loading.recover_stale_loads()
