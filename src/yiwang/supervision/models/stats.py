from django.db import models


class DailyStats(models.Model):
    """Pre-aggregated case figures per item and day, by the day each event happened.

    Rebuilt for recent days by a periodic job (and for any range on demand); a
    test checks that KPIs from these rows equal KPIs computed from raw cases.
    `cards` and `red_cards` count the cases finished that day that got a card on their own
    deadline (a red one), so that 预警率 and 红牌率 are shares of the cases finished.
    """

    day = models.DateField("日期")
    item = models.ForeignKey("services.ServiceItem", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    received = models.PositiveIntegerField("收件", default=0)
    received_online = models.PositiveIntegerField("网上收件", default=0)
    received_immediate = models.PositiveIntegerField("即办件收件", default=0)
    accepted = models.PositiveIntegerField("受理", default=0)
    finished = models.PositiveIntegerField("办结", default=0)
    finished_on_time = models.PositiveIntegerField("按时办结", default=0)
    finish_seconds = models.BigIntegerField("受理至办结总秒数", default=0)
    cards = models.PositiveIntegerField("亮过牌的办结件", default=0)
    red_cards = models.PositiveIntegerField("亮过红牌的办结件", default=0)
    steps = models.PositiveIntegerField("办结环节", default=0)
    step_seconds = models.BigIntegerField("环节总秒数", default=0)
    built_at = models.DateTimeField("统计时间", auto_now=True)

    class Meta:
        verbose_name = "办件日统计"
        verbose_name_plural = "办件日统计"
        constraints = [models.UniqueConstraint(fields=["day", "item"], name="daily_stats_unique")]
        indexes = [models.Index(fields=["organisation", "day"]), models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.item_id}"
