import re

from django.core.exceptions import ValidationError
from django.db import models

from yiwang.core.permissions import RestrictedQuerySet
from yiwang.services.choices import (
    Audience,
    CaseKind,
    ItemStatus,
    ItemType,
    LifeEvent,
    MaterialForm,
    OnlineDepth,
)

# 实施编码: the 基本编码 of the item and the implementing body's code, digits and capitals.
ITEM_CODE = re.compile(r"^[0-9A-Z]{12,40}$")
# The most the API declares (and answers) of these elements; every path that saves an item keeps
# within them, or the item's guide could not be answered.
NAME_MIN = 2
TEXT_MAX = {"summary": 5000, "legal_basis": 5000, "conditions": 5000, "fee": 2000}
NUMBER_MAX = {"statutory_days": 3650, "promised_days": 3650, "visits": 10, "yellow_days": 365}
COPIES_MAX, DESCRIPTION_MAX = 99, 2000  # of a material


def nul_errors(instance) -> dict:
    """The text fields carrying NUL, which PostgreSQL text cannot hold, each with its message."""
    return {
        f.name: f"{f.verbose_name}含有不允许的字符（NUL）"
        for f in instance._meta.concrete_fields
        if isinstance(value := getattr(instance, f.attname, None), str) and "\x00" in value
    }


