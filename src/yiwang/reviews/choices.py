"""Enumerations of 好差评, with Chinese labels."""

from django.db import models


class Level(models.IntegerChoices):
    """Five levels; 不满意 and 非常不满意 are bad reviews (差评)."""

    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASIC = 3, "基本满意"
    UNSATISFIED = 2, "不满意"
    VERY_UNSATISFIED = 1, "非常不满意"


BAD_LEVELS = (Level.UNSATISFIED, Level.VERY_UNSATISFIED)
# Dimensions an applicant may rate beside the overall level (national 好差评 practice).
DIMENSIONS = {
    "attitude": "服务态度",
    "efficiency": "办事效率",
    "guide": "办事指南清晰",
    "convenience": "便利程度",
}


class RatingChannel(models.TextChoices):
    ONLINE = "online", "网上评价"
    WINDOW = "window", "窗口评价器"
    MOBILE = "mobile", "移动端评价"
    SMS = "sms", "短信评价"


class RectificationStatus(models.TextChoices):
    OPEN = "open", "待整改"
    REPLIED = "replied", "已回复，待申请人确认"
    CONFIRMED = "confirmed", "申请人已确认"
    CONTESTED = "contested", "申请人有异议"


class ReplyKind(models.TextChoices):
    FIXED = "fixed", "已整改"
    EXPLAINED = "explained", "已解释说明"
