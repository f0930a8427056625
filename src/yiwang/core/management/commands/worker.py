"""yiwang worker: runs queued jobs (django-tasks database worker) and the periodic ones."""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from yiwang.core.jobs import PERIODIC


def _periodic():
    """(task, seconds between runs) declared with @periodic in every app's tasks module."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    return list(PERIODIC)


class Command(BaseCommand):
    help = "运行后台任务进程（数据库队列），并定时封存审计日志"

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="处理完已排队的任务后退出")

    def handle(self, *args, batch, **options):
        stop = threading.Event()
        if not batch:
            threading.Thread(target=self._schedule, args=(stop,), daemon=True).start()
        else:
            for task, _every in _periodic():
                task.enqueue()
        try:
            call_command(
                "db_worker",
                batch=batch,
                reload=False,
                startup_delay=False,
                interval=0.5,
                verbosity=options["verbosity"],
            )
        finally:
            stop.set()

    def _schedule(self, stop: threading.Event) -> None:
        from django.db import close_old_connections

        periodic = _periodic()
        elapsed = {task: every for task, every in periodic}
        while not stop.wait(1):
            for task, every in periodic:
                elapsed[task] += 1
                if elapsed[task] >= every:
                    elapsed[task] = 0
                    try:
                        task.enqueue()
                    except Exception:
                        self.stderr.write(f"无法排队 {task.name}")
                    finally:
                        close_old_connections()
        if settings.DEBUG:
            self.stdout.write("scheduler stopped")
