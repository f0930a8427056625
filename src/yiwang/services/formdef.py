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
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from yiwang.core import identifiers
from yiwang.core.errors import ServiceError
from yiwang.core.nul import has_nul
from yiwang.services.choices import FormFieldType

CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Names the application pages post beside the form's fields (代办企业, 用证授权, 材料, CSRF): a
# field of that code would be overwritten by them.
RESERVED_CODE = re.compile(r"^(company|csrfmiddlewaretoken|consent_\d+|material_\d+)$")
PREFILL = re.compile(
    r"^(applicant\.(name|id_number|phone)|company\.(name|uscc)|registry:[A-Z0-9/]+\.[a-z][a-z0-9_]*)$"
)
KEYS = {"code", "label", "type", "required", "max_length", "options", "help", "prefill"}
MAX_FIELDS = 80
# What the API answers of a field (`api.FormFieldSpec`) holds at most.
LABEL_MAX, HELP_MAX, PREFILL_MAX, MAX_OPTIONS = 100, 500, 120, 200
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
        if has_nul(field):  # PostgreSQL JSONB cannot hold it
            raise ServiceError("services.form_invalid", f"{where}含有不允许的字符（NUL）")
        code, label = field.get("code", ""), field.get("label")
        label = label.strip() if isinstance(label, str) else ""
        if not CODE.match(str(code)) or code in seen:
            raise ServiceError("services.form_invalid", f"{where}的代码无效或重复：{code}")
        if RESERVED_CODE.match(code):
            raise ServiceError("services.form_invalid",
                               f"{where}的代码 {code} 是申请页面的保留名称，请换一个代码")  # fmt: skip
        if not label:
            raise ServiceError("services.form_invalid", f"{where}缺少名称")
        if len(label) > LABEL_MAX:
            raise ServiceError("services.form_invalid", f"{where}的名称不能超过 {LABEL_MAX} 字")
        if field.get("type") not in FormFieldType.values:
            raise ServiceError("services.form_invalid", f"{where}（{label}）的类型无效")
        options = field.get("options") or []
        if field["type"] == FormFieldType.SELECT and not (
            isinstance(options, list) and options and all(isinstance(o, str) for o in options)
        ):
            raise ServiceError("services.form_invalid", f"单选字段「{label}」需要选项列表")
        if not (isinstance(options, list) and all(isinstance(o, str) for o in options)):
            raise ServiceError("services.form_invalid", f"字段「{label}」的选项应为文字列表")
        if len(options) > MAX_OPTIONS:
            raise ServiceError("services.form_invalid",
                               f"字段「{label}」的选项不能超过 {MAX_OPTIONS} 个")  # fmt: skip
        prefill = field.get("prefill") or ""
        if prefill and not (
            isinstance(prefill, str) and len(prefill) <= PREFILL_MAX and PREFILL.match(prefill)
        ):
            raise ServiceError("services.form_invalid", f"字段「{label}」的预填来源无效：{prefill}")
        help_text = str(field.get("help") or "")
        if len(help_text) > HELP_MAX:
            raise ServiceError(
                "services.form_invalid", f"{where}（{label}）的说明不能超过 {HELP_MAX} 字"
            )
        seen.add(code)
        cleaned.append(
            {
                "code": code, "label": label, "type": field["type"],
                "required": bool(field.get("required")),
                "max_length": _max_length(field.get("max_length"), f"{where}（{label}）"), "options": options,
                "help": help_text, "prefill": prefill,
            }
        )  # fmt: skip
    return cleaned


@dataclass(frozen=True)
class FieldConflict:
    """One field code that two forms define in ways one joint form cannot hold."""

    code: str
    first: object  # whatever owns each form (a service item): its `name` is shown
    second: object
    difference: str

    def describe(self) -> str:
        return (
            f"申请表字段 {self.code} 在「{self.first.name}」与「{self.second.name}」中"
            f"{self.difference}"
        )


def merge_item_forms(items) -> tuple[list[dict], list[FieldConflict]]:
    """`merge_forms` over service items' own forms (`form_definition`), in the items' order."""
    return merge_forms([(item, item.form_definition) for item in items])


