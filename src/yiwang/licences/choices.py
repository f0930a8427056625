"""Enumerations of e-licences (电子证照), with Chinese labels."""

from django.db import models


class HolderCodeType(models.TextChoices):
    """持证主体代码类型 (GB/T 36903): which identifier names the holder."""

    RIC = "111", "公民身份号码"
    USCC = "001", "统一社会信用代码"


class LicenceStatus(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "已暂停"
    REVOKED = "revoked", "已吊销"
    CANCELLED = "cancelled", "已注销"
    SUPERSEDED = "superseded", "已变更（旧版本）"
    EXPIRED = "expired", "已过期"


# Statuses that set the licence's bit in the revocation status list: no way back.
REVOKING = frozenset({LicenceStatus.REVOKED, LicenceStatus.CANCELLED, LicenceStatus.SUPERSEDED})


class SealAlgorithm(models.TextChoices):
    SM2 = "sm2", "SM2 + SM3（国密）"
    ED25519 = "ed25519", "Ed25519"


class SealStatus(models.TextChoices):
    ACTIVE = "active", "启用"
    RETIRED = "retired", "已轮换（只用于核验）"
    REVOKED = "revoked", "已作废"


class StatusPurpose(models.TextChoices):
    """W3C Bitstring Status List purposes published by the platform."""

    REVOCATION = "revocation", "吊销/注销/变更"
    SUSPENSION = "suspension", "暂停"
    MESSAGE = "message", "失效原因（吊销、注销或变更）"


class VerificationState(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "已暂停"
    REVOKED = "revoked", "已吊销"
    CANCELLED = "cancelled", "已注销"
    SUPERSEDED = "superseded", "已变更，请使用新版本"
    EXPIRED = "expired", "已过期"
    NOT_YET_VALID = "not_yet_valid", "尚未生效"
    SIGNATURE_INVALID = "signature_invalid", "签名无效"
    NOT_FOUND = "not_found", "查无此证"
    MALFORMED = "malformed", "标识或内容格式错误"
    STATUS_UNKNOWN = "status_unknown", "无法确认状态"  # offline only: a list missing or stale
