from django.db import models
from django.utils import timezone

from yiwang.core.permissions import RestrictedQuerySet


class ApiClient(models.Model):
    """应用系统: a department system that calls the API, named `ORG-USCC/subsystem-code`."""

    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="api_clients",
        verbose_name="所属部门",
    )
    subsystem_code = models.SlugField("子系统代码", max_length=64)
    name = models.CharField("名称", max_length=100)
    is_active = models.BooleanField("启用", default=True)
    quota_per_minute = models.PositiveIntegerField("每分钟调用上限", default=600)
    quota_per_day = models.PositiveIntegerField("每日调用上限", default=200_000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "应用系统"

        verbose_name_plural = "应用系统"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "subsystem_code"], name="client_unique_subsystem"
            )
        ]

    def __str__(self) -> str:
        return self.identity

    @property
    def identity(self) -> str:
        return f"{self.organisation.uscc}/{self.subsystem_code}"


class ApiKey(models.Model):
    """A client's secret key: stored as a SHA-256 digest, shown once, expiring, revocable."""

    client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, related_name="keys", verbose_name="应用系统"
    )
    prefix = models.CharField("前缀", max_length=12, unique=True)
    digest = models.CharField("摘要", max_length=64)
    label = models.CharField("说明", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("有效期至")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "API 密钥"
        verbose_name_plural = "API 密钥"

    def __str__(self) -> str:
        return f"{self.client} · {self.prefix}…"

    def is_usable(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.expires_at > at and self.client.is_active
