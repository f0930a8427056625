"""Enumerations of supervision (电子监察), with Chinese labels."""

from django.db import models


class CardLevel(models.TextChoices):
    YELLOW = "yellow", "黄牌"
    RED = "red", "红牌"


class CardSubject(models.TextChoices):
    CASE = "case", "办件"
    TASK = "task", "部门任务"
    RECTIFICATION = "rectification", "差评整改"
    NOTICE = "notice", "督办回复"


class CardStatus(models.TextChoices):
    OPEN = "open", "未解除"
    CLOSED = "closed", "已解除"


class CardEventKind(models.TextChoices):
    ISSUED = "issued", "亮牌"
    REISSUED = "reissued", "重新亮牌"
    ESCALATED = "escalated", "升级为红牌"
    CLOSED = "closed", "解除"


class NoticeStatus(models.TextChoices):
    SENT = "sent", "待回复"
    REPLIED = "replied", "已回复"
    OVERDUE = "overdue", "逾期未回复（已升级）"
