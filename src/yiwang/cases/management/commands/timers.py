"""yiwang timers: advance now the cases whose BPMN timer is due (the worker does it every minute)."""

import json

from django.core.management.base import BaseCommand

from yiwang.cases.timers import fire_due_timers


class Command(BaseCommand):
    help = "立即推进定时事件已到期的办件（后台任务进程每分钟运行一次）"

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(fire_due_timers().as_dict(), ensure_ascii=False))
