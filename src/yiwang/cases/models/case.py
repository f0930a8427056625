from django.db import models

from yiwang.cases.choices import (
    ApplicantKind,
    CaseStatus,
    Channel,
    ClockStopKind,
    Decision,
    MaterialSource,
    TaskStatus,
)
from yiwang.core.choices import MaskKind
from yiwang.core.permissions import RestrictedQuerySet


class Case(models.Model):
    """办件: one application for a service item, from submission to its result.

    The engine state of the item's BPMN process is kept in `workflow_state`
    without the process specification, which lives once in `ProcessModel`.
    """

    number = models.CharField("办件编号", max_length=60, unique=True)
    item = models.ForeignKey(
        "services.ServiceItem", on_delete=models.PROTECT, related_name="cases", verbose_name="事项"
    )
    item_version = models.PositiveIntegerField("事项版本")
    theme = models.ForeignKey(
        "services.Theme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="一件事",
    )
    applicant = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="申请账号",
    )
    applicant_kind = models.CharField("申请人类型", max_length=8, choices=ApplicantKind.choices)
    applicant_name = models.CharField("申请人", max_length=200)
    applicant_code = models.CharField("申请人证件号码", max_length=18, db_index=True)
    contact_phone = models.CharField("联系电话", max_length=11, blank=True)
    channel = models.CharField("申请渠道", max_length=8, choices=Channel.choices)
    form_data = models.JSONField("申请表", default=dict)
    status = models.CharField(
        "状态", max_length=12, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    participants = models.ManyToManyField(
        "core.Organisation", related_name="cases", verbose_name="办理部门"
    )
    registered_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="窗口登记人",
    )
    accepted_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="受理人",
    )
    refused_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="不予受理经办人",
    )
    submitted_at = models.DateTimeField("提交时间")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    finished_at = models.DateTimeField("办结时间", null=True, blank=True)
    due_date = models.DateField("承诺办结日期", null=True, blank=True)
    warn_date = models.DateField(
        "预警日期",
        null=True,
        blank=True,
        help_text="自该日起剩余时间进入黄牌区间（暂停计时期间顺延）",
    )
    statutory_due_date = models.DateField("法定办结日期", null=True, blank=True)
    correction_notice = models.JSONField("补正告知", default=list, blank=True)
    outcome_note = models.TextField("办理结果说明", blank=True)
    process = models.ForeignKey(
        "services.ProcessModel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="审批流程",
    )
    # Text, not JSON: PostgreSQL's jsonb reorders keys, and the engine restores tasks in order.
    workflow_state = models.TextField("流程状态", blank=True)
    # Text: a theme's (一件事) case issues one result per item, e.g. several licence identifiers.
    result_reference = models.TextField("结果文书/证照编号", blank=True)
    timer_due_at = models.DateTimeField(
        "定时事件到期时间",
        null=True,
        blank=True,
        help_text="流程等待的最早定时事件何时到期；定时任务按此找出到期的办件",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    PERSONAL_FIELDS = {
        "applicant_code": MaskKind.RIC,
        "applicant_name": MaskKind.NAME,
        "contact_phone": MaskKind.PHONE,
    }

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["status", "warn_date"]),
            models.Index(fields=["item", "status"]),
            models.Index(fields=["updated_at"]),  # the incremental deadline sweep
            models.Index(  # the timer job: only cases that wait on a timer are in it
                fields=["timer_due_at"],
                name="cases_case_timer_due_idx",
                condition=models.Q(timer_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def audit_label(self) -> str:
        return f"办件 {self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in (CaseStatus.SUBMITTED, CaseStatus.CORRECTION, CaseStatus.ACCEPTED)


class CaseTask(models.Model):
    """A department's piece of work in a case: one BPMN user task for one organisation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    engine_id = models.UUIDField("引擎任务编号", unique=True)
    node_id = models.CharField("流程节点", max_length=100)
    name = models.CharField("任务", max_length=100)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="case_tasks"
    )
    role = models.CharField("岗位", max_length=16)
    status = models.CharField(
        "状态", max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    due_date = models.DateField("办理期限", null=True, blank=True)
    warn_date = models.DateField("预警日期", null=True, blank=True)
    decision = models.CharField(
        "审查意见", max_length=8, choices=Decision.choices, blank=True, default=""
    )
    opinion = models.TextField("意见说明", blank=True)
    completed_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "部门任务"
        verbose_name_plural = "部门任务"
        ordering = ["case", "created_at", "id"]
        indexes = [
            models.Index(fields=["organisation", "status", "due_date"]),
            models.Index(fields=["status", "warn_date"]),
            models.Index(fields=["status", "due_date"]),  # the deadline sweep's escalation
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.name}"


class CaseMaterial(models.Model):
    """A material of a case: uploaded, taken on paper at the window, or fetched by the platform."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        "services.Material", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )  # a material the item no longer asks for: the case keeps the document, by its name
    name = models.CharField("材料名称", max_length=200)
    source = models.CharField("提供方式", max_length=8, choices=MaterialSource.choices)
    file = models.FileField("文件", upload_to="cases/%Y/%m/", blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    reference = models.CharField(
        "证照标识/共享资源",
        max_length=120,
        blank=True,
        help_text="免提交时所用的电子证照或共享资源",
    )
    consent_at = models.DateTimeField("申请人授权用证时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return self.name


class CaseEvent(models.Model):
    """One step in a case's timeline, as the applicant and staff see it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=32)
    message = models.TextField("说明")
    actor_label = models.CharField("办理人", max_length=200, blank=True)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "办件记录"
        verbose_name_plural = "办件记录"
        ordering = ["case", "occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.kind}"


class ClockStop(models.Model):
    """A period when a case's clock does not run: 补正, or a 特别程序 (inspection, expert, hearing)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clock_stops")
    kind = models.CharField("类型", max_length=12, choices=ClockStopKind.choices)
    reason = models.TextField("原因")
    started_at = models.DateTimeField("开始")
    planned_end = models.DateField("预计结束", null=True, blank=True)
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="启动部门",
    )
    ended_at = models.DateTimeField("结束", null=True, blank=True)

    class Meta:
        verbose_name = "计时暂停"
        verbose_name_plural = "计时暂停"
        ordering = ["case", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(ended_at__isnull=True), name="one_open_stop"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()}"


class CaseSequence(models.Model):
    """The last sequence number given per 实施编码 and day, for 办件编号."""

    prefix = models.CharField(max_length=60, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "办件编号序列"
        verbose_name_plural = "办件编号序列"

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


class Notification(models.Model):
    """站内消息: what a person is told about their case."""

    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    message = models.TextField("内容")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message[:30]
