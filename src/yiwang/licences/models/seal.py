from django.db import models
from django.utils import timezone

from yiwang.core.permissions import RestrictedQuerySet
from yiwang.licences.choices import SealAlgorithm, SealStatus


class IssuingSeal(models.Model):
    """电子印章: an issuing organisation's signing key with its name and validity.

    Its image (`appearance`, SVG: ring, star and the `inscription` along the arc) is drawn once
    when the seal is made and kept with it, so a later renamed organisation does not change the
    seal printed on licences it signed. The private key is stored only encrypted (AES-256-GCM
    with YIWANG_SEAL_ENCRYPTION_KEY, the key id as associated data); no page, API answer or
    audit row ever carries it.
    A rotated seal is `retired`: it no longer signs but still verifies what it signed.
    """

    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="seals",
                                     verbose_name="颁发机构")  # fmt: skip
    name = models.CharField("印章名称", max_length=100)
    inscription = models.CharField("印文", max_length=100, help_text="印章上环绕的文字，制作时确定")
    appearance = models.TextField("印章图像（SVG）", editable=False, default="")
    algorithm = models.CharField("算法", max_length=8, choices=SealAlgorithm.choices,
                                 default=SealAlgorithm.SM2)  # fmt: skip
    key_id = models.CharField("密钥标识", max_length=40, unique=True)
    public_key = models.CharField("公钥（十六进制）", max_length=130)
    private_key_encrypted = models.TextField(editable=False)
    valid_from = models.DateField("启用日期")
    valid_until = models.DateField("有效期至")
    status = models.CharField(
        "状态", max_length=8, choices=SealStatus.choices, default=SealStatus.ACTIVE
    )
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="轮换后的印章")  # fmt: skip
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "电子印章"
        verbose_name_plural = "电子印章"
        ordering = ["organisation_id", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.key_id[:8]}…）"

    def __repr__(self) -> str:
        # Never let a debugger or a log print the ciphertext either.
        return f"<IssuingSeal {self.pk} {self.key_id}>"

    def can_sign(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == SealStatus.ACTIVE and self.valid_from <= today <= self.valid_until


class Counter(models.Model):
    """A named sequence (流水号 per licence type and issuer, status-list indexes), taken under a row lock."""

    name = models.CharField(max_length=80, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "序号"
        verbose_name_plural = "序号"

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
