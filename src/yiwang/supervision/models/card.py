from django.db import models

from yiwang.core.permissions import RestrictedQuerySet
from yiwang.supervision.choices import CardEventKind, CardLevel, CardStatus, CardSubject


class Card(models.Model):
    """警示牌: a yellow or red card on a case, a department's task, a rectification or a 督办.

    A card is a record with a history, not a computed colour: a yellow card is
    escalated to red in place; when its subject finishes the card is closed but
    keeps its level, so a case finished late keeps its red card. A card closed while
    its subject was still open (a stop moved the deadline) is reissued when the
    subject comes back into the warning zone.
    """

    subject_kind = models.CharField("对象", max_length=16, choices=CardSubject.choices)
    subject_id = models.BigIntegerField("对象编号")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="cards"
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="cards", verbose_name="责任部门",
        db_index=False,  # (organisation, issued_at) below serves it
    )  # fmt: skip
    item = models.ForeignKey(
        "services.ServiceItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    level = models.CharField("级别", max_length=8, choices=CardLevel.choices)
    status = models.CharField(
        "状态", max_length=8, choices=CardStatus.choices, default=CardStatus.OPEN
    )
    due_date = models.DateField("期限")
    issued_at = models.DateTimeField("亮牌时间")
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)
    reissued_at = models.DateTimeField("重新亮牌时间", null=True, blank=True)
    closed_at = models.DateTimeField("解除时间", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "警示牌"
        verbose_name_plural = "警示牌"
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id"], name="one_card_per_subject"
            )
        ]
        # Every index is paid for by each card the daily sweep writes: only those the board, the
        # trend and the KPIs read (a card's history is written with it, not found again by time).
        indexes = [
            models.Index(fields=["status", "subject_kind"]),
            models.Index(fields=["organisation", "issued_at"]),
            models.Index(fields=["issued_at"]),
            models.Index(fields=["escalated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_subject_kind_display()}#{self.subject_id}"


class CardEvent(models.Model):
    """One change of a card: issued, reissued, escalated, closed."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=12, choices=CardEventKind.choices)
    level = models.CharField("级别", max_length=8, choices=CardLevel.choices)
    occurred_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "警示牌记录"
        verbose_name_plural = "警示牌记录"
        ordering = ["card", "occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.card_id} {self.kind}"
