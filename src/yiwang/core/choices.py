"""Enumerations of the foundation, with Chinese labels."""

from django.db import models


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", "人民政府"
    DEPARTMENT = "department", "政府部门"
    PUBLIC_INSTITUTION = "public_institution", "事业单位"
    VERTICAL = "vertical", "垂直管理部门"
    SOCIAL = "social", "社会组织"


class OrganisationLevel(models.TextChoices):
    CITY = "city", "市级"
    COUNTY = "county", "区县级"
    TOWNSHIP = "township", "乡镇街道"


class Role(models.TextChoices):
    CLERK = "clerk", "综合窗口人员"
    REVIEWER = "reviewer", "审批人员"
    DATA_OFFICER = "data_officer", "数据管理员"
    HEAD = "head", "部门负责人"
    SUPERVISOR = "supervisor", "监察人员"
    ADMIN = "admin", "系统管理员"


class ActorKind(models.TextChoices):
    USER = "user", "用户"
    CLIENT = "client", "应用系统"
    SYSTEM = "system", "系统"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


class MaskKind(models.TextChoices):
    RIC = "ric", "身份号码"
    PHONE = "phone", "电话号码"
    NAME = "name", "姓名"
    ADDRESS = "address", "地址"
    NONE = "none", "不脱敏"


class PlatformKeyStatus(models.TextChoices):
    CURRENT = "current", "当前签名密钥"
    RETIRED = "retired", "已停用"
    COMPROMISED = "compromised", "已泄露"
