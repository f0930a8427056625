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
