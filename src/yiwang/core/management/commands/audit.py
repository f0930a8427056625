"""yiwang audit verify | seal: check the audit log's seals, or seal what waits."""

from django.core.management.base import BaseCommand, CommandError

from yiwang.core import audit, progressbar
from yiwang.core.models import AuditSeal


class Command(BaseCommand):
    help = "审计日志：verify 校验全部封存并指出第一个被篡改或删除的事件；seal 立即封存待封存事件"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "seal"])

    def handle(self, *args, action, **options):
        if action == "seal":
            self.stdout.write(f"已封存 {audit.seal_all()} 条审计事件。")
            return
        seals = AuditSeal.objects.count()
        checked = iter(range(1, seals + 1))
        report = audit.verify(on_seal=lambda: progressbar.draw("校验封存", next(checked), seals))
        self.stdout.write(
            f"封存 {report.seals} 个，已校验事件 {report.events} 条，待封存 {report.unsealed} 条。"
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS("审计日志完整：未发现篡改或删除。"))
            return
        event_id, message = report.first_broken
        for _id, line in report.broken[:20]:
            self.stderr.write(f"  {line}")
        where = f"第一个被破坏的事件：#{event_id}" if event_id is not None else message
        raise CommandError(f"审计日志校验失败。{where}")
