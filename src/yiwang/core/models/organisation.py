from django.core.exceptions import ValidationError
from django.db import models

from yiwang.core.choices import OrganisationKind, OrganisationLevel
from yiwang.core.identifiers import canonical, django_validator
from yiwang.core.permissions import RestrictedQuerySet


class Organisation(models.Model):
    """部门/单位: a government body in the tree city → departments, counties → theirs."""

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    uscc = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[django_validator("uscc")]
    )
    region_code = models.CharField(
        "行政区划代码", max_length=6, validators=[django_validator("region")]
    )
    kind = models.CharField("类型", max_length=24, choices=OrganisationKind.choices)
    level = models.CharField("层级", max_length=16, choices=OrganisationLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField("启用", default=True)
    hosts_window = models.BooleanField(
        "设综合窗口",
        default=False,
        help_text="政务服务中心等：其综合窗口人员受理各部门事项的申请",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "部门/单位"
        verbose_name_plural = "部门/单位"
        ordering = ["region_code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="organisation_unique_name_under_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.uscc = canonical("uscc", self.uscc)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.uscc = canonical("uscc", self.uscc)  # before the uniqueness check sees it
        if self.pk is not None and self.parent_id is not None:
            if self.parent_id == self.pk or self in self.parent.ancestors():
                raise ValidationError({"parent": "上级单位不能是自身或其下级"})

    @property
    def region_name(self) -> str:
        from yiwang.core.identifiers import region_name

        return region_name(self.region_code) or self.region_code

    def ancestors(self) -> list["Organisation"]:
        chain, node = [], self.parent
        while node is not None and len(chain) < 20:
            chain.append(node)
            node = node.parent
        return chain
