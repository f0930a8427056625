"""yiwang keys list | generate | rotate | compromise: the platform's SM2 keys (平台密钥).

`rotate` installs a new signing key and records the old public key as retired, so that what
the old key signed keeps verifying. With YIWANG_PLATFORM_SM2_KEY the operator first puts the
new private key there (`yiwang keys generate` makes one); in development the command generates
the new key file itself. See docs/adr/0021-platform-key-rotation.md.
"""

import argparse
import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from yiwang.core import crypto, platform_keys
from yiwang.core.errors import ServiceError
from yiwang.core.models.platform_key import local_time


def _moment(text: str) -> datetime.datetime:
    """A time as typed (ISO 8601; without an offset, local time)."""
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        # Argparse's own error: a clear message and the usage, never a traceback.
        raise argparse.ArgumentTypeError(
            f"时间 {text!r} 无效：应为 ISO 8601 格式，例如 2026-12-01T08:00"
        ) from exc
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _public_key(text: str) -> bytes:
    try:
        public = bytes.fromhex(text.strip())
    except ValueError as exc:
        raise CommandError(
            "--previous-public-key 应为十六进制的 SM2 公钥（130 位，04 开头）"
        ) from exc
    if len(public) != 65 or public[0] != 4:
        raise CommandError("--previous-public-key 应为十六进制的 SM2 公钥（130 位，04 开头）")
    return public


class Command(BaseCommand):
    help = (
        "平台 SM2 密钥：list 列出当前与已停用的密钥及其指纹和使用期；generate 生成新私钥；"
        "rotate 启用新密钥并登记旧公钥为已停用；compromise 登记已停用密钥的泄露时间"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="列出平台密钥")
        actions.add_parser(
            "generate", help="生成新的平台私钥（十六进制），供放入 YIWANG_PLATFORM_SM2_KEY"
        )
        rotate = actions.add_parser("rotate", help="轮换平台密钥")
        rotate.add_argument(
            "--previous-public-key", help="轮换前的平台公钥（仅当尚未登记任何平台密钥时需要）"
        )
        rotate.add_argument("--compromised-since", type=_moment, metavar="TIME",
                            help="旧密钥自此时间起已泄露：此后由它签名的封存和列表一律不可信")  # fmt: skip
        rotate.add_argument(
            "--note", default="", help="轮换原因（定期轮换、人员变动、泄露……），记入审计日志"
        )
        compromise = actions.add_parser("compromise", help="登记已停用平台密钥的泄露时间")
        compromise.add_argument("fingerprint", help="已停用平台密钥的指纹（yiwang keys list 可查）")
        compromise.add_argument(
            "--since", type=_moment, required=True, metavar="TIME", help="泄露时间"
        )
        compromise.add_argument("--note", default="", help="说明，记入审计日志")

    def handle(self, *args, action, **options):
        try:
            getattr(self, action)(**options)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc

    def list(self, **options):
        ring = platform_keys.KeyRing.load()
        for key in ring.ordered():
            self.stdout.write(f"[{key.get_status_display()}] 指纹 SM3:{key.fingerprint}")
            self.stdout.write(f"  使用期：{key.describe_range()}")
            if key.compromised_at:
                self.stdout.write(
                    f"  泄露时间：{local_time(key.compromised_at)}（此后签名的一律不可信）"
                )
            self.stdout.write(f"  公钥：{key.public_key}")
        configured = platform_keys.ConfiguredKey.check(ring)
        if not configured.is_current:
            self.stdout.write(self.style.WARNING(
                f"配置的平台私钥（指纹 {configured.fingerprint}）不是登记的当前密钥：请运行 yiwang keys rotate"))  # fmt: skip

    def generate(self, **options):
        pair = crypto.Sm2KeyPair.generate()
        self.stdout.write(pair.private_key.hex())
        self.stderr.write(
            f"以上为新私钥，请放入 YIWANG_PLATFORM_SM2_KEY；其公钥指纹 SM3:{platform_keys.fingerprint(pair.public_key)}"
        )

    def rotate(self, *, previous_public_key, compromised_since, note, **options):
        previous = _public_key(previous_public_key) if previous_public_key else None
        if settings.YIWANG["PLATFORM_SM2_KEY"]:
            new = self._rotate_to_configured_key(previous, compromised_since, note)
        else:
            new = self._rotate_development_key(previous, compromised_since, note)
        self.stdout.write(self.style.SUCCESS(f"已启用新平台密钥，指纹 SM3:{new.fingerprint}。"))
        self.stdout.write("请重启全部 Yiwang 进程（serve、worker），并把新指纹告知用 yiwang verify 或 "
                          "YIWANG_LICENCE_TRUSTED_PLATFORM_KEYS 固定平台公钥指纹的核验方：旧指纹继续保留。")  # fmt: skip

    def _rotate_to_configured_key(self, previous, compromised_since, note):
        crypto.platform_key.cache_clear()
        new_key = crypto.platform_key()
        current = platform_keys.KeyRing.load().current()
        if (
            current
            and current.pk
            and current.fingerprint == platform_keys.fingerprint(new_key.public_key)
        ):
            raise CommandError("YIWANG_PLATFORM_SM2_KEY 仍是当前平台密钥：请先把新私钥（yiwang keys generate）"
                               "放入 YIWANG_PLATFORM_SM2_KEY，再运行本命令")  # fmt: skip
        return platform_keys.rotate_platform_key(actor=None, new_key=new_key, previous_public_key=previous,
                                                 compromised_since=compromised_since, note=note)  # fmt: skip

    def _rotate_development_key(self, previous, compromised_since, note):
        if settings.PRODUCTION:
            raise CommandError("生产环境必须通过 YIWANG_PLATFORM_SM2_KEY 提供平台私钥")
        old = crypto.platform_key().public_key
        new_key = crypto.Sm2KeyPair.generate()
        with transaction.atomic():
            new = platform_keys.rotate_platform_key(actor=None, new_key=new_key, previous_public_key=previous or old,
                                                    compromised_since=compromised_since, note=note)  # fmt: skip
            crypto.replace_development_key(new_key)
        return new

    def compromise(self, *, fingerprint, since, note, **options):
        key = platform_keys.mark_compromised(actor=None, key_fingerprint=fingerprint.strip().lower().removeprefix("sm3:"),
                                             since=since, note=note)  # fmt: skip
        self.stdout.write(
            self.style.SUCCESS(
                f"已登记：平台密钥 {key.fingerprint} 自 {local_time(since)} 起签名的一律不可信。"
            )
        )
