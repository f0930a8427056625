"""Enumerations of cases (办件), with Chinese labels."""

from django.db import models


class Channel(models.TextChoices):
    ONLINE = "online", "网上申请"
    WINDOW = "window", "窗口申请"
    MOBILE = "mobile", "移动端申请"
    KIOSK = "kiosk", "自助终端申请"


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", "待受理"
    CORRECTION = "correction", "待补正"
    ACCEPTED = "accepted", "审查中"
    APPROVED = "approved", "准予（已办结）"
    REJECTED = "rejected", "不予许可（已办结）"
    REFUSED = "refused", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.CORRECTION, CaseStatus.ACCEPTED)
FINISHED_STATUSES = (
    CaseStatus.APPROVED, CaseStatus.REJECTED, CaseStatus.REFUSED, CaseStatus.WITHDRAWN,
)  # fmt: skip


class ApplicantKind(models.TextChoices):
    PERSON = "person", "自然人"
    COMPANY = "company", "法人"


class TaskStatus(models.TextChoices):
    OPEN = "open", "待办"
    DONE = "done", "已办"
    CANCELLED = "cancelled", "已取消"


class Decision(models.TextChoices):
    APPROVE = "approve", "同意"
    REJECT = "reject", "不同意"


class ClockStopKind(models.TextChoices):
    CORRECTION = "correction", "补正"
    INSPECTION = "inspection", "现场核查"
    EXPERT = "expert", "专家评审"
    HEARING = "hearing", "听证"


SPECIAL_PROCEDURES = (ClockStopKind.INSPECTION, ClockStopKind.EXPERT, ClockStopKind.HEARING)


class MaterialSource(models.TextChoices):
    UPLOAD = "upload", "上传"
    PAPER = "paper", "窗口收取纸质材料"
    LICENCE = "licence", "电子证照（免提交）"
    SHARED = "shared", "共享数据（免提交）"
