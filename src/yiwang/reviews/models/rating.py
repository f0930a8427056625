from django.db import models

from yiwang.core.permissions import RestrictedQuerySet
from yiwang.reviews.choices import Level, RatingChannel, RectificationStatus, ReplyKind


class Rating(models.Model):
    """好差评: one rating of a case through one channel, anonymous or in the rater's name."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="ratings")
    channel = models.CharField("评价渠道", max_length=8, choices=RatingChannel.choices)
    level = models.PositiveSmallIntegerField("评价", choices=Level.choices)
    dimensions = models.JSONField("分项评价", default=dict, blank=True)
    comment = models.TextField("评价内容", blank=True)
    anonymous = models.BooleanField("匿名", default=False)
    rater = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="ratings",
        verbose_name="被评部门",
    )
    item = models.ForeignKey(
        "services.ServiceItem", on_delete=models.PROTECT, related_name="ratings"
    )
    created_at = models.DateTimeField("评价时间")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "好差评"
        verbose_name_plural = "好差评"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "channel"], name="one_rating_per_channel")
        ]
        indexes = [
            models.Index(fields=["organisation", "created_at"]),
            models.Index(fields=["item", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level <= Level.UNSATISFIED


class Rectification(models.Model):
    """差评整改: the department answers a bad rating by a deadline; the applicant confirms or contests."""

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="rectification")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="rectifications"
    )
    due_date = models.DateField("整改期限")
    status = models.CharField(
        "状态", max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    reply_kind = models.CharField(
        "整改方式", max_length=10, choices=ReplyKind.choices, blank=True, default=""
    )
    reply = models.TextField("整改情况", blank=True)
    replied_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    applicant_note = models.TextField("申请人意见", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField("发起时间")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["due_date"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"整改 {self.rating_id}"
