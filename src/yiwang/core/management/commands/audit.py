"""yiwang audit verify | seal [--log audit|exchange|all]: check the sealed logs, or seal what waits."""

from django.core.management.base import BaseCommand, CommandError

from yiwang.core import audit, progressbar


def sealed_logs(which: str) -> dict:
    """The sealed logs by name: the audit log, and the exchange log when that app is installed."""
    from django.apps import apps

    logs = {"audit": audit.AUDIT_LOG}
    if apps.is_installed("yiwang.exchange"):
        from yiwang.exchange.sealing import EXCHANGE_LOG

        logs["exchange"] = EXCHANGE_LOG
    return logs if which == "all" else {which: logs[which]}


class Command(BaseCommand):
    help = "防篡改日志：verify 校验全部封存并指出第一个被篡改或删除的记录；seal 立即封存待封存记录"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "seal"])
        parser.add_argument("--log", choices=["audit", "exchange", "all"], default="all")

    def handle(self, *args, action, log, **options):
        failures = []
        for sealed in sealed_logs(log).values():
            if action == "seal":
                self.stdout.write(f"{sealed.label}：已封存 {sealed.seal_all(limit=5000)} 条。")
                continue
            seals = sealed.seal_model.objects.count()
            checked = iter(range(1, seals + 1))
            stage = f"校验{sealed.label}封存"
            report = sealed.verify(
                on_seal=lambda stage=stage, seals=seals, checked=checked: progressbar.draw(
                    stage, next(checked), seals
                )
            )
            self.stdout.write(
                f"{sealed.label}：封存 {report.seals} 个，已校验 {report.events} 条，待封存 {report.unsealed} 条。"
            )
            if report.ok:
                self.stdout.write(self.style.SUCCESS(f"{sealed.label}完整：未发现篡改或删除。"))
                continue
            row_id, message = report.first_broken
            for _id, line in report.broken[:20]:
                self.stderr.write(f"  {line}")
            failures.append(
                f"第一个被破坏的{sealed.label}：#{row_id}" if row_id is not None else message
            )
        if failures:
            raise CommandError("校验失败。" + "；".join(failures))
