"""The tamper-evident audit log.

Services call ``record(...)`` inside their own transaction, so an event exists
exactly when the change does; recording is one INSERT and takes no lock.
A background job ``seal_pending()`` later takes the unsealed events, stores
their SM3 digests in an ``AuditSeal`` chained to the previous seal's root and
signs the root with the platform SM2 key. ``verify()`` recomputes everything
and names the first event that was edited or deleted.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from yiwang.core import crypto, masking
from yiwang.core.choices import ActorKind
from yiwang.core.middleware import request_id_var
from yiwang.core.models import AuditEvent, AuditSeal
from yiwang.core.utils import batched

GENESIS_ROOT = "0" * 64
_SEAL_LOCK_KEY = 0x59574155  # "YWAU", a PostgreSQL advisory lock id


def _plain(data):
    """JSON-safe copy (dates, decimals, UUIDs become strings) so that digests survive a round trip."""
    return None if data is None else json.loads(json.dumps(data, cls=DjangoJSONEncoder))


SECRET_FIELDS = frozenset({"password", "digest"})


def snapshot(instance, fields: list[str] | None = None) -> dict:
    """The audited state of a model instance: its concrete fields, foreign keys as ids.

    Secrets are left out and personal fields (the model's ``PERSONAL_FIELDS``) are
    masked: the audit log is a log, and logs hold no clear personal data.
    """
    data = model_to_dict(instance, fields=fields)
    for f in instance._meta.concrete_fields:
        if (fields is None or f.name in fields) and f.name not in data:
            data[f.name] = f.value_from_object(instance)
    for name in SECRET_FIELDS & data.keys():
        del data[name]
    for name, kind in getattr(instance, "PERSONAL_FIELDS", {}).items():
        if name in data:
            data[name] = masking.mask(kind, data[name])
    return _plain(data)


def describe_actor(actor) -> tuple[str, str, str]:
    if actor is None:
        return ActorKind.SYSTEM, "", "系统"
    if actor.__class__.__name__ == "ApiClient":
        return ActorKind.CLIENT, str(actor.pk), actor.identity
    if getattr(actor, "is_authenticated", False):
        return ActorKind.USER, str(actor.pk), actor.audit_label
    return ActorKind.SYSTEM, "", "匿名"


def record(
    *, actor, action: str, target, before: dict | None = None, after: dict | None = None
) -> AuditEvent:
    """Append one audit event in the caller's transaction. `target` is a model instance."""
    kind, actor_id, label = describe_actor(actor)
    return AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor_kind=kind,
        actor_id=actor_id,
        actor_label=label[:200],
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(getattr(target, "audit_label", target))[:200],
        before=_plain(before),
        after=_plain(after),
        request_id=request_id_var.get(),
    )


def event_digest(event: AuditEvent) -> str:
    payload = {
        "id": event.id,
        "occurred_at": event.occurred_at.astimezone(datetime.UTC).isoformat(),
        "actor": [event.actor_kind, event.actor_id, event.actor_label],
        "action": event.action,
        "target": [event.target_type, event.target_id, event.target_label],
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
    }
    return crypto.sm3_hex(crypto.canonical_json(payload))


def seal_root(previous_root: str, entries: list) -> str:
    return crypto.sm3_hex(
        crypto.canonical_json({"previous_root": previous_root, "entries": entries})
    )


def seal_pending(*, limit: int | None = None) -> AuditSeal | None:
    """Seal the unsealed events (at most `limit`) into one signed seal; None when nothing waits."""
    from django.conf import settings

    limit = limit or settings.AUDIT_SEAL_BATCH
    key = crypto.platform_key()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK_KEY])
        events = list(AuditEvent.objects.filter(seal__isnull=True).order_by("id")[:limit])
        if not events:
            return None
        previous = AuditSeal.objects.order_by("-id").first()
        previous_root = previous.root if previous else GENESIS_ROOT
        entries = [[e.id, event_digest(e)] for e in events]
        root = seal_root(previous_root, entries)
        seal = AuditSeal.objects.create(
            previous_root=previous_root,
            root=root,
            entries=entries,
            count=len(entries),
            public_key=key.public_key.hex(),
            signature=key.sign(bytes.fromhex(root)).hex(),
        )
        for chunk in batched([e.id for e in events], 500):
            AuditEvent.objects.filter(id__in=chunk).update(seal=seal)
    return seal


def seal_all() -> int:
    """Seal until nothing is left; returns the number of events sealed."""
    sealed = 0
    while seal := seal_pending():
        sealed += seal.count
    return sealed


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


def verify(*, on_seal=None) -> VerifyReport:
    """Recompute every seal and every sealed event; list what was edited, deleted or forged."""
    report = VerifyReport()
    trusted_key = crypto.platform_key().public_key.hex()
    previous_root = GENESIS_ROOT
    for seal in AuditSeal.objects.order_by("id").iterator(chunk_size=100):
        report.seals += 1
        _verify_seal(seal, previous_root, trusted_key, report)
        previous_root = seal.root
        if on_seal:
            on_seal()
    report.unsealed = AuditEvent.objects.filter(seal__isnull=True).count()
    return report


def _verify_seal(
    seal: AuditSeal, previous_root: str, trusted_key: str, report: VerifyReport
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
    listed = {event_id: digest for event_id, digest in seal.entries}
    for chunk in batched(sorted(listed), 500):
        found = {e.id: e for e in AuditEvent.objects.filter(id__in=chunk)}
        for event_id in chunk:
            event = found.get(event_id)
            if event is None:
                report.broken.append((event_id, f"审计事件 #{event_id} 已被删除"))
            elif event_digest(event) != listed[event_id]:
                report.broken.append((event_id, f"审计事件 #{event_id} 已被篡改"))
            report.events += 1
    strays = (
        AuditEvent.objects.filter(seal=seal)
        .exclude(id__in=list(listed))
        .values_list("id", flat=True)
    )
    for event_id in strays:
        report.broken.append((event_id, f"审计事件 #{event_id} 不在其封存的清单中（伪造）"))
