from django.db import models

from yiwang.core.models import SealBase
from yiwang.core.permissions import RestrictedQuerySet
from yiwang.exchange.choices import ExchangeOperation


class ExchangeLog(models.Model):
    """交换日志: one call of the gateway, written and committed before the answer leaves."""

    occurred_at = models.DateTimeField("时间", db_index=True)
    # Every gateway call writes a row, so its references are checked by Django (PROTECT: a client,
    # organisation, resource or grant with log rows is never deleted) rather than by foreign-key
    # constraints: each of those locked the same few rows (the client's, its grant's …) for every
    # call, and checking them cost PostgreSQL a sixth of its work per lookup (ADR 0023). The
    # indexes of the client and the resource are the first columns of the composite ones below.
    # Empty only for a call refused before its caller was known (no key, or a wrong one).
    client = models.ForeignKey("core.ApiClient", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", db_constraint=False, db_index=False)  # fmt: skip
    organisation = models.ForeignKey("core.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", db_constraint=False)  # fmt: skip
    resource = models.ForeignKey("catalog.Resource", null=True, on_delete=models.PROTECT, related_name="+",
                                 db_constraint=False, db_index=False)  # fmt: skip
    grant = models.ForeignKey("exchange.Grant", null=True, on_delete=models.PROTECT, related_name="+",
                              db_constraint=False)  # fmt: skip
    operation = models.CharField("操作", max_length=32, choices=ExchangeOperation.choices)
    purpose = models.CharField("用途", max_length=300, blank=True)
    case_number = models.CharField("办件编号", max_length=64, blank=True)
    key_hashes = models.JSONField("主键摘要", default=list)
    field_codes = models.JSONField("信息项", default=list)
    record_count = models.PositiveIntegerField("记录数", default=0)
    status = models.PositiveSmallIntegerField("状态码")
    error_code = models.CharField(max_length=64, blank=True)
    latency_ms = models.FloatField("耗时（毫秒）", default=0)
    request_id = models.CharField(max_length=64, blank=True)
    seal = models.ForeignKey("exchange.ExchangeSeal", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="logs")  # fmt: skip

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "交换日志"
        verbose_name_plural = "交换日志"
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["resource", "occurred_at"]),
            models.Index(fields=["client", "occurred_at"]),
            models.Index(
                fields=["seal"], name="exchange_unsealed_idx", condition=models.Q(seal__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.client_id} {self.operation} {self.status}"
        )


class ExchangeSeal(SealBase):
    """A seal over a batch of exchange log rows (and the subjects each one read or wrote)."""

    class Meta(SealBase.Meta):
        verbose_name = "交换日志封存"
        verbose_name_plural = "交换日志封存"


class ExchangeSubject(models.Model):
    """Whose record an exchange read or wrote: a keyed hash of the person's or company's identifier,
    so that they can see every use of their data (我的数据使用记录) without a clear id in the log."""

    # Written in the same statement as its log row (no constraint to check it; Django cascades).
    log = models.ForeignKey(ExchangeLog, on_delete=models.CASCADE, related_name="subjects",
                            db_constraint=False)  # fmt: skip
    subject_hash = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = "被查询主体"
        verbose_name_plural = "被查询主体"

    def __str__(self) -> str:
        return self.subject_hash[:12]
