"""yiwang sweep [--full] [--report]: run the deadline sweep now (it also runs every five minutes)."""

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from yiwang.supervision.sweep import sweep_deadlines


class Command(BaseCommand):
    help = "立即运行时限扫描（亮黄牌/红牌、督办逾期升级、差评整改超期）；--full 全量扫描；--report 生成上周周通报"

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="扫描全部在办件，而不只是有变化的")
        parser.add_argument("--report", action="store_true", help="同时生成上周的周通报")

    def handle(self, *args, full, report, **options):
        result = sweep_deadlines(full=True if full else None)
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        if report:
            from yiwang.supervision.reports import build_weekly_report, last_monday

            built = build_weekly_report(last_monday(timezone.localdate()))
            self.stdout.write(f"周通报：{built.week_start} {built.xlsx.name} {built.pdf.name}")
