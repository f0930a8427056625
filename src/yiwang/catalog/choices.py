"""Enumerations of the resource catalog (政务信息资源目录), with Chinese labels."""

from django.db import models


class Category(models.TextChoices):
    BASE = "base", "基础信息资源"
    THEME = "theme", "主题信息资源"
    DEPARTMENT = "department", "部门信息资源"


class BaseRegistry(models.TextChoices):
    NONE = "", "—"
    POPULATION = "population", "人口"
    LEGAL_PERSON = "legal_person", "法人"
    NATURAL_RESOURCES = "natural_resources", "自然资源和空间地理"
    SOCIAL_CREDIT = "social_credit", "社会信用"
    E_LICENCE = "e_licence", "电子证照"


class UpdateCycle(models.TextChoices):
    REALTIME = "realtime", "实时"
    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    HALF_YEARLY = "half_yearly", "每半年"
    YEARLY = "yearly", "每年"
    IRREGULAR = "irregular", "不定期"


# How old a resource's last load may be before it is late, per cycle (days); None: never late.
CYCLE_DAYS = {
    UpdateCycle.REALTIME: 1,
    UpdateCycle.DAILY: 1,
    UpdateCycle.WEEKLY: 7,
    UpdateCycle.MONTHLY: 31,
    UpdateCycle.QUARTERLY: 92,
    UpdateCycle.HALF_YEARLY: 183,
    UpdateCycle.YEARLY: 366,
    UpdateCycle.IRREGULAR: None,
}


class ShareType(models.TextChoices):
    UNCONDITIONAL = "unconditional", "无条件共享"
    CONDITIONAL = "conditional", "有条件共享"
    NONE = "none", "不予共享"


class ShareMethod(models.TextChoices):
    API = "api", "接口"
    FILE = "file", "文件"


class OpenType(models.TextChoices):
    OPEN = "open", "无条件开放"
    CONDITIONAL = "conditional", "有条件开放"
    NOT_OPEN = "not_open", "不予开放"


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class DataType(models.TextChoices):
    STRING = "string", "字符串"
    INTEGER = "integer", "整数"
    DECIMAL = "decimal", "数值"
    DATE = "date", "日期"
    DATETIME = "datetime", "日期时间"
    BOOLEAN = "boolean", "布尔"
    ENUM = "enum", "枚举"
    USCC = "uscc", "统一社会信用代码"
    RIC = "ric", "公民身份号码"
    REGION = "region", "行政区划代码"
    PHONE = "phone", "电话号码"


class DemandStatus(models.TextChoices):
    PENDING = "pending", "待满足"
    MET = "met", "已满足"
    UNMEETABLE = "unmeetable", "不能满足"
