from django.db import models


class SweepRun(models.Model):
    """One run of the deadline sweep; the next incremental run looks at what changed since it began."""

    started_at = models.DateTimeField("开始时间", db_index=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    today = models.DateField("业务日期")
    full = models.BooleanField("全量扫描", default=False)
    result = models.JSONField("结果", default=dict)

    class Meta:
        verbose_name = "时限扫描记录"
        verbose_name_plural = "时限扫描记录"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {'全量' if self.full else '增量'}"
