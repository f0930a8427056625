import uuid

from django.db import models

from yiwang.core.permissions import RestrictedQuerySet
from yiwang.registry.choices import LoadMode, LoadSource, LoadStatus


class Load(models.Model):
    """归集批次: one delivery of a resource's records, from a file or an API batch.

    The raw input is kept as received; rows are validated into a staging table in short
    transactions, then merged into the registry in one transaction, so a load is either
    wholly visible or not at all.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    resource = models.ForeignKey(
        "catalog.Resource", on_delete=models.PROTECT, related_name="loads", verbose_name="资源"
    )
    resource_version = models.PositiveIntegerField("资源版本")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="提供部门"
    )
    mode = models.CharField("方式", max_length=8, choices=LoadMode.choices)
    source = models.CharField("来源", max_length=8, choices=LoadSource.choices)
    file_name = models.CharField("文件名", max_length=255)
    file_path = models.CharField("原始文件", max_length=500)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=LoadStatus.choices, default=LoadStatus.QUEUED
    )
    rows_total = models.PositiveBigIntegerField("总行数", default=0)
    rows_valid = models.PositiveBigIntegerField("有效行", default=0)
    rows_invalid = models.PositiveBigIntegerField("问题行", default=0)
    rows_written = models.PositiveBigIntegerField("入库行", default=0)
    rows_deleted = models.PositiveBigIntegerField("删除行", default=0)
    stats = models.JSONField("统计", default=dict, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField("失败原因", max_length=500, blank=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rerun_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns"
    )
    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client = models.ForeignKey(
        "core.ApiClient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "归集批次"
        verbose_name_plural = "归集批次"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["resource", "-created_at"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.resource.name} · {self.created_at:%Y-%m-%d %H:%M} · {self.get_status_display()}"
        )

    @property
    def is_finished(self) -> bool:
        return self.status in (LoadStatus.SUCCEEDED, LoadStatus.FAILED)


class LoadError(models.Model):
    """A quarantined row (or a whole-file problem, row 0/1): where, which field, a stable code, why."""

    load = models.ForeignKey(Load, on_delete=models.CASCADE, related_name="errors")
    row = models.PositiveBigIntegerField("行号")
    field = models.CharField("信息项", max_length=63, blank=True)
    code = models.CharField("错误代码", max_length=64)
    message = models.CharField("说明", max_length=500)
    raw = models.JSONField("原始值", null=True, blank=True)

    class Meta:
        verbose_name = "问题数据"
        verbose_name_plural = "问题数据"
        ordering = ["load", "row", "id"]
        indexes = [models.Index(fields=["load", "row"])]

    def __str__(self) -> str:
        return f"第 {self.row} 行 {self.field} {self.code}"


class StagedRow(models.Model):
    """A validated row waiting for its load to be merged; invisible to every reader."""

    load = models.ForeignKey(Load, on_delete=models.CASCADE, related_name="+")
    row = models.PositiveBigIntegerField()
    key = models.CharField(max_length=255)
    data = models.JSONField()

    class Meta:
        # No unique index on (load, key): the loader already drops duplicate keys, and a second
        # random-order index would slow staging of a million rows for nothing.
        indexes = [models.Index(fields=["load", "row"], name="staged_load_row")]

    def __str__(self) -> str:
        return f"{self.load_id}:{self.row}"
