from django.db import models


class QualityReport(models.Model):
    """数据质量报告 of a load: completeness per field, validity, uniqueness, consistency, timeliness, score."""

    resource = models.ForeignKey(
        "catalog.Resource", on_delete=models.CASCADE, related_name="quality_reports"
    )
    load = models.OneToOneField("registry.Load", on_delete=models.CASCADE, related_name="quality")
    created_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveBigIntegerField("行数")
    completeness = models.FloatField("完整性")
    validity = models.FloatField("有效性")
    uniqueness = models.FloatField("唯一性")
    consistency = models.FloatField("一致性")
    field_completeness = models.JSONField("各信息项完整率", default=dict)
    error_counts = models.JSONField("问题分布", default=dict)
    score = models.FloatField("得分")

    class Meta:
        verbose_name = "质量报告"
        verbose_name_plural = "质量报告"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.resource} {self.score:.1f}"


class ResourceQuality(models.Model):
    """资源数据质量: the quality of a resource's registry as it stands, kept up to date by each load.

    Completeness is measured over the stored records; validity, uniqueness and consistency are
    the row-weighted figures of the loads that still hold records in the registry (see
    `registry.quality`). Written in the transaction that merges a load (or deletes records
    through the GovStack API), so a page reads one row instead of scanning a registry of
    millions; timeliness is added when read.
    """

    resource = models.OneToOneField(
        "catalog.Resource", on_delete=models.CASCADE, related_name="registry_quality",
        verbose_name="资源",
    )  # fmt: skip
    records = models.PositiveBigIntegerField("登记簿记录数")
    loads = models.PositiveIntegerField("计入批次数")
    rows = models.PositiveBigIntegerField("计入行数")
    completeness = models.FloatField("完整性")
    validity = models.FloatField("有效性")
    uniqueness = models.FloatField("唯一性")
    consistency = models.FloatField("一致性")
    field_completeness = models.JSONField("各信息项完整率", default=dict)
    last_load = models.ForeignKey(
        "registry.Load", null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="最近一次归集",
    )  # fmt: skip
    measured_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "资源数据质量"
        verbose_name_plural = "资源数据质量"

    def __str__(self) -> str:
        return f"{self.resource} · {self.records} 条记录"
