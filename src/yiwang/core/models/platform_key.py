from django.db import models
from django.db.models import Q
from django.utils import timezone

from yiwang.core.choices import PlatformKeyStatus


class PlatformKey(models.Model):
    """平台密钥: the public half of one SM2 key the platform signs (or signed) with, and when.

    The private half of the current key stays where it always was (YIWANG_PLATFORM_SM2_KEY or
    the development key file); this table is what verification trusts: a seal or a signed list
    counts only when its key is listed here and its time lies in the key's range. A key in force
    since before keys were recorded has no start (`valid_from` empty). A compromised key is
    trusted only for what it signed before `compromised_at`.
    """

    fingerprint = models.CharField("指纹（SM3）", max_length=64, unique=True)
    public_key = models.CharField("公钥（十六进制）", max_length=130)
    status = models.CharField("状态", max_length=12, choices=PlatformKeyStatus.choices)
    valid_from = models.DateTimeField("启用时间", null=True, blank=True,
                                      help_text="空：部署以来（登记密钥之前）即已使用")  # fmt: skip
    valid_until = models.DateTimeField("停用时间", null=True, blank=True)
    compromised_at = models.DateTimeField("泄露时间", null=True, blank=True,
                                          help_text="此后由该密钥签名的一律不可信")  # fmt: skip
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "平台密钥"
        verbose_name_plural = "平台密钥"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status=PlatformKeyStatus.CURRENT),
                                    name="one_current_platform_key"),
            models.CheckConstraint(
                condition=(Q(status=PlatformKeyStatus.CURRENT, valid_until__isnull=True, compromised_at__isnull=True)
                           | Q(status=PlatformKeyStatus.RETIRED, valid_until__isnull=False, compromised_at__isnull=True)
                           | Q(status=PlatformKeyStatus.COMPROMISED, valid_until__isnull=False,
                               compromised_at__isnull=False)),
                name="platform_key_status_matches_dates"),
            models.CheckConstraint(condition=Q(valid_from__isnull=True) | Q(valid_until__isnull=True)
                                   | Q(valid_from__lte=models.F("valid_until")), name="platform_key_range_ordered"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"平台密钥 {self.fingerprint[:16]}…（{self.get_status_display()}）"

    @property
    def trusted_until(self):
        """Where trust in what this key signed ends: its compromise, else its retirement."""
        return self.compromised_at or self.valid_until

    def covers(self, moment) -> bool:
        """Whether something signed at `moment` by this key is trusted."""
        starts, ends = self.valid_from, self.trusted_until
        return (starts is None or moment >= starts) and (ends is None or moment < ends)

    def describe_range(self) -> str:
        starts = local_time(self.valid_from) if self.valid_from else "部署以来"
        return (
            f"{starts} 至 {local_time(self.valid_until)}" if self.valid_until else f"{starts} 至今"
        )


def local_time(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"
