"""Import and export of the catalog as XLSX, in the usual template shape: one row per 信息项."""

from __future__ import annotations

import io
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db import transaction
from openpyxl import load_workbook

from yiwang.catalog import services
from yiwang.catalog.choices import (
    BaseRegistry,
    Category,
    DataType,
    OpenType,
    ShareMethod,
    ShareType,
    UpdateCycle,
)
from yiwang.catalog.models import Resource
from yiwang.core.errors import ServiceError
from yiwang.core.models import Organisation
from yiwang.core.permissions import can
from yiwang.core.spreadsheet import xlsx_bytes

COLUMNS = [
    ("code", "资源代码"), ("name", "资源名称"), ("summary", "资源摘要"), ("owner", "资源提供方"),
    ("owner_uscc", "提供方统一社会信用代码"), ("category", "资源分类"), ("base_registry", "所属基础库"),
    ("format", "资源格式"), ("update_cycle", "更新周期"), ("share_type", "共享类型"), ("share_condition", "共享条件"),
    ("share_method", "共享方式"), ("open_type", "开放属性"), ("open_condition", "开放条件"),
    ("release_date", "发布日期"), ("status", "状态"),
    ("field_code", "信息项代码"), ("field_name", "信息项名称"), ("data_type", "数据类型"), ("length", "长度"),
    ("required", "必填"), ("is_key", "主键"), ("is_personal", "个人信息"), ("filterable", "可作查询条件"),
    ("enum_values", "枚举值"), ("field_description", "信息项说明"),
]  # fmt: skip
CHOICES = {
    "category": Category, "base_registry": BaseRegistry, "update_cycle": UpdateCycle, "share_type": ShareType,
    "share_method": ShareMethod, "open_type": OpenType, "data_type": DataType,
}  # fmt: skip
MAX_ROWS = 20_000
MAX_LENGTH = 100_000  # what the API accepts as a 信息项's length
YES = {"是", "y", "yes", "true", "1", "√"}


def export_catalog(resources) -> bytes:
    """The resources (a queryset the caller may see) as an XLSX template, one row per 信息项."""
    header = [label for _key, label in COLUMNS]

    def rows():
        for resource in resources.select_related("owner").prefetch_related("fields"):
            for f in resource.fields.all():
                yield [
                    resource.code, resource.name, resource.summary, resource.owner.name, resource.owner.uscc,
                    resource.get_category_display(), resource.get_base_registry_display() if resource.base_registry else "",
                    resource.format, resource.get_update_cycle_display(), resource.get_share_type_display(),
                    resource.share_condition, resource.get_share_method_display(), resource.get_open_type_display(),
                    resource.open_condition, resource.release_date.isoformat() if resource.release_date else "",
                    resource.get_status_display(), f.code, f.name, f.get_data_type_display(), f.length,
                    "是" if f.required else "否", "是" if f.is_key else "否", "是" if f.is_personal else "否",
                    "是" if f.filterable else "否", "、".join(f.enum_values or []), f.description,
                ]  # fmt: skip

    return xlsx_bytes({"信息资源目录": (header, rows())})


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def _choice(kind: str, text: str, row: int, errors: list) -> str:
    enum = CHOICES[kind]
    text = (text or "").strip()
    for value, label in enum.choices:
        if text in (value, label):
            return value
    if kind == "base_registry" and text in ("", "—"):
        return ""
    errors.append(
        {"row": row, "column": kind, "message": f"「{text}」不是有效的{dict(COLUMNS)[kind]}"}
    )
    return ""


def _length(text: str, row: int, errors: list) -> int | None:
    """长度: empty, or a whole number 1–100000 ("18" or Excel's "18.0"); else an error for the row."""
    if not text:
        return None
    whole, _, fraction = text.partition(".")
    if whole.isascii() and whole.isdecimal() and not fraction.strip("0") and len(whole) <= 6:
        if 1 <= int(whole) <= MAX_LENGTH:
            return int(whole)
    errors.append({"row": row, "column": "length",
                   "message": f"「{text[:50]}」不是有效的长度（应为 1–{MAX_LENGTH} 的整数）"})  # fmt: skip
    return None


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


