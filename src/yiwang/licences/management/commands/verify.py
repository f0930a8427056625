"""yiwang verify FILE [--keys KEYS] [--status LIST ...]: check a signed licence JSON offline."""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yiwang.licences.verification import verify_offline


def _load(path: str, what: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"无法读取{what} {path}：{exc}") from exc


class Command(BaseCommand):
    help = "离线核验电子证照签名 JSON：印章公钥集与状态列表来自选项，或来自文件内嵌的核验材料"

    def add_arguments(self, parser):
        parser.add_argument("file", help="证照签名 JSON（我的证照 → 下载签名 JSON）")
        parser.add_argument("--keys", help="印章公钥集 JSON（/api/v1/licences/keys）")
        parser.add_argument("--status", action="append", default=[],
                            help="状态列表 JSON（/api/v1/licences/status-lists/…），可多次给出")  # fmt: skip
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="按此日期判断有效期（默认今天）"
        )

    def handle(self, *args, file, keys, status, date, **options):
        document = _load(file, "证照文件")
        material = document.get("material") if isinstance(document, dict) else None
        material = material if isinstance(material, dict) else {}
        key_set = _load(keys, "公钥集") if keys else material.get("keys")
        lists = [_load(p, "状态列表") for p in status] or material.get("status_lists") or []
        if not key_set:
            raise CommandError("没有印章公钥集：请用 --keys 给出，或使用内嵌核验材料的证照文件")
        if not (keys and status) and material:
            self.stdout.write("注意：使用文件内嵌的核验材料（截至下载时）")
        result = verify_offline(document, key_set=key_set, status_lists=lists, today=date)
        self.stdout.write(f"{result.label}（{result.state}）：{result.message}")
        if result.licence:
            summary = result.licence
            self.stdout.write(f"  {summary['name']} {summary['number']} · {summary['issuer']} · "
                              f"持证主体 {summary['holder_name']} · 有效期 {summary['valid_from']} 至 "
                              f"{summary['valid_until'] or '长期'}")  # fmt: skip
        if result.reason:
            self.stdout.write(f"  {result.reason}")
        if not result.is_valid:
            raise CommandError(f"核验未通过：{result.label}")
        if result.reason:
            raise CommandError("签名有效，但状态未能离线核验：请提供平台签名的状态列表")
