"""Enumerations of the shared-data exchange (共享交换), with Chinese labels."""

from django.db import models


class RequestStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    REFUSED = "refused", "不予共享"


class GrantStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    SUSPENDED = "suspended", "已暂停"
    REVOKED = "revoked", "已撤销"


class ExchangeOperation(models.TextChoices):
    LOOKUP = "lookup", "单条查询"
    BATCH = "batch", "批量查询"
    FILTER = "filter", "条件查询"
    VERIFY = "verify", "数据核验"
    # GovStack calls other than reads; logged when refused (successful writes are audited loads).
    WRITE = "write", "写入"
    SCHEMA = "schema", "登记簿结构"
    USAGE = "usage", "使用记录查询"
