"""Import and export of service items as XLSX in the usual 实施清单 template shape: one row per
material, the item's elements repeated on each of its rows."""

from __future__ import annotations

import io
import json
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db import transaction
from openpyxl import load_workbook

from yiwang.catalog.models import Resource
from yiwang.core.errors import ServiceError
from yiwang.core.models import Organisation
from yiwang.core.spreadsheet import read_safe_cell, xlsx_bytes
from yiwang.services import services
from yiwang.services.choices import (
    Audience,
    CaseKind,
    ItemType,
    LifeEvent,
    MaterialForm,
    OnlineDepth,
)
from yiwang.services.models import ServiceItem

ITEM_COLUMNS = [
    ("code", "实施编码"), ("name", "事项名称"), ("item_type", "事项类型"), ("organisation", "实施主体"),
    ("organisation_uscc", "实施主体统一社会信用代码"), ("audience", "服务对象"), ("life_event", "主题分类"),
    ("summary", "事项简介"), ("legal_basis", "设定依据"), ("conditions", "受理条件"), ("case_kind", "办件类型"),
    ("statutory_days", "法定办结时限（工作日）"), ("promised_days", "承诺办结时限（工作日）"),
    ("visits", "到办事现场次数"), ("online_depth", "网上办理深度"), ("immediate", "马上办"),
    ("online", "网上办"), ("nearby", "就近办"), ("one_visit", "一次办"), ("charged", "是否收费"),
    ("fee", "收费标准及依据"), ("result_name", "审批结果名称"), ("result_licence_type", "审批结果证照类型代码"),
    ("window_address", "办理地点"), ("office_hours", "办理时间"), ("phone", "咨询电话"),
    ("participants", "参与审查部门（统一社会信用代码，、分隔）"), ("form_definition", "申请表（JSON）"),
    ("status", "状态"), ("yellow_ratio", "黄牌预警比例"), ("yellow_days", "黄牌预警天数"),
]  # fmt: skip
MATERIAL_COLUMNS = [
    ("material_name", "材料名称"), ("material_required", "材料必要"), ("material_form", "材料形式"),
    ("material_copies", "份数"), ("material_description", "填报须知"),
    ("material_licence_type", "可由电子证照替代（证照类型代码）"),
    ("material_resource", "可由共享数据替代（资源代码）"),
]  # fmt: skip
COLUMNS = ITEM_COLUMNS + MATERIAL_COLUMNS
LABELS = dict(COLUMNS)
CHOICES = {
    "item_type": ItemType, "audience": Audience, "life_event": LifeEvent, "case_kind": CaseKind,
    "online_depth": OnlineDepth, "material_form": MaterialForm,
}  # fmt: skip
FLAGS = ("immediate", "online", "nearby", "one_visit", "charged")
NUMBERS = ("statutory_days", "promised_days", "visits")
OPTIONAL_COLUMNS = {"organisation", "status", "form_definition", "participants", "yellow_ratio",
                    "yellow_days"}  # fmt: skip
MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
YES = {"是", "y", "yes", "true", "1", "√"}


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _item_cells(item: ServiceItem) -> list:
    return [
        item.code, item.name, item.get_item_type_display(), item.organisation.name, item.organisation.uscc,
        item.get_audience_display(), item.get_life_event_display() if item.life_event else "", item.summary,
        item.legal_basis, item.conditions, item.get_case_kind_display(), item.statutory_days,
        item.promised_days, item.visits, item.get_online_depth_display(), *(_yes(getattr(item, f)) for f in FLAGS),
        item.fee, item.result_name, item.result_licence_type, item.window_address, item.office_hours,
        item.phone, "、".join(o.uscc for o in item.participants.all()),
        json.dumps(item.form_definition, ensure_ascii=False) if item.form_definition else "",
        item.get_status_display(), item.yellow_ratio, item.yellow_days,
    ]  # fmt: skip


def _material_cells(m) -> list:
    if m is None:
        return [""] * len(MATERIAL_COLUMNS)
    return [m.name, _yes(m.required), m.get_form_display(), m.copies, m.description, m.licence_type,
            m.resource.code if m.resource_id else ""]  # fmt: skip


def export_items(items) -> bytes:
    """The items (a queryset the caller may see) as an XLSX template, one row per material."""
    header = [label for _key, label in COLUMNS]

    def rows():
        qs = items.select_related("organisation").prefetch_related(
            "participants", "materials__resource"
        )
        for item in qs.order_by("code"):
            cells = _item_cells(item)
            for material in list(item.materials.all()) or [None]:
                yield cells + _material_cells(material)

    return xlsx_bytes({"政务服务事项实施清单": (header, rows())})


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return read_safe_cell(str(value).strip())


class _Row:
    """One row's cells, recording each bad cell as an error with its row number."""

    def __init__(self, number: int, cells: dict, errors: list):
        self.number, self.cells, self.errors = number, cells, errors

    def error(self, column: str, message: str) -> None:
        self.errors.append({"row": self.number, "column": column, "message": message})

    def choice(self, key: str, *, blank_ok: bool = False) -> str:
        text = self.cells[key]
        if blank_ok and not text:
            return ""
        for value, label in CHOICES[key].choices:
            if text in (value, label):
                return value
        self.error(key, f"「{text}」不是有效的{LABELS[key]}")
        return ""

    def number_of(self, key: str) -> int | None:
        text = self.cells[key]
        if not text:
            return None
        if not text.isdecimal():  # what int() reads, full-width digits too; isdigit() takes "²"
            self.error(key, f"{LABELS[key]}应为非负整数，而不是「{text}」")
            return None
        return int(text)

    def ratio(self, key: str) -> float | None:
        text = self.cells[key].rstrip("%")
        if not text:
            return None
        try:
            value = float(text) / (100 if self.cells[key].endswith("%") else 1)
        except ValueError:
            value = -1
        if not 0 <= value <= 1:
            self.error(
                key, f"{LABELS[key]}应为 0 到 1 之间的小数或百分比，而不是「{self.cells[key]}」"
            )
            return None
        return value

    def flag(self, key: str) -> bool:
        return self.cells[key].lower() in YES


