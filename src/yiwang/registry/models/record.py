from django.db import models


class Record(models.Model):
    """One record of a registry (基础库/主题库/部门库) resource, keyed by its key field(s)."""

    # No separate index on resource: the unique (resource, key) index serves those lookups.
    # No foreign-key constraints in the database (db_constraint=False): checking them cost
    # PostgreSQL about 6 µs per row of a load, as much as storing the row. Only the load
    # pipeline writes records, for a resource and a load it holds; deletion follows the ORM's
    # on_delete (ADR 0009).
    resource = models.ForeignKey(
        "catalog.Resource",
        on_delete=models.CASCADE,
        related_name="records",
        db_index=False,
        db_constraint=False,
    )

    key = models.CharField("主键", max_length=255)
    data = models.JSONField("数据")
    load = models.ForeignKey(
        "registry.Load",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,  # records are found by resource and key; an index cost ~1 µs a row
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
