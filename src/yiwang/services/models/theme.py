from django.core.exceptions import ValidationError
from django.db import models

from yiwang.core.permissions import RestrictedQuerySet
from yiwang.services.choices import Audience, ItemStatus, LifeEvent

# A theme's address in pages and the API (/api/v1/cases/themes/{code}): lowercase, 2–40 long.
THEME_CODE = r"^[-a-z0-9_]{2,40}$"


class Theme(models.Model):
    """一件事: several items applied for together, with one joint form and one joint case."""

    code = models.SlugField("主题编码", max_length=40, unique=True)
    name = models.CharField("主题名称", max_length=100)
    summary = models.TextField("简介", blank=True)
    audience = models.CharField("服务对象", max_length=8, choices=Audience.choices)
    life_event = models.CharField(
        "主题分类", max_length=20, choices=LifeEvent.choices, blank=True, default=""
    )
    lead = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="led_themes",
        verbose_name="牵头部门",
    )
    items = models.ManyToManyField(
        "services.ServiceItem", through="ThemeItem", related_name="themes", verbose_name="事项"
    )
    status = models.CharField(
        "状态", max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "一件事主题"
        verbose_name_plural = "一件事主题"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from yiwang.services.models.item import nul_errors

        errors = nul_errors(self)
        if not (self.name or "").strip():
            errors["name"] = "请填写一件事名称"
        if errors:
            raise ValidationError(errors)


class ThemeItem(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="theme_items")
    item = models.ForeignKey("services.ServiceItem", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "主题事项"
        verbose_name_plural = "主题事项"
        ordering = ["theme", "position"]
        constraints = [models.UniqueConstraint(fields=["theme", "item"], name="theme_item_unique")]

    def __str__(self) -> str:
        return f"{self.theme} · {self.item}"
