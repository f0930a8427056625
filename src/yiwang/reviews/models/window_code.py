from django.db import models


class RatingCode(models.Model):
    """评价码: a one-time code for the window's rating device (窗口评价器).

    Once the window has served the applicant, the clerk has the platform send the
    applicant a code (site message and SMS; it also shows on the applicant's case
    page, never to the clerk). The device asks for it, so the window rating is the
    applicant's own and not the clerk's. A few wrong codes void it; it can be sent
    again a few times.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="rating_code")
    code = models.CharField("评价码", max_length=6)
    issued_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField("发送时间")
    sends = models.PositiveSmallIntegerField("发送次数", default=0)
    failures = models.PositiveSmallIntegerField("输错次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "窗口评价码"
        verbose_name_plural = "窗口评价码"

    def __str__(self) -> str:
        return f"评价码 {self.case_id}"

    @property
    def audit_label(self) -> str:
        return f"窗口评价码（办件 {self.case_id}）"
