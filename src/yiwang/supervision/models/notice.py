from django.db import models

from yiwang.core.permissions import RestrictedQuerySet
from yiwang.supervision.choices import NoticeStatus


class SupervisionNotice(models.Model):
    """督办: a supervisor presses a department about a case or a card, and waits for its reply."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    card = models.ForeignKey(
        "supervision.Card", on_delete=models.SET_NULL, null=True, blank=True, related_name="notices"
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name="督办对象",
    )
    message = models.TextField("督办事项")
    reply_due = models.DateField("回复期限")
    status = models.CharField(
        "状态", max_length=8, choices=NoticeStatus.choices, default=NoticeStatus.SENT
    )
    sent_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField("督办时间")
    reply = models.TextField("回复", blank=True)
    replied_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    escalated_to = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="逾期升级至",
    )
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["status", "reply_due"])]

    def __str__(self) -> str:
        return f"督办 {self.organisation} {self.sent_at:%Y-%m-%d}"

    @property
    def escalated_to_label(self) -> str:
        """Whom a late 督办 went up to: the department's parent, or the supervisors (监察人员)
        when the department has none."""
        if self.escalated_at is None:
            return ""
        return self.escalated_to.name if self.escalated_to_id else "监察人员"
