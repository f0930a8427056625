from django.db import models


class CalendarOverride(models.Model):
    """A local change to the official calendar: an extra holiday or working day."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日")
    reason = models.CharField("原因", max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_working_day else '休息'}（{self.reason}）"
