"""申请表: a declarative form definition, checked when saved and used to clean what applicants send.

A definition is a list of fields::

    {"code": "shop_name", "label": "店铺名称", "type": "text", "required": true,
     "max_length": 50, "options": [...], "help": "...", "prefill": "applicant.name"}

``prefill`` names where the platform fills the value from: ``applicant.name``,
``applicant.id_number``, ``applicant.phone``, ``company.name``, ``company.uscc``, or
``registry:<资源代码>.<信息项代码>`` (a record of a base registry keyed by the
applicant's code, fetched as a logged exchange of the platform).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from yiwang.core import identifiers
from yiwang.core.errors import ServiceError
from yiwang.services.choices import FormFieldType

CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PREFILL = re.compile(
    r"^(applicant\.(name|id_number|phone)|company\.(name|uscc)|registry:[A-Z0-9/]+\.[a-z][a-z0-9_]*)$"
)
KEYS = {"code", "label", "type", "required", "max_length", "options", "help", "prefill"}
MAX_FIELDS = 80
IDENTIFIER_CHECKS = {
    FormFieldType.RIC: identifiers.validate_ric,
    FormFieldType.USCC: identifiers.validate_uscc,
    FormFieldType.PHONE: identifiers.validate_mobile,
    FormFieldType.REGION: identifiers.validate_region,
}


def check_definition(definition) -> list[dict]:
    """The definition, normalised, or a ServiceError naming the first problem in Chinese."""
    if not isinstance(definition, list) or len(definition) > MAX_FIELDS:
        raise ServiceError("services.form_invalid", f"申请表应为不超过 {MAX_FIELDS} 个字段的列表")
    seen, cleaned = set(), []
    for position, field in enumerate(definition, start=1):
        where = f"申请表第 {position} 个字段"
        if not isinstance(field, dict) or set(field) - KEYS:
            raise ServiceError("services.form_invalid", f"{where}含未知属性")
        code, label = field.get("code", ""), str(field.get("label", "")).strip()
        if not CODE.match(str(code)) or code in seen:
            raise ServiceError("services.form_invalid", f"{where}的代码无效或重复：{code}")
        if not label:
            raise ServiceError("services.form_invalid", f"{where}缺少名称")
        if field.get("type") not in FormFieldType.values:
            raise ServiceError("services.form_invalid", f"{where}（{label}）的类型无效")
        options = field.get("options") or []
        if field["type"] == FormFieldType.SELECT and not (
            isinstance(options, list) and options and all(isinstance(o, str) for o in options)
        ):
            raise ServiceError("services.form_invalid", f"单选字段「{label}」需要选项列表")
        prefill = field.get("prefill") or ""
        if prefill and not PREFILL.match(prefill):
            raise ServiceError("services.form_invalid", f"字段「{label}」的预填来源无效：{prefill}")
        seen.add(code)
        cleaned.append(
            {
                "code": code, "label": label, "type": field["type"],
                "required": bool(field.get("required")),
                "max_length": int(field.get("max_length") or 200), "options": options,
                "help": str(field.get("help", "")), "prefill": prefill,
            }
        )  # fmt: skip
    return cleaned


def clean_submission(definition: list[dict], data: dict) -> tuple[dict, dict[str, str]]:
    """Applicant's values, typed, and the errors per field code (Chinese messages)."""
    cleaned, errors = {}, {}
    for field in definition:
        raw = data.get(field["code"])
        text = "" if raw is None else str(raw).strip()
        if field["type"] == FormFieldType.BOOLEAN:
            cleaned[field["code"]] = text.lower() in {"true", "1", "on", "是", "yes"}
            continue
        if not text:
            if field["required"]:
                errors[field["code"]] = f"请填写{field['label']}"
            continue
        try:
            cleaned[field["code"]] = _typed(field, text)
        except ValueError as exc:
            errors[field["code"]] = f"{field['label']}：{exc}"
    return cleaned, errors


def _typed(field: dict, text: str):
    kind = field["type"]
    if len(text) > field["max_length"]:
        raise ValueError(f"不能超过 {field['max_length']} 个字符")
    if kind == FormFieldType.INTEGER:
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError("应为整数")
        return int(text)
    if kind == FormFieldType.DECIMAL:
        try:
            return str(Decimal(text))
        except InvalidOperation as exc:
            raise ValueError("应为数字") from exc
    if kind == FormFieldType.DATE:
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise ValueError("日期格式应为 YYYY-MM-DD") from exc
    if kind == FormFieldType.SELECT and text not in field["options"]:
        raise ValueError("不是可选的值")
    if kind in IDENTIFIER_CHECKS:
        try:
            return IDENTIFIER_CHECKS[kind](text)
        except identifiers.IdentifierError as exc:
            raise ValueError(str(exc)) from exc
    return text
