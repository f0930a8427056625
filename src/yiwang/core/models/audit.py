from django.db import models
from django.utils import timezone

from yiwang.core.choices import ActorKind
from yiwang.core.permissions import RestrictedQuerySet


class SealBase(models.Model):
    """A signed seal over a batch of log rows: their digests, chained to the previous seal's root.

    `key_fingerprint` names the platform key that signed it; the signature then covers the root,
    that fingerprint and `created_at`, so neither the key nor the time can be changed later. A
    seal made before keys rotated has no fingerprint and a signature over the root alone.
    """

    created_at = models.DateTimeField(default=timezone.now)
    previous_root = models.CharField(max_length=64)
    root = models.CharField(max_length=64, unique=True)
    entries = models.JSONField(help_text="[[row id, SM3 digest], ...] in id order")
    count = models.PositiveIntegerField()
    public_key = models.CharField(max_length=130)
    key_fingerprint = models.CharField(
        max_length=64, blank=True, help_text="SM3 of the signing platform key"
    )
    signature = models.CharField(max_length=128)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"封存 #{self.pk}（{self.count} 条）"


class AuditSeal(SealBase):
    """A seal over a batch of audit events."""

    class Meta(SealBase.Meta):
        verbose_name = "审计封存"
        verbose_name_plural = "审计封存"


class AuditEvent(models.Model):
    """An append-only record of one change to a government record, written with the change."""

    occurred_at = models.DateTimeField("时间", db_index=True)
    actor_kind = models.CharField("操作者类型", max_length=8, choices=ActorKind.choices)
    actor_id = models.CharField("操作者标识", max_length=64, blank=True)
    actor_label = models.CharField("操作者", max_length=200, blank=True)
    action = models.CharField("动作", max_length=64, db_index=True)
    target_type = models.CharField("对象类型", max_length=64)
    target_id = models.CharField("对象标识", max_length=64)
    target_label = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    request_id = models.CharField("请求号", max_length=64, blank=True)
    seal = models.ForeignKey(
        AuditSeal, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(
                fields=["seal"], name="audit_unsealed_idx", condition=models.Q(seal__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("sealing", False):
            raise PermissionError("审计事件只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计事件只能追加，不能删除")
