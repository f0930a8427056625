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
    # GovStack writes, one per kind of the Data and Database APIs, so that the people concerned
    # see what was done to their record (the label is what 我的数据使用记录 shows).
    GOVSTACK_CREATE = "govstack.create", "新增记录"
    GOVSTACK_UPDATE = "govstack.update", "修改记录"
    GOVSTACK_UPDATE_ENTRIES = "govstack.updateEntries", "批量修改记录"
    GOVSTACK_UPDATE_OR_CREATE = "govstack.updateOrCreate", "修改或新增记录"
    GOVSTACK_DELETE = "govstack.delete", "删除记录"
    GOVSTACK_DATABASE_MODIFY = "govstack.database.modify", "修改登记簿结构"
    GOVSTACK_DATABASE_DELETE = "govstack.database.delete", "停用登记簿"
    # Refused GovStack writes logged before each kind had its own operation; sealed rows keep it.
    WRITE = "write", "写入"
    # GovStack reads that the gateway does not take: a registry's structure (databases,
    # database/{id}) and a person's usage record (myPersonalDataUsage), answered or refused.
    SCHEMA = "schema", "登记簿结构查询"
    USAGE = "usage", "使用记录查询"
