from django.db import models
from django.utils import timezone

from yiwang.catalog.choices import ResourceStatus
from yiwang.core.permissions import RestrictedQuerySet
from yiwang.exchange.choices import GrantStatus, RequestStatus


class AccessRequest(models.Model):
    """共享申请: a department asks, for one of its systems, to read fields of a resource for a purpose."""

    requester = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="access_requests",
                                  verbose_name="申请部门")  # fmt: skip
    client = models.ForeignKey("core.ApiClient", on_delete=models.PROTECT, related_name="access_requests",
                               verbose_name="应用系统")  # fmt: skip
    resource = models.ForeignKey("catalog.Resource", on_delete=models.PROTECT, related_name="access_requests",
                                 verbose_name="资源")  # fmt: skip
    field_codes = models.JSONField("申请信息项")
    purpose = models.CharField("用途", max_length=300)
    legal_basis = models.CharField("依据", max_length=500)
    valid_from = models.DateField("起始日期")
    valid_until = models.DateField("截止日期")
    expected_volume = models.PositiveIntegerField("预计日调用量", default=0)
    status = models.CharField(
        "状态", max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decision_reason = models.CharField("审核意见", max_length=500, blank=True)
    decided_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "共享申请"
        verbose_name_plural = "共享申请"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.requester} 申请 {self.resource.name}"


class Grant(models.Model):
    """共享授权: what one system may read from one resource, for what purpose, until when."""

    client = models.ForeignKey("core.ApiClient", on_delete=models.PROTECT, related_name="grants",
                               verbose_name="应用系统")  # fmt: skip
    resource = models.ForeignKey("catalog.Resource", on_delete=models.PROTECT, related_name="grants",
                                 verbose_name="资源")  # fmt: skip
    request = models.OneToOneField(AccessRequest, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="grant")  # fmt: skip
    field_codes = models.JSONField("授权信息项")
    clear_fields = models.JSONField("可见明文的个人信息项", default=list, blank=True)
    purpose = models.CharField("用途", max_length=300)
    valid_from = models.DateField("起始日期")
    valid_until = models.DateField("截止日期")
    status = models.CharField(
        "状态", max_length=12, choices=GrantStatus.choices, default=GrantStatus.ACTIVE
    )
    status_reason = models.CharField("状态说明", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "共享授权"
        verbose_name_plural = "共享授权"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["client", "resource", "status"])]

    def __str__(self) -> str:
        return f"{self.client} → {self.resource.name}"

    def in_force(self, today=None) -> bool:
        """Whether the gateway answers on this grant today: active, within its dates, and its
        resource still published (a 停用 resource answers no one)."""
        today = today or timezone.localdate()
        return (
            self.status == GrantStatus.ACTIVE
            and self.valid_from <= today <= self.valid_until
            and self.resource.status == ResourceStatus.PUBLISHED
        )

    def state_label(self, today=None) -> str:
        """What the grant means today, in words: 生效中, or why not (the page and the API)."""
        if self.status != GrantStatus.REVOKED and self.resource.status == ResourceStatus.RETIRED:
            return "资源已停用"
        if self.status != GrantStatus.ACTIVE:
            return self.get_status_display()
        today = today or timezone.localdate()
        if self.valid_from > today:
            return "未到起始日期"
        return "已过期" if self.valid_until < today else "生效中"