def import_catalog(*, actor, data: bytes) -> ImportResult:
    """Create or update resources from an XLSX in the export's shape; all or nothing."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ServiceError("file.format", "无法读取该文件：请上传 XLSX 格式的目录模板") from exc
    try:
        grouped = _read_rows(workbook)
    except ServiceError:
        raise
    except Exception as exc:  # a damaged sheet fails while it is read, not when it is opened
        raise ServiceError("file.format", "无法读取该文件：请上传 XLSX 格式的目录模板") from exc
    result = ImportResult()
    with transaction.atomic():
        for code, items in grouped.items():
            _import_resource(actor, code, items, result)
        if result.errors:
            transaction.set_rollback(True)
            result.created, result.updated, result.unchanged = [], [], []
    return result


def _read_rows(workbook) -> OrderedDict[str, list]:
    """The data rows grouped by 资源代码, each as (row number, {column key: text})."""
    if not workbook.worksheets:
        raise ServiceError("file.format", "文件中没有工作表")
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, [])]
    labels = {label: key for key, label in COLUMNS}
    index = {labels[h]: i for i, h in enumerate(header) if h in labels}
    missing = [
        label for key, label in COLUMNS if key not in index and key not in ("owner", "status")
    ]
    if missing:
        raise ServiceError("header.missing_field", f"模板缺少列：{'、'.join(missing)}")
    grouped: OrderedDict[str, list] = OrderedDict()
    for number, raw in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise ServiceError("file.too_large", f"一次最多导入 {MAX_ROWS} 行")
        cells = {key: _text(raw[i]) if i < len(raw) else "" for key, i in index.items()}
        if not any(cells.values()):
            continue
        grouped.setdefault(cells["code"], []).append((number, cells))
    return grouped


def _import_resource(actor, code: str, items: list, result: ImportResult) -> None:
    errors = result.errors
    known = len(errors)  # errors of earlier resources: this one is still checked and reported
    first_row, first = items[0]
    attrs = {
        "code": code, "name": first["name"], "summary": first["summary"], "format": first["format"] or "数据库",
        "share_condition": first["share_condition"], "open_condition": first["open_condition"],
        "release_date": first["release_date"] or None,
    }  # fmt: skip
    for kind in (
        "category",
        "base_registry",
        "update_cycle",
        "share_type",
        "share_method",
        "open_type",
    ):
        attrs[kind] = _choice(kind, first[kind], first_row, errors)
    owner = Organisation.objects.filter(uscc=first["owner_uscc"].upper()).first()
    if owner is None:
        errors.append(
            {
                "row": first_row,
                "column": "owner_uscc",
                "message": f"找不到统一社会信用代码为 {first['owner_uscc']} 的单位",
            }
        )
        return
    fields = []
    for row, cells in items:
        fields.append({
            "code": cells["field_code"], "name": cells["field_name"],
            "data_type": _choice("data_type", cells["data_type"], row, errors),
            "length": _length(cells["length"], row, errors),
            "required": cells["required"].lower() in YES, "is_key": cells["is_key"].lower() in YES,
            "is_personal": cells["is_personal"].lower() in YES, "filterable": cells["filterable"].lower() in YES,
            "enum_values": [v.strip() for v in cells["enum_values"].replace(",", "、").split("、") if v.strip()],
            "description": cells["field_description"],
        })  # fmt: skip
    if len(errors) > known:
        return
    existing = Resource.objects.select_related("owner").filter(code=code).first()
    if existing is not None and _readable_only(actor, existing):
        # The export holds every resource the user may see: another department's rows come
        # back as they left, and only a change to them is refused.
        attrs.pop("code")
        if services.changes_resource(existing, fields=fields, owner=owner, **attrs):
            errors.append({"row": first_row, "column": "",
                           "message": f"资源 {code} 属于{existing.owner.name}，您无权修改"})  # fmt: skip
        else:
            result.unchanged.append(code)
        return
    try:
        with transaction.atomic():
            if existing is None:
                services.create_resource(actor=actor, owner=owner, fields=fields, **attrs)
                result.created.append(code)
            else:
                attrs.pop("code")
                stamp = existing.updated_at
                saved = services.update_resource(actor=actor, resource=existing, fields=fields, owner=owner,
                                                 note="目录导入", **attrs)  # fmt: skip
                # the service saves (and stamps) a resource only when the import changed it
                (result.updated if saved.updated_at != stamp else result.unchanged).append(code)
    except ServiceError as exc:
        errors.append({"row": first_row, "column": "", "message": f"资源 {code}：{exc.message}"})


def _readable_only(actor, resource: Resource) -> bool:
    """Whether the actor may see the resource (it is in their export) but not change it."""
    return not can(actor, "change", resource) and can(actor, "view", resource)