def _read(data: bytes):
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ServiceError("file.format", "无法读取该文件：请上传 XLSX 格式的事项模板") from exc
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, None) or []]
    labels = {label: key for key, label in COLUMNS}
    index = {labels[h]: i for i, h in enumerate(header) if h in labels}
    missing = [label for key, label in COLUMNS if key not in index and key not in OPTIONAL_COLUMNS]
    if missing:
        raise ServiceError("header.missing_field", f"模板缺少列：{'、'.join(missing)}")
    return rows, index


def import_items(*, actor, data: bytes) -> ImportResult:
    """Create or update items from an XLSX in the export's shape; all or nothing."""
    rows, index = _read(data)
    result = ImportResult()
    grouped: OrderedDict[str, list[_Row]] = OrderedDict()
    for number, raw in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise ServiceError("file.too_large", f"一次最多导入 {MAX_ROWS} 行")
        cells = {key: "" for key, _label in COLUMNS}
        cells.update({key: _text(raw[i]) if i < len(raw) else "" for key, i in index.items()})
        if not any(cells.values()):
            continue
        grouped.setdefault(cells["code"].upper(), []).append(_Row(number, cells, result.errors))
    with transaction.atomic():
        for code, item_rows in grouped.items():
            _import_item(actor, code, item_rows, result)
        if result.errors:
            transaction.set_rollback(True)
            result.created, result.updated = [], []
    return result


def _attrs(row: _Row) -> dict:
    cells = row.cells
    attrs = {key: cells[key] for key in ("name", "summary", "legal_basis", "conditions", "fee",
                                          "result_name", "result_licence_type", "window_address",
                                          "office_hours", "phone")}  # fmt: skip
    for key in ("item_type", "audience", "case_kind", "online_depth"):
        attrs[key] = row.choice(key)
    attrs["life_event"] = row.choice("life_event", blank_ok=True)
    for key in NUMBERS:
        attrs[key] = row.number_of(key)
    attrs["visits"] = 1 if attrs["visits"] is None else attrs["visits"]
    for key in FLAGS:
        attrs[key] = row.flag(key)
    attrs["yellow_days"] = row.number_of("yellow_days")
    attrs["yellow_ratio"] = row.ratio("yellow_ratio")
    return attrs


def _form_definition(row: _Row):
    text = row.cells["form_definition"]
    if not text:
        return []
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        row.error("form_definition", "申请表（JSON）不是有效的 JSON")
        return []


def _organisations(row: _Row, key: str) -> list[Organisation]:
    codes = [c.strip().upper() for c in row.cells[key].replace(",", "、").split("、") if c.strip()]
    found = {o.uscc: o for o in Organisation.objects.filter(uscc__in=codes)}
    for code in codes:
        if code not in found:
            row.error(key, f"找不到统一社会信用代码为 {code} 的单位")
    return [found[c] for c in codes if c in found]


def _materials(rows: list[_Row]) -> list[dict]:
    materials = []
    for row in rows:
        cells = row.cells
        if not cells["material_name"]:
            continue
        resource = None
        if cells["material_resource"]:
            resource = Resource.objects.filter(code=cells["material_resource"]).first()
            if resource is None:
                row.error(
                    "material_resource", f"找不到资源代码为 {cells['material_resource']} 的资源"
                )
        materials.append({
            "name": cells["material_name"], "required": cells["material_required"].lower() in YES,
            "form": row.choice("material_form"), "copies": row.number_of("material_copies") or 1,
            "description": cells["material_description"],
            "licence_type": cells["material_licence_type"].upper(), "resource": resource,
        })  # fmt: skip
    return materials


def _import_item(actor, code: str, rows: list[_Row], result: ImportResult) -> None:
    first = rows[0]
    errors_before = len(result.errors)
    attrs = _attrs(first)
    organisation = _organisations(first, "organisation_uscc")
    if not first.cells["organisation_uscc"]:
        first.error("organisation_uscc", "缺少实施主体统一社会信用代码")
    participants = _organisations(first, "participants")
    definition = _form_definition(first)
    materials = _materials(rows)
    if len(result.errors) > errors_before or not organisation:
        return
    existing = ServiceItem.objects.filter(code=code).first()
    try:
        with transaction.atomic():
            if existing is None:
                services.create_item(actor=actor, organisation=organisation[0], code=code,
                                     materials=materials, participants=participants,
                                     form_definition=definition, **attrs)  # fmt: skip
                result.created.append(code)
            else:
                services.update_item(actor=actor, item=existing, materials=materials,
                                     participants=participants, form_definition=definition,
                                     note="事项导入", **attrs)  # fmt: skip
                result.updated.append(code)
    except ServiceError as exc:
        first.error("", f"事项 {code}：{exc.message}")
