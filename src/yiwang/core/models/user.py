import datetime

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from yiwang.core.choices import MaskKind, Role
from yiwang.core.identifiers import canonical, django_validator


class User(AbstractUser):
    """A person who signs in: citizen, company agent or staff, with real-name fields."""

    real_name = models.CharField("姓名", max_length=50, blank=True)
    id_number = models.CharField(
        "公民身份号码",
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        validators=[django_validator("ric")],
    )
    phone = models.CharField(
        "手机号码", max_length=11, blank=True, validators=[django_validator("mobile")]
    )

    PERSONAL_FIELDS = {
        "id_number": MaskKind.RIC,
        "phone": MaskKind.PHONE,
        "real_name": MaskKind.NAME,
    }

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        permissions = [("view_clear_personal_data", "可查看未脱敏的个人信息")]

    def __str__(self) -> str:
        return self.real_name or self.username

    @property
    def audit_label(self) -> str:
        """How the audit log names this user: the account, with the name masked."""
        from yiwang.core.masking import mask_name

        return (
            f"{self.username}（{mask_name(self.real_name)}）" if self.real_name else self.username
        )

    def clean(self):
        super().clean()
        self._canonical_identifiers()  # before the uniqueness check sees the number

    def save(self, *args, **kwargs):
        self._canonical_identifiers()
        super().save(*args, **kwargs)

    def _canonical_identifiers(self) -> None:
        # Stored as compared: cases, agencies and usage records match accounts by these.
        self.id_number = canonical("ric", self.id_number) or None
        self.phone = canonical("mobile", self.phone) or ""


class AgencyQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None):
        """The agencies whose authorisation runs on `on` (today): only these act for a company."""
        on = on or timezone.localdate()
        return self.filter(valid_from__lte=on).exclude(valid_until__lt=on)


class CompanyAgent(models.Model):
    """法人代理: a user authorised to act for a legal person identified by its USCC."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="agencies", verbose_name="代理人"
    )
    company_uscc = models.CharField(
        "企业统一社会信用代码", max_length=18, validators=[django_validator("uscc")]
    )
    company_name = models.CharField("企业名称", max_length=200)
    valid_from = models.DateField("授权起始")
    valid_until = models.DateField("授权截止", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = "法人代理"
        verbose_name_plural = "法人代理"
        constraints = [
            models.UniqueConstraint(fields=["user", "company_uscc"], name="agent_unique_company")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.company_name}"

    def save(self, *args, **kwargs):
        self.company_uscc = canonical("uscc", self.company_uscc)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.company_uscc = canonical("uscc", self.company_uscc)
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "授权截止日期不能早于授权起始日期"})

    @property
    def audit_label(self) -> str:
        """How the audit log names this agency: the agent's name masked, as for the user."""
        return f"{self.user.audit_label} → {self.company_name}"


class Membership(models.Model):
    """A staff member's role in one organisation (综合窗口, 审批, 数据管理, 监察, 管理)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name="用户"
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="部门",
    )
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"

    @property
    def audit_label(self) -> str:
        """How the audit log names this role: the holder's name masked, as for the user."""
        return f"{self.user.audit_label} · {self.organisation} · {self.get_role_display()}"
