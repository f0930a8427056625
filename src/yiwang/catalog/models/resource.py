import re

from django.core.exceptions import ValidationError
from django.db import models

from yiwang.catalog.choices import (
    BaseRegistry,
    Category,
    DataType,
    OpenType,
    ResourceStatus,
    ShareMethod,
    ShareType,
    UpdateCycle,
)
from yiwang.core.permissions import RestrictedQuerySet

# 资源代码: 类(1 letter) 项(2 digits) 目(2 digits) 细目(2 digits, optional) + '/' + 顺序码 (6 digits).
# Anchored with \Z ("$" lets a trailing newline through) and in ASCII digits only; the registry
# builds SQL from field codes that pass FIELD_CODE.
RESOURCE_CODE = re.compile(r"^[A-Z]\d{2}\d{2}(\d{2})?/\d{6}\Z", re.ASCII)
FIELD_CODE = re.compile(r"^[a-z][a-z0-9_]{0,62}\Z", re.ASCII)
IDENTIFIER_TYPES = {DataType.USCC, DataType.RIC, DataType.REGION, DataType.PHONE}


class Resource(models.Model):
    """政务信息资源: one catalogued dataset of a department, with its sharing and opening terms."""

    code = models.CharField("资源代码", max_length=20, unique=True)
    name = models.CharField("资源名称", max_length=200)
    summary = models.TextField("资源摘要", blank=True)
    owner = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name="资源提供方",
    )
    category = models.CharField("资源分类", max_length=16, choices=Category.choices)
    base_registry = models.CharField(
        "基础库", max_length=20, choices=BaseRegistry.choices, blank=True, default=""
    )
    format = models.CharField("资源格式", max_length=40, default="数据库")
    update_cycle = models.CharField("更新周期", max_length=16, choices=UpdateCycle.choices)
    share_type = models.CharField("共享类型", max_length=16, choices=ShareType.choices)
    share_condition = models.TextField("共享条件", blank=True)
    share_method = models.CharField(
        "共享方式", max_length=8, choices=ShareMethod.choices, default=ShareMethod.API
    )
    open_type = models.CharField(
        "开放属性", max_length=16, choices=OpenType.choices, default=OpenType.NOT_OPEN
    )
    open_condition = models.TextField("开放条件", blank=True)
    release_date = models.DateField("发布日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT
    )
    version = models.PositiveIntegerField("版本", default=1)
    last_loaded_at = models.DateTimeField("最近归集", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "信息资源"
        verbose_name_plural = "信息资源"
        ordering = ["code"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self):
        if not RESOURCE_CODE.match(self.code or ""):
            raise ValidationError(
                {
                    "code": "资源代码格式应为 类(1 位字母)项(2 位)目(2 位)[细目(2 位)]/顺序码(6 位)，例如 B0101/000001"
                }
            )
        if not (self.name or "").strip():
            raise ValidationError({"name": "请填写资源名称"})
        if self.share_type == ShareType.CONDITIONAL and not self.share_condition.strip():
            raise ValidationError({"share_condition": "有条件共享的资源必须写明共享条件"})
        if self.open_type == OpenType.CONDITIONAL and not self.open_condition.strip():
            raise ValidationError({"open_condition": "有条件开放的资源必须写明开放条件"})
        if self.category == Category.BASE and not self.base_registry:
            raise ValidationError({"base_registry": "基础信息资源必须指明所属基础库"})

    @property
    def key_fields(self) -> list["Field"]:
        return [f for f in self.fields.all() if f.is_key]


# 身份号码 and phone numbers are personal data by their type: masked unless a grant or role
# allows the clear value, even when the data officer did not tick 个人信息.
ALWAYS_PERSONAL = frozenset({DataType.RIC, DataType.PHONE})


class Field(models.Model):
    """信息项: one column of a resource: its type, length, and whether it is a key or personal."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="fields", verbose_name="资源"
    )
    position = models.PositiveIntegerField("顺序", default=0)
    code = models.CharField("信息项代码", max_length=63)
    name = models.CharField("信息项名称", max_length=100)
    data_type = models.CharField("数据类型", max_length=16, choices=DataType.choices)
    length = models.PositiveIntegerField("长度", null=True, blank=True)
    required = models.BooleanField("必填", default=False)
    is_key = models.BooleanField("主键", default=False)
    is_personal = models.BooleanField("个人/敏感信息", default=False)
    filterable = models.BooleanField("可作为查询条件", default=False)
    enum_values = models.JSONField("枚举值", default=list, blank=True)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "信息项"
        verbose_name_plural = "信息项"
        ordering = ["resource", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "code"], name="field_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def clean(self):
        if self.data_type in ALWAYS_PERSONAL:
            self.is_personal = True  # masked by default whatever the form said (DESIGN.md)
        errors = {}
        if not (self.name or "").strip():
            errors["name"] = "请填写信息项名称"
        if not FIELD_CODE.match(self.code or ""):
            errors["code"] = "信息项代码只能用小写字母、数字和下划线，以字母开头"
        if self.data_type == DataType.ENUM:
            values = self.enum_values or []
            if (
                not values
                or not all(isinstance(v, str) and v for v in values)
                or len(set(values)) != len(values)
            ):
                errors["enum_values"] = "枚举类型必须列出不重复的枚举值"
        if self.is_key and not self.required:
            self.required = True
        if errors:
            raise ValidationError(errors)


class ResourceVersion(models.Model):
    """A published version of a resource: the resource and its fields as they were."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    note = models.CharField("变更说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "资源版本"
        verbose_name_plural = "资源版本"
        ordering = ["resource", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "version"], name="resource_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.resource.code} v{self.version}"
