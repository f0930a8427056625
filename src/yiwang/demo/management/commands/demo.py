"""yiwang demo --scale small|city [--seed N]: generate the fictional city 江澜市."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from yiwang.core import progressbar
from yiwang.demo import build


class Command(BaseCommand):
    help = "生成演示城市（江澜市，测试区划 99）的部门、人员、账号和数据文件"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(build.SCALES), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--reset", action="store_true", help="先清空数据库再生成")

    def handle(self, *args, scale, seed, reset, **options):
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        if build.already_built():
            self.stdout.write("演示数据已存在，跳过生成（使用 --reset 重新生成）。")
            self._print_accounts(build.existing_accounts())
            return
        started = time.monotonic()
        try:
            result = build.build(scale=scale, seed=seed, progress=progressbar.draw)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"演示城市已生成（规模 {scale}，种子 {seed}，{time.monotonic() - started:.1f} 秒）："
                f"{result.organisations} 个单位，{result.staff} 个岗位账号"
            )
        )
        self.stdout.write(
            f"  政务服务事项 {result.service_items} 个（已发布），一件事 {result.themes} 个"
        )
        if result.cases:
            history = sum(result.cases.get("history", {}).values())
            self.stdout.write(
                f"  办件：近一年已办结 {history} 件，在办 {result.cases.get('live', 0)} 件，"
                f"警示牌 {result.cases.get('cards', 0)} 张，周通报 {result.cases.get('report', '')}"
            )
        for kind, count in result.licences.items():
            self.stdout.write(f"  电子证照 {kind}：{count:,} 张")
        for stage, path in result.files.items():
            self.stdout.write(f"  数据文件 {stage}: {path}")
        for load in result.loads:
            self.stdout.write(
                f"  归集 {load.resource.name}：入库 {load.rows_written:,} 行，问题 {load.rows_invalid:,} 行"
                f"（{load.get_status_display()}）"
            )

        self._print_accounts(result.accounts)
        self.stdout.write(
            f"\n演示 API 密钥（市场监管审批系统，只显示这一次）：\n  {result.api_key}"
        )

    def _print_accounts(self, accounts):
        self.stdout.write(f"\n演示账号（每个角色一个，密码均为 {build.DEMO_PASSWORD}）：")
        for account in accounts:
            self.stdout.write(f"  {account.username:<14} {account.role:<16} {account.description}")
