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

from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict
from django.utils import timezone

from yiwang.core import crypto, masking
from yiwang.core.choices import ActorKind
from yiwang.core.middleware import request_id_var
from yiwang.core.models import AuditEvent, AuditSeal
from yiwang.core.sealing import GENESIS_ROOT, SealedLog, VerifyReport, seal_root  # noqa: F401 — re-exported

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


AUDIT_LOG = SealedLog(
    label="审计事件",
    rows=lambda: AuditEvent.objects.all(),
    seal_model=AuditSeal,
    digest=lambda event: event_digest(event),
    lock_key=_SEAL_LOCK_KEY,
)


def seal_pending(*, limit: int | None = None) -> AuditSeal | None:
    """Seal the unsealed events (at most `limit`) into one signed seal; None when nothing waits."""
    from django.conf import settings

    return AUDIT_LOG.seal_pending(limit=limit or settings.AUDIT_SEAL_BATCH)


def seal_all() -> int:
    """Seal until nothing is left; returns the number of events sealed."""
    from django.conf import settings

    return AUDIT_LOG.seal_all(limit=settings.AUDIT_SEAL_BATCH)


def verify(*, on_seal=None) -> VerifyReport:
    """Recompute every seal and every sealed event; list what was edited, deleted or forged."""
    return AUDIT_LOG.verify(on_seal=on_seal)
