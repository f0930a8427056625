from django.db import models

from yiwang.catalog.choices import DemandStatus, UpdateCycle
from yiwang.core.permissions import RestrictedQuerySet


class Demand(models.Model):
    """需求清单: an organisation needs (fields of) a resource for a purpose."""

    requester = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="demands",
        verbose_name="需求部门",
    )
    resource = models.ForeignKey(
        "catalog.Resource",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demands",
        verbose_name="所需资源",
    )
    description = models.CharField(
        "需求描述", max_length=300, help_text="目录中尚无对应资源时，描述所需数据"
    )
    field_codes = models.JSONField("所需信息项", default=list, blank=True)
    purpose = models.CharField("用途", max_length=300)
    status = models.CharField(
        "状态", max_length=16, choices=DemandStatus.choices, default=DemandStatus.PENDING
    )
    reason = models.CharField("说明/不能满足的原因", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "需求清单"
        verbose_name_plural = "需求清单"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.requester} 需要 {self.resource or self.description}"


class Responsibility(models.Model):
    """责任清单: an organisation must supply a resource at a cadence."""

    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="responsibilities",
        verbose_name="责任部门",
    )
    resource = models.ForeignKey(
        "catalog.Resource",
        on_delete=models.CASCADE,
        related_name="responsibilities",
        verbose_name="资源",
    )
    cadence = models.CharField("更新频率", max_length=16, choices=UpdateCycle.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "责任清单"
        verbose_name_plural = "责任清单"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "resource"], name="responsibility_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} 负责 {self.resource}（{self.get_cadence_display()}）"


class NegativeEntry(models.Model):
    """负面清单: a resource that is not shared, with its legal basis."""

    resource = models.OneToOneField(
        "catalog.Resource",
        on_delete=models.CASCADE,
        related_name="negative_entry",
        verbose_name="资源",
    )
    legal_basis = models.CharField("法律依据", max_length=500)
    note = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "负面清单"
        verbose_name_plural = "负面清单"

    def __str__(self) -> str:
        return f"{self.resource}：{self.legal_basis}"
