"""Enumerations of service items (政务服务事项), with Chinese labels."""

from django.db import models


class ItemType(models.TextChoices):
    LICENSING = "licensing", "行政许可"
    BENEFIT = "benefit", "行政给付"
    CONFIRMATION = "confirmation", "行政确认"
    LEVY = "levy", "行政征收"
    ADJUDICATION = "adjudication", "行政裁决"
    REWARD = "reward", "行政奖励"
    OTHER_POWER = "other_power", "其他行政权力"
    PUBLIC_SERVICE = "public_service", "公共服务"


class CaseKind(models.TextChoices):
    """办件类型."""

    IMMEDIATE = "immediate", "即办件"
    PROMISED = "promised", "承诺件"


class Audience(models.TextChoices):
    PERSON = "person", "自然人"
    COMPANY = "company", "法人"
    BOTH = "both", "自然人和法人"


class LifeEvent(models.TextChoices):
    """主题分类: life events of people (个人) and of companies (法人)."""

    BIRTH = "birth", "出生"
    EDUCATION = "education", "教育"
    EMPLOYMENT = "employment", "就业"
    HOUSING = "housing", "住房"
    MARRIAGE = "marriage", "婚姻"
    MEDICAL = "medical", "医疗"
    SOCIAL_SECURITY = "social_security", "社保"
    TRANSPORT = "transport", "交通出行"
    RETIREMENT = "retirement", "退休养老"
    DEATH = "death", "身后事"
    STARTUP = "startup", "开办"
    OPERATION = "operation", "经营"
    CONSTRUCTION = "construction", "工程建设"
    TAX = "tax", "纳税"
    CHANGE = "change", "变更"
    CLOSURE = "closure", "注销"


PERSON_EVENTS = [
    LifeEvent.BIRTH, LifeEvent.EDUCATION, LifeEvent.EMPLOYMENT, LifeEvent.HOUSING,
    LifeEvent.MARRIAGE, LifeEvent.MEDICAL, LifeEvent.SOCIAL_SECURITY, LifeEvent.TRANSPORT,
    LifeEvent.RETIREMENT, LifeEvent.DEATH,
]  # fmt: skip
COMPANY_EVENTS = [
    LifeEvent.STARTUP, LifeEvent.OPERATION, LifeEvent.CONSTRUCTION, LifeEvent.TAX,
    LifeEvent.CHANGE, LifeEvent.CLOSURE,
]  # fmt: skip


class OnlineDepth(models.TextChoices):
    """网上办理深度."""

    NONE = "0", "不能网办"
    INFO = "1", "一级：信息公开"
    DOWNLOAD = "2", "二级：表格下载"
    SUBMIT = "3", "三级：网上预审"
    FULL = "4", "四级：全程网办"


class ItemStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    SUSPENDED = "suspended", "已暂停"


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", "原件"
    COPY = "copy", "复印件"
    ELECTRONIC = "electronic", "电子件"


class FormFieldType(models.TextChoices):
    TEXT = "text", "文本"
    TEXTAREA = "textarea", "多行文本"
    INTEGER = "integer", "整数"
    DECIMAL = "decimal", "金额/小数"
    DATE = "date", "日期"
    SELECT = "select", "单选"
    BOOLEAN = "boolean", "是/否"
    RIC = "ric", "身份号码"
    USCC = "uscc", "统一社会信用代码"
    PHONE = "phone", "手机号码"
    REGION = "region", "行政区划"
