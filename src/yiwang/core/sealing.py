"""Tamper-evident logs: batches of rows sealed with SM3 digests, chained, signed with SM2.

A `SealedLog` names the row model, its seal model and how a row is digested. Sealing
runs as a background job (never on the request path); `verify` recomputes every seal and
every sealed row and names the first one edited, deleted or forged. The audit log and the
exchange log are two such logs.

A seal names the platform key that signed it and is checked against that key from the
platform's key set (`platform_keys.KeyRing`), within the time the key was in force: rotating
the key leaves earlier seals verifiable, and a compromised key's later seals are refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from yiwang.core import crypto, platform_keys
from yiwang.core.models.platform_key import local_time
from yiwang.core.utils import batched

GENESIS_ROOT = "0" * 64


def seal_root(previous_root: str, entries: list) -> str:
    return crypto.sm3_hex(
        crypto.canonical_json({"previous_root": previous_root, "entries": entries})
    )


def signed_message(root: str, key_fingerprint: str, sealed_at: datetime.datetime) -> bytes:
    """What a seal's signature covers: its root, the signing key and the sealing time, so that
    a seal cannot later claim another key or a time when its key was still trusted."""
    return crypto.canonical_json({"root": root, "key": key_fingerprint,
                                  "sealed_at": sealed_at.astimezone(datetime.UTC).isoformat()})  # fmt: skip


@dataclass
class VerifyReport:
    seals: int = 0
    events: int = 0
    unsealed: int = 0
    broken: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken

    @property
    def first_broken(self) -> tuple[int | None, str] | None:
        with_ids = sorted((b for b in self.broken if b[0] is not None), key=lambda b: b[0])
        return (with_ids or self.broken or [None])[0]


@dataclass(frozen=True)
class SealedLog:
    """One sealed log: its rows (with a nullable `seal` foreign key), its seals, a digest per row."""

    label: str  # how a row is named in messages: 审计事件, 交换日志
    rows: Callable[[], object]  # the row model's manager, prefetching what the digest reads
    seal_model: type
    digest: Callable[[object], str]
    lock_key: int

    def seal_pending(self, *, limit: int) -> object | None:
        """Seal up to `limit` waiting rows into one signed seal; None when nothing waits."""
        key, key_fingerprint = platform_keys.signing_key()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [self.lock_key])
            rows = list(self.rows().filter(seal__isnull=True).order_by("id")[:limit])
            if not rows:
                return None
            previous = self.seal_model.objects.order_by("-id").first()
            previous_root = previous.root if previous else GENESIS_ROOT
            # Never earlier than the seal before: verification refuses a chain going back in time.
            sealed_at = max(timezone.now(), previous.created_at) if previous else timezone.now()
            entries = [[r.id, self.digest(r)] for r in rows]
            root = seal_root(previous_root, entries)
            seal = self.seal_model.objects.create(
                previous_root=previous_root, root=root, entries=entries, count=len(entries),
                created_at=sealed_at, public_key=key.public_key.hex(), key_fingerprint=key_fingerprint,
                signature=key.sign(signed_message(root, key_fingerprint, sealed_at)).hex(),
            )  # fmt: skip
            for chunk in batched([r.id for r in rows], 500):
                self.rows().filter(id__in=chunk).update(seal=seal)
        return seal

    def seal_all(self, *, limit: int) -> int:
        sealed = 0
        while seal := self.seal_pending(limit=limit):
            sealed += seal.count
        return sealed

    def verify(self, *, on_seal=None) -> VerifyReport:
        """Recompute every seal and every sealed row; list what was edited, deleted or forged."""
        report = VerifyReport()
        ring = platform_keys.KeyRing.load()
        previous = None
        for seal in self.seal_model.objects.order_by("id").iterator(chunk_size=100):
            report.seals += 1
            self._verify_seal(seal, previous, ring, report)
            previous = seal
            if on_seal:
                on_seal()
        report.unsealed = self.rows().filter(seal__isnull=True).count()
        return report

    def _verify_seal(
        self, seal, previous, ring: platform_keys.KeyRing, report: VerifyReport
    ) -> None:
        if seal.previous_root != (previous.root if previous else GENESIS_ROOT):
            report.broken.append((None, f"封存 #{seal.pk} 与上一封存不相连（封存被删除或替换）"))
        if seal_root(seal.previous_root, seal.entries) != seal.root:
            report.broken.append((None, f"封存 #{seal.pk} 的内容与其根值不符"))
        problem = signature_problem(seal, previous, ring)
        if problem:
            report.broken.append((None, f"封存 #{seal.pk} {problem}"))
        listed = {row_id: digest for row_id, digest in seal.entries}
        for chunk in batched(sorted(listed), 500):
            found = {r.id: r for r in self.rows().filter(id__in=chunk)}
            for row_id in chunk:
                row = found.get(row_id)
                if row is None:
                    report.broken.append((row_id, f"{self.label} #{row_id} 已被删除"))
                elif self.digest(row) != listed[row_id]:
                    report.broken.append((row_id, f"{self.label} #{row_id} 已被篡改"))
                report.events += 1
        strays = (
            self.rows().filter(seal=seal).exclude(id__in=list(listed)).values_list("id", flat=True)
        )
        for row_id in strays:
            report.broken.append((row_id, f"{self.label} #{row_id} 不在其封存的清单中（伪造）"))


def signature_problem(seal, previous, ring: platform_keys.KeyRing) -> str | None:
    """Why a seal's signature is not to be trusted (after "封存 #n"), or None when it is.

    A seal that names its key is checked against that key from the key set; one made before
    keys were named (no fingerprint) against the key in force then, the original one."""
    if previous is not None and seal.created_at < previous.created_at:
        return "的时间早于上一封存（封存时间被改动）"
    if seal.key_fingerprint:
        key, message = (
            ring.find(seal.key_fingerprint),
            signed_message(seal.root, seal.key_fingerprint, seal.created_at),
        )
        named = seal.key_fingerprint
    elif previous is not None and previous.key_fingerprint:
        return "未记录签名密钥，却排在记录了签名密钥的封存之后（伪造的旧格式封存）"
    else:
        original = ring.original()
        key = original if original and original.public_key == seal.public_key else None
        message, named = _hex(seal.root), _fingerprint_of(seal.public_key)
    if key is None:
        return f"由未登记的平台密钥签名（指纹 {named}）"
    if not key.covers(seal.created_at):
        return _outside_range(seal, key)
    if not crypto.sm2_verify(bytes.fromhex(key.public_key), message, _hex(seal.signature)):
        return "的平台签名无效"
    return None


def _outside_range(seal, key) -> str:
    when = local_time(seal.created_at)
    if key.compromised_at and seal.created_at >= key.compromised_at:
        return (f"的时间 {when} 晚于其签名密钥（指纹 {key.fingerprint[:16]}…）的泄露时间 "
                f"{local_time(key.compromised_at)}，不可信")  # fmt: skip
    return f"的时间 {when} 不在其签名密钥（指纹 {key.fingerprint[:16]}…）的使用期（{key.describe_range()}）内"


def _hex(text: str) -> bytes:
    """Bytes of a stored hex value; nothing (which no signature verifies) when it was garbled."""
    try:
        return bytes.fromhex(text)
    except ValueError:
        return b""


def _fingerprint_of(public_key_hex: str) -> str:
    try:
        return platform_keys.fingerprint(bytes.fromhex(public_key_hex))
    except ValueError:
        return "无法识别"
