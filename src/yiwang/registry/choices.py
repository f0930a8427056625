"""Enumerations of the registries and loads (归集), with Chinese labels."""

from django.db import models


class LoadMode(models.TextChoices):
    INSERT = "insert", "仅新增"
    UPSERT = "upsert", "新增或更新"
    REPLACE = "replace", "全量替换"


class LoadSource(models.TextChoices):
    CSV = "csv", "CSV 文件"
    XLSX = "xlsx", "Excel 文件"
    JSONL = "jsonl", "JSON Lines 文件"
    API = "api", "接口推送"


class LoadStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    VALIDATING = "validating", "校验中"
    MERGING = "merging", "入库中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"
