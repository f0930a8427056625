import json

from django.db import models
from django.utils import timezone

from yiwang.core.choices import MaskKind
from yiwang.core.permissions import RestrictedQuerySet
from yiwang.licences.choices import HolderCodeType, LicenceStatus


class Licence(models.Model):
    """电子证照: one version of an issued licence, signed by its issuer's seal.

    `document` is the RFC 8785 canonical JSON that was signed, kept byte for byte: pages and
    verification read the licence's content from it, so a changed column cannot change what
    a verifier is shown. `status` is the mutable part, published in the status lists at
    `status_index`. A 变更 makes a new version (same 流水号, version + 1) and supersedes this one.
    """

    identifier = models.CharField("电子证照标识", max_length=120, unique=True)
    licence_type = models.ForeignKey("licences.LicenceType", on_delete=models.PROTECT, related_name="licences",
                                     verbose_name="证照类型")  # fmt: skip
    issuer = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="issued_licences",
                               verbose_name="颁发机构")  # fmt: skip
    seal = models.ForeignKey("licences.IssuingSeal", on_delete=models.PROTECT, related_name="licences",
                             verbose_name="签发印章")  # fmt: skip
    serial = models.CharField("流水号", max_length=20)
    version = models.PositiveIntegerField("版本号", default=1)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="next",
                                    verbose_name="上一版本")  # fmt: skip
    number = models.CharField("证照编号", max_length=64, db_index=True)
    holder_name = models.CharField("持证主体", max_length=200)
    holder_code = models.CharField("持证主体代码", max_length=18)
    holder_code_type = models.CharField(
        "持证主体代码类型", max_length=3, choices=HolderCodeType.choices
    )
    region_code = models.CharField("所属管辖属地", max_length=6)
    issued_on = models.DateField("颁发日期")
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期止", null=True, blank=True, help_text="空表示长期有效")
    document = models.TextField("签名内容（规范化 JSON）")
    signature = models.CharField("签名（十六进制）", max_length=256)
    status = models.CharField(
        "状态", max_length=12, choices=LicenceStatus.choices, default=LicenceStatus.VALID
    )
    status_reason = models.CharField("状态原因", max_length=300, blank=True)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    status_index = models.PositiveBigIntegerField("状态列表序号", unique=True)
    case_number = models.CharField("办件编号", max_length=64, blank=True)
    created_at = models.DateTimeField("签发时间", default=timezone.now)

    PERSONAL_FIELDS = {"holder_code": MaskKind.RIC, "holder_name": MaskKind.NAME}

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["licence_type", "issuer", "serial", "version"],
                                    name="licence_unique_version"),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["holder_code", "licence_type"]),
            models.Index(fields=["status", "valid_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.licence_type.name} {self.number}"

    @property
    def audit_label(self) -> str:
        return self.identifier

    @property
    def content(self) -> dict:
        """The signed content (parsed once per instance)."""
        cached = getattr(self, "_content", None)
        if cached is None:
            cached = self._content = json.loads(self.document)
        return cached

    def is_in_date(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.valid_from <= today and (self.valid_until is None or today <= self.valid_until)


class LicenceUse(models.Model):
    """用证记录: one use of a licence (material reuse in a case, a check by a department system),
    with the holder's consent; the holder sees every one in the wallet."""

    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, related_name="uses", verbose_name="电子证照"
    )
    used_at = models.DateTimeField("使用时间", default=timezone.now, db_index=True)
    organisation = models.ForeignKey("core.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="用证部门")  # fmt: skip
    user = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name="经办人")  # fmt: skip
    client = models.ForeignKey("core.ApiClient", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name="应用系统")  # fmt: skip
    used_by = models.CharField("用证方", max_length=200)
    purpose = models.CharField("用途", max_length=300)
    case_number = models.CharField("办件编号", max_length=64, blank=True)
    consent = models.BooleanField("持证人已同意", default=False)
    verification = models.CharField("核验结果", max_length=20, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "用证记录"
        verbose_name_plural = "用证记录"
        ordering = ["-used_at", "-id"]

    def __str__(self) -> str:
        return f"{self.used_at:%Y-%m-%d %H:%M} {self.used_by} {self.purpose}"
