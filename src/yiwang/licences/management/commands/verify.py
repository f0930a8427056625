"""yiwang verify FILE [--keys KEYS] [--status LIST ...] [--trust FINGERPRINT ...]: check a signed
licence JSON offline, against a trust anchor — never against keys the file vouches for itself."""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yiwang.core import crypto, platform_keys
from yiwang.core.choices import PlatformKeyStatus
from yiwang.licences import publication
from yiwang.licences.offline import normalise_fingerprint, signing_fingerprint, verify_offline


def _load(path: str, what: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"无法读取{what} {path}：第 {exc.lineno} 行第 {exc.colno} 列不是有效的 JSON"
        ) from exc
    except RecursionError as exc:
        raise CommandError(f"无法读取{what} {path}：JSON 嵌套层数过多") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"无法读取{what} {path}：不是 UTF-8 编码的 JSON 文本") from exc
    except (OSError, ValueError) as exc:
        raise CommandError(f"无法读取{what} {path}：{exc}") from exc


def _own_fingerprints() -> dict[str, str]:
    """This deployment's platform keys, when this machine has them (not on a bare verifier):
    the signing key and the retired ones, never one recorded as compromised."""
    try:
        own = {publication.fingerprint(crypto.platform_key().public_key): "本平台公钥"}
    except (RuntimeError, ValueError, OSError):
        return {}
    for key in platform_keys.KeyRing.load().ordered():
        if key.status == PlatformKeyStatus.COMPROMISED:
            own.pop(key.fingerprint, None)
        else:
            own.setdefault(key.fingerprint, "本平台已停用的公钥")
    return own


def trust_anchors(trusted: list[str]) -> dict[str, str]:
    """Fingerprint → where the trust comes from: --trust, the setting, this deployment's key."""
    anchors = {}
    for text, source in [*((t, "--trust") for t in trusted),
                         *((t, "YIWANG_LICENCE_TRUSTED_PLATFORM_KEYS") for t in
                           settings.YIWANG["LICENCE_TRUSTED_PLATFORM_KEYS"])]:  # fmt: skip
        try:
            anchors.setdefault(normalise_fingerprint(text), source)
        except ValueError as exc:
            raise CommandError(f"{source} 的平台公钥指纹 {text!r} 无效：{exc}") from exc
    for fingerprint, source in _own_fingerprints().items():
        anchors.setdefault(fingerprint, source)
    return anchors


class Command(BaseCommand):
    help = (
        "离线核验电子证照签名 JSON。信任锚：--keys 给出的公钥集（您自己从颁发平台下载的），"
        "或平台公钥指纹（--trust、YIWANG_LICENCE_TRUSTED_PLATFORM_KEYS、本平台公钥）；"
        "文件内嵌的核验材料只在其平台公钥与信任锚相符时使用"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="证照签名 JSON（我的证照 → 下载签名 JSON）")
        parser.add_argument("--keys", help="公钥集 JSON（/api/v1/licences/keys），作为信任锚")
        parser.add_argument("--status", action="append", default=[],
                            help="状态列表 JSON（/api/v1/licences/status-lists/…），可多次给出")  # fmt: skip
        parser.add_argument("--trust", action="append", default=[], metavar="FINGERPRINT",
                            help="受信任的平台公钥指纹（SM3，64 位十六进制，见证照核验页），可多次给出")  # fmt: skip
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="按此日期判断有效期（默认今天）"
        )

    def handle(self, *args, file, keys, status, trust, date, **options):
        document = _load(file, "证照文件")
        material = document.get("material") if isinstance(document, dict) else None
        material = material if isinstance(material, dict) else {}
        anchors = trust_anchors(trust)
        if keys:
            key_set = _load(keys, "公钥集")
            fingerprint = signing_fingerprint(key_set)
            if fingerprint:
                anchors.setdefault(fingerprint, f"--keys {keys}")
        else:
            key_set = material.get("keys")
        lists = [_load(p, "状态列表") for p in status] or material.get("status_lists") or []
        if not key_set:
            raise CommandError("没有公钥集：请用 --keys 给出，或使用内嵌核验材料的证照文件")
        if not (keys and status) and material:
            self.stdout.write("注意：使用文件内嵌的核验材料（截至下载时）")
        for fingerprint, source in anchors.items():
            self.stdout.write(f"信任锚：{fingerprint}（{source}）")
        result = verify_offline(
            document, key_set=key_set, status_lists=lists, anchors=anchors, today=date
        )
        self._report(result)

    def _report(self, result) -> None:
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
