"""yiwang bench NAME | --list: run bench/NAME.py, which prints `NAME: x | baseline y | ratio r`."""

import runpy
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def bench_dir() -> Path:
    return Path(settings.BASE_DIR) / "bench"


def available() -> dict[str, str]:
    found = {}
    for path in sorted(bench_dir().glob("*.py")):
        if path.name.startswith("_"):
            continue
        doc = (path.read_text(encoding="utf-8").split('"""')[1:2] or [""])[0].strip().splitlines()
        found[path.stem] = doc[0] if doc else ""
    return found


class Command(BaseCommand):
    help = "运行基准测试：yiwang bench NAME；yiwang bench --list 列出全部"

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?")
        parser.add_argument("--list", action="store_true")
        parser.add_argument(
            "--quick", action="store_true", help="小规模快速运行（用于测试基准脚本本身）"
        )

    def handle(self, *args, name, list, quick, **options):
        benches = available()
        if list or not name:
            for bench, summary in benches.items():
                self.stdout.write(f"{bench:<14} {summary}")
            return
        if name not in benches:
            raise CommandError(f"没有名为 {name} 的基准；可用：{', '.join(benches) or '无'}")
        module = runpy.run_path(str(bench_dir() / f"{name}.py"), run_name="yiwang_bench")
        for line in module["run"](quick=quick):
            self.stdout.write(line)