def merge_forms(forms: list[tuple[object, list[dict]]]) -> tuple[list[dict], list[FieldConflict]]:
    """联合申请表: several owners' forms (a theme's items, in order) merged by field code, and
    the codes that cannot be merged.

    A code shared by several forms is one question to the applicant, so the forms must agree on
    what it is: its type, its choices (in any order) and, when both prefill it, where the value
    comes from (``company.name`` and ``applicant.name`` under one code are two different
    things). Everything else merges: the first form's wording, required when any form requires
    it, the shortest maximum length (what every form accepts), and the prefill of whichever has
    one. A conflicting field keeps the first form's definition, so that callers that only read
    (a case's joint form) still get a form; callers that write refuse the conflict instead.
    """
    merged: dict[str, dict] = {}
    owners: dict[str, object] = {}
    conflicts: list[FieldConflict] = []
    for owner, definition in forms:
        for field in definition or []:
            entry = merged.get(field["code"])
            if entry is None:
                merged[field["code"]] = {**field, "items": [owner.name]}
                owners[field["code"]] = owner
                continue
            difference = _difference(entry, field)
            if difference:
                conflicts.append(
                    FieldConflict(field["code"], owners[field["code"]], owner, difference)
                )
                continue
            entry["required"] = entry["required"] or field.get("required", False)
            entry["max_length"] = min(entry["max_length"], field.get("max_length", 200))
            entry["prefill"] = entry.get("prefill") or field.get("prefill", "")
            entry["items"].append(owner.name)
    return list(merged.values()), conflicts


def _difference(first: dict, other: dict) -> str:
    """What makes two definitions of one code two different questions, in Chinese; "" if none."""
    if first["type"] != other["type"]:
        kinds = FormFieldType(first["type"]).label, FormFieldType(other["type"]).label
        return f"类型分别为「{kinds[0]}」和「{kinds[1]}」"
    options = first.get("options") or [], other.get("options") or []
    if first["type"] == FormFieldType.SELECT and set(options[0]) != set(options[1]):
        return f"可选项分别为「{'、'.join(options[0])}」和「{'、'.join(options[1])}」"
    prefills = first.get("prefill") or "", other.get("prefill") or ""
    if all(prefills) and prefills[0] != prefills[1]:
        return f"预填来源分别为 {prefills[0]} 和 {prefills[1]}，含义不同"
    return ""


MAX_FIELD_LENGTH = 100_000


def _max_length(value, where: str) -> int:
    """A field's length limit: 200 when not given, else a whole number of characters (an int or
    its digits) from 1 to `MAX_FIELD_LENGTH`."""
    if value is None or value == "":
        return 200
    text = (
        str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    )
    if not (text.isascii() and text.isdigit() and len(text) <= 6) or not (
        1 <= int(text) <= MAX_FIELD_LENGTH
    ):
        raise ServiceError(
            "services.form_invalid", f"{where}的长度上限应为 1 到 {MAX_FIELD_LENGTH} 的整数"
        )
    return int(text)


def clean_submission(definition: list[dict], data: dict) -> tuple[dict, dict[str, str]]:
    """Applicant's values, typed, and the errors per field code (Chinese messages)."""
    cleaned, errors = {}, {}
    for field in definition:
        raw = data.get(field["code"])
        if isinstance(raw, dict | list):  # JSON through the API: one value per field
            errors[field["code"]] = f"{field['label']}：应为单个值"
            continue
        text = "" if raw is None else str(raw).strip()
        if "\x00" in text:  # PostgreSQL JSONB cannot hold it
            errors[field["code"]] = f"{field['label']}：含有不允许的字符（NUL）"
            continue
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
        if len(text.lstrip("-")) > 18:  # int() refuses thousands of digits, in English
            raise ValueError("数值超出范围")
        return int(text)
    if kind == FormFieldType.DECIMAL:
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError("应为数字") from exc
        if not number.is_finite():  # Decimal reads NaN and Infinity too
            raise ValueError("应为数字")
        return str(number)
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
