from django.db import models


class Record(models.Model):
    """One record of a registry (基础库/主题库/部门库) resource, keyed by its key field(s)."""

    # No separate index on resource: the unique (resource, key) index serves those lookups.
    resource = models.ForeignKey(
        "catalog.Resource", on_delete=models.CASCADE, related_name="records", db_index=False
    )

    key = models.CharField("主键", max_length=255)
    data = models.JSONField("数据")
    load = models.ForeignKey(
        "registry.Load", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "记录"
        verbose_name_plural = "记录"
        constraints = [
            models.UniqueConstraint(fields=["resource", "key"], name="record_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}:{self.key}"
