"""Tamper-evident logs: batches of rows sealed with SM3 digests, chained, signed with SM2.

A `SealedLog` names the row model, its seal model and how a row is digested. Sealing
runs as a background job (never on the request path); `verify` recomputes every seal and
every sealed row and names the first one edited, deleted or forged. The audit log and the
exchange log are two such logs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction

from yiwang.core import crypto
from yiwang.core.utils import batched

GENESIS_ROOT = "0" * 64


def seal_root(previous_root: str, entries: list) -> str:
    return crypto.sm3_hex(
        crypto.canonical_json({"previous_root": previous_root, "entries": entries})
    )


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
        key = crypto.platform_key()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [self.lock_key])
            rows = list(self.rows().filter(seal__isnull=True).order_by("id")[:limit])
            if not rows:
                return None
            previous = self.seal_model.objects.order_by("-id").first()
            previous_root = previous.root if previous else GENESIS_ROOT
            entries = [[r.id, self.digest(r)] for r in rows]
            root = seal_root(previous_root, entries)
            seal = self.seal_model.objects.create(
                previous_root=previous_root, root=root, entries=entries, count=len(entries),
                public_key=key.public_key.hex(), signature=key.sign(bytes.fromhex(root)).hex(),
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
        trusted_key = crypto.platform_key().public_key.hex()
        previous_root = GENESIS_ROOT
        for seal in self.seal_model.objects.order_by("id").iterator(chunk_size=100):
            report.seals += 1
            self._verify_seal(seal, previous_root, trusted_key, report)
            previous_root = seal.root
            if on_seal:
                on_seal()
        report.unsealed = self.rows().filter(seal__isnull=True).count()
        return report

    def _verify_seal(
        self, seal, previous_root: str, trusted_key: str, report: VerifyReport
    ) -> None:
        if seal.previous_root != previous_root:
            report.broken.append((None, f"封存 #{seal.pk} 与上一封存不相连（封存被删除或替换）"))
        if seal_root(seal.previous_root, seal.entries) != seal.root:
            report.broken.append((None, f"封存 #{seal.pk} 的内容与其根值不符"))
        signature_ok = seal.public_key == trusted_key and crypto.sm2_verify(
            bytes.fromhex(seal.public_key), bytes.fromhex(seal.root), bytes.fromhex(seal.signature)
        )
        if not signature_ok:
            report.broken.append((None, f"封存 #{seal.pk} 的平台签名无效"))
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