class ServiceItem(models.Model):
    """政务服务事项 (实施清单): one service a department delivers, with its standard elements.

    The row holds the current description; each publication is kept as a
    `ServiceItemVersion` so that a case shows the guide it was applied under.
    """

    code = models.CharField("实施编码", max_length=40, unique=True)
    name = models.CharField("事项名称", max_length=200)
    item_type = models.CharField("事项类型", max_length=16, choices=ItemType.choices)
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="service_items",
        verbose_name="实施主体",
    )
    participants = models.ManyToManyField(
        "core.Organisation",
        blank=True,
        related_name="participating_items",
        verbose_name="参与审查部门",
    )
    audience = models.CharField("服务对象", max_length=8, choices=Audience.choices)
    life_event = models.CharField(
        "主题分类", max_length=20, choices=LifeEvent.choices, blank=True, default=""
    )
    summary = models.TextField("事项简介", blank=True)
    legal_basis = models.TextField("设定依据", blank=True)
    conditions = models.TextField("受理条件", blank=True)
    case_kind = models.CharField("办件类型", max_length=10, choices=CaseKind.choices)
    statutory_days = models.PositiveIntegerField("法定办结时限（工作日）", null=True, blank=True)
    promised_days = models.PositiveIntegerField("承诺办结时限（工作日）", null=True, blank=True)
    visits = models.PositiveSmallIntegerField("到办事现场次数", default=1)
    online_depth = models.CharField(
        "网上办理深度", max_length=1, choices=OnlineDepth.choices, default=OnlineDepth.NONE
    )
    immediate = models.BooleanField("马上办", default=False)
    online = models.BooleanField("网上办", default=False)
    nearby = models.BooleanField("就近办", default=False)
    one_visit = models.BooleanField("一次办", default=False)
    charged = models.BooleanField("是否收费", default=False)
    fee = models.TextField("收费标准及依据", blank=True)
    result_name = models.CharField("审批结果名称", max_length=100, blank=True)
    result_licence_type = models.CharField(
        "审批结果证照类型代码",
        max_length=21,
        blank=True,
        help_text="结果为电子证照时填写证照类型代码",
    )
    process = models.ForeignKey(
        "services.ProcessModel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name="审批流程",
        help_text="为空时使用默认流程：各参与部门并行审查 → 决定 → 出件",
    )
    form_definition = models.JSONField("申请表", default=list, blank=True)
    yellow_ratio = models.FloatField(
        "黄牌预警比例",
        null=True,
        blank=True,
        help_text="剩余时间不超过承诺时限的该比例时亮黄牌；空则用全局设置",
    )
    yellow_days = models.PositiveSmallIntegerField(
        "黄牌预警天数",
        null=True,
        blank=True,
        help_text="剩余工作日不超过该天数时亮黄牌；空则用全局设置",
    )
    window_address = models.CharField("办理地点", max_length=200, blank=True)
    office_hours = models.CharField("办理时间", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    version = models.PositiveIntegerField("版本", default=1)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    use_count = models.PositiveIntegerField("办件量", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["status", "life_event"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = self.beyond_limits()
        if not ITEM_CODE.match(self.code or ""):
            errors["code"] = "实施编码应为 12–40 位数字或大写字母"
        if self.case_kind == CaseKind.PROMISED and not self.promised_days:
            errors["promised_days"] = "承诺件必须填写承诺办结时限"
        if (
            self.statutory_days is not None
            and self.promised_days is not None
            and self.promised_days > self.statutory_days
        ):
            errors["promised_days"] = "承诺办结时限不能超过法定办结时限"
        if self.charged and not self.fee.strip():
            errors["fee"] = "收费事项必须写明收费标准及依据"
        if self.online_depth == OnlineDepth.FULL and not self.online:
            errors["online"] = "全程网办的事项应标记为网上办"
        if self.yellow_ratio is not None and not 0 <= self.yellow_ratio <= 1:
            errors["yellow_ratio"] = "黄牌预警比例应在 0 到 1 之间（如 0.2 表示剩余 20%）"
        if errors:
            raise ValidationError(errors)

    def beyond_limits(self) -> dict:
        """The elements outside what the API declares it answers, each with its message."""
        errors = nul_errors(self)
        if len((self.name or "").strip()) < NAME_MIN:
            errors["name"] = f"事项名称至少 {NAME_MIN} 个字"
        for name, limit in TEXT_MAX.items():
            if len(getattr(self, name) or "") > limit:
                errors[name] = f"{self._meta.get_field(name).verbose_name}不能超过 {limit} 字"
        for name, limit in NUMBER_MAX.items():
            value = getattr(self, name)
            if isinstance(value, int) and value > limit:
                errors[name] = f"{self._meta.get_field(name).verbose_name}不能超过 {limit}"
        return errors

    @property
    def compression_ratio(self) -> float | None:
        """承诺时限压缩比 = 1 − promised / statutory."""
        if not self.statutory_days or self.promised_days is None:
            return None
        return 1 - self.promised_days / self.statutory_days


class Material(models.Model):
    """申请材料: one document an applicant provides, unless the platform can fetch it (免提交)."""

    item = models.ForeignKey(
        ServiceItem, on_delete=models.CASCADE, related_name="materials", verbose_name="事项"
    )
    position = models.PositiveIntegerField("顺序", default=0)
    name = models.CharField("材料名称", max_length=200)
    required = models.BooleanField("必要", default=True)
    form = models.CharField(
        "材料形式", max_length=12, choices=MaterialForm.choices, default=MaterialForm.ELECTRONIC
    )
    copies = models.PositiveSmallIntegerField("份数", default=1)
    description = models.TextField("填报须知", blank=True)
    example = models.FileField("示例样表", upload_to="materials/examples/", blank=True)
    licence_type = models.CharField(
        "可由电子证照替代（证照类型代码）", max_length=21, blank=True, default=""
    )
    resource = models.ForeignKey(
        "catalog.Resource",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_materials",
        verbose_name="可由共享数据替代",
    )

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["item", "position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = nul_errors(self)
        if not (self.name or "").strip():
            errors["name"] = "请填写材料名称"
        if self.copies is not None and self.copies > COPIES_MAX:
            errors["copies"] = f"份数不能超过 {COPIES_MAX}"
        if len(self.description or "") > DESCRIPTION_MAX:
            errors["description"] = f"填报须知不能超过 {DESCRIPTION_MAX} 字"
        if errors:
            raise ValidationError(errors)

    @property
    def replaceable(self) -> bool:
        return bool(self.licence_type or self.resource_id)

    @property
    def dedup_key(self) -> str:
        """What makes two items' materials the same document within a theme."""
        if self.licence_type:
            return f"licence:{self.licence_type}"
        if self.resource_id:
            return f"resource:{self.resource_id}"
        return f"name:{self.name.strip()}"


class ServiceItemVersion(models.Model):
    """A published state of an item: the guide as applicants saw it from then on."""

    item = models.ForeignKey(
        ServiceItem, on_delete=models.CASCADE, related_name="versions", verbose_name="事项"
    )
    version = models.PositiveIntegerField("版本")
    snapshot = models.JSONField("内容")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["item", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="item_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item} v{self.version}"
