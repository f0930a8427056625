"""Background jobs people can follow: a Job record around a Django Tasks task.

``start_job`` creates the Job and enqueues its task when the transaction
commits; the task body receives a ``JobProgress`` that writes progress at most
a few times a second, so a job of a million rows does not become a million
UPDATEs.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from yiwang.core.choices import JobStatus
from yiwang.core.models import Job
from yiwang.core.permissions import is_user

LOG_LIMIT = 20_000
log = logging.getLogger("yiwang.jobs")


class JobProgress:
    """Progress of one running job; `on_change` lets a CLI draw a bar too."""

    def __init__(
        self,
        job: Job | None = None,
        *,
        on_change: Callable[[int, int], None] | None = None,
        interval: float = 0.5,
    ):
        self.job = job
        self.on_change = on_change
        self.interval = interval
        self.done = 0
        self.total = 0
        self._last_write = 0.0
        # How progress reaches the job row; a load in one long transaction sends it through a
        # connection of its own, so that the page sees it move (`registry.loading`).
        self.writer: Callable[[Job, int, int], None] = write_progress

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self._flush(force=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._flush()

    def log(self, line: str) -> None:
        if self.job is not None:
            self.job.log = (self.job.log + f"[{timezone.localtime():%H:%M:%S}] {line}\n")[
                -LOG_LIMIT:
            ]
            Job.objects.filter(pk=self.job.pk).update(log=self.job.log)

    def _flush(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self.interval and self.done < self.total:
            return
        self._last_write = now
        if self.on_change:
            self.on_change(self.done, self.total)
        if self.job is not None:
            self.writer(self.job, self.done, self.total)


def write_progress(job: Job, done: int, total: int) -> None:
    """Progress to the job row, through the default connection."""
    Job.objects.filter(pk=job.pk).update(done=done, total=total)


# How a job's result reads on its page, by result key: each app names the keys its jobs answer
# (the API answers the keys themselves). `RESULT_VALUES` names the values of a key, where needed.
RESULT_LABELS: dict[str, str] = {}
RESULT_VALUES: dict[str, dict] = {}


def result_rows(result: dict) -> list[tuple[str, str]]:
    """A job's result as (label, value) lines in Chinese for its page."""
    rows = []
    for key, value in result.items():
        named = RESULT_VALUES.get(key, {})
        if isinstance(value, bool):
            value = named.get(value, "是" if value else "否")
        elif isinstance(value, list | tuple):
            value = "；".join(str(v) for v in value) or "无"
        elif value in ("", None):
            value = "—"
        else:
            value = named.get(value, value)
        rows.append((RESULT_LABELS.get(key, key), value))
    return rows


PERIODIC: list[tuple[object, int]] = []


def periodic(seconds: int):
    """Mark a task to be enqueued every `seconds` by `yiwang worker` (each app declares its own)."""

    def register(task_):
        PERIODIC.append((task_, seconds))
        return task_

    return register


def start_job(*, actor, kind: str, title: str, job_task, **kwargs) -> Job:
    """Create a Job and enqueue `job_task(job_id=..., **kwargs)` once the transaction commits."""
    job = Job.objects.create(kind=kind, title=title, created_by=actor if is_user(actor) else None)
    transaction.on_commit(lambda: job_task.enqueue(job_id=str(job.pk), **kwargs))
    return job


def job_task(func: Callable[..., dict | None]):
    """Turn `func(progress, **kwargs) -> result` into a task run under a Job record."""

    @functools.wraps(func)
    def run(*, job_id: str, **kwargs):
        job = Job.objects.get(pk=job_id)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
        progress = JobProgress(job)
        try:
            result = func(progress, **kwargs) or {}
        except Exception as exc:
            # The person following the job sees the error; the traceback (server paths, code) is
            # for operators: in the server log and the task's result, not on the job page.
            log.exception("job %s (%s) failed", job.pk, job.kind)
            progress.log(f"失败：{exc}")
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.FAILED, finished_at=timezone.now(), done=progress.done
            )
            raise
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            finished_at=timezone.now(),
            result=result,
            done=progress.total or progress.done,
        )
        return result

    return task(run)
