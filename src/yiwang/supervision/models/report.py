from django.db import models


class WeeklyReport(models.Model):
    """周通报: a week's KPIs per department with a ranking, as XLSX and PDF files."""

    week_start = models.DateField("周一", unique=True)
    summary = models.JSONField("排名与指标", default=list)
    xlsx = models.FileField("XLSX", upload_to="reports/")
    pdf = models.FileField("PDF", upload_to="reports/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "周通报"
        verbose_name_plural = "周通报"
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return f"{self.week_start:%Y-%m-%d} 周通报"
