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


# 问题类型: what each problem code of a load means, for people. The codes themselves are stable
# (the API and the quarantine CSV carry them); every code the readers, the validator (with the
# identifier checks it runs) and the loader can give a row or a file has a label here.
PROBLEM_LABELS = {
    "file.empty": "文件为空",
    "file.encoding": "文件编码无法识别",
    "file.format": "文件格式无法读取",
    "file.header_missing": "缺少表头",
    "file.too_large": "文件过大",
    "header.duplicate": "表头列重复",
    "header.empty": "表头为空",
    "header.missing_field": "缺少必填列",
    "header.too_many_columns": "表头列数过多",
    "row.bad_csv": "不是有效的 CSV 行",
    "row.bad_json": "不是有效的 JSON 行",
    "row.duplicate_key": "主键在本批次中重复",
    "row.field_too_large": "单元格内容过长",
    "row.key_exists": "主键已存在（仅新增方式）",
    "row.nul_byte": "含有空字符",
    "row.too_large": "该行过长",
    "row.too_many_columns": "列数多于表头",
    "key.too_long": "主键过长",
    "value.required": "必填项为空",
    "value.too_long": "超过长度上限",
    "value.not_scalar": "不是单个值",
    "value.not_in_enum": "不在枚举值范围内",
    "value.not_integer": "不是整数",
    "value.not_decimal": "不是数值",
    "value.not_date": "不是有效日期",
    "value.not_datetime": "不是有效日期时间",
    "value.not_boolean": "不是是/否值",
    "rule.ric_birth_date": "出生日期与公民身份号码不一致",
    "rule.ric_sex": "性别与公民身份号码不一致",
    "identifier.uscc.length": "统一社会信用代码位数不对",
    "identifier.uscc.format": "统一社会信用代码含有不允许的字符",
    "identifier.uscc.checksum": "统一社会信用代码校验位错误",
    "identifier.ric.length": "公民身份号码位数不对",
    "identifier.ric.format": "公民身份号码含有不允许的字符",
    "identifier.ric.checksum": "公民身份号码校验位错误",
    "identifier.ric.birth_date": "公民身份号码中的出生日期无效",
    "identifier.ric.region": "公民身份号码中的地址码无效",
    "identifier.region.format": "行政区划代码不是 6 位数字",
    "identifier.region.unknown": "行政区划代码不在 GB/T 2260 中",
    "identifier.test_region": "使用了测试区划（99 开头）",
    "identifier.org_code.length": "组织机构代码位数不对",
    "identifier.org_code.format": "组织机构代码含有不允许的字符",
    "identifier.org_code.checksum": "组织机构代码校验位错误",
    "identifier.mobile.format": "手机号码格式不对",
    "identifier.licence_id.prefix": "电子证照标识前缀不对",
    "identifier.licence_id.format": "电子证照标识结构不正确",
    "identifier.licence_id.checksum": "电子证照标识校验位错误",
}


def problem_label(code: str) -> str:
    """The Chinese name of a problem code; a code without one (from an older version) as is."""
    return PROBLEM_LABELS.get(code, code)
