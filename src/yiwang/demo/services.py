"""The demo city's published service items and themes (一件事), deterministic for a scale.

Items are written in bulk (a city has thousands), yet end as the services would leave
them: published, version 1 with its snapshot, participants, materials, in the search
index, with one audit event for the batch. Themes go through the services one by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from yiwang.catalog.models import Resource
from yiwang.core import audit
from yiwang.core.models import Organisation
from yiwang.demo import names
from yiwang.demo.service_catalog import (
    COUNTY_COUNTERPARTS,
    FEES,
    ITEMS,
    LICENCES,
    QUALIFIERS,
)
from yiwang.services import formdef, search
from yiwang.services import services as item_services
from yiwang.services.choices import CaseKind, ItemStatus, OnlineDepth
from yiwang.services.models import Material, ServiceItem, ServiceItemVersion

ITEM_COUNTS = {"small": 300, "city": 2_000}
THEMES = [
    ("open-restaurant", "我要开餐馆", "company", "startup", "市场监管局",
     "开办餐馆一次申请：营业执照、食品经营许可、消防安全检查、户外招牌设置一表申请、材料共享。",
     ["营业执照（设立登记）", "食品经营许可（新办）", "公众聚集场所投入使用营业前消防安全检查", "户外招牌设置审批（新办）"]),
    ("newborn", "新生儿出生一件事", "person", "birth", "卫健委",
     "出生医学证明、户口登记、医保参保一次办理。",
     ["出生医学证明（首次签发）", "出生登记", "城乡居民医疗保险参保登记"]),
    ("open-company", "企业开办一件事", "company", "startup", "市场监管局",
     "营业执照、税务信息确认、社保登记、公积金缴存登记一次办。",
     ["营业执照（设立登记）", "税务登记信息确认", "企业职工参保登记", "单位住房公积金缴存登记"]),
]  # fmt: skip
# Variants that change an existing registration sit under 变更 / 注销 life events.
VARIANT_EVENTS = {"变更": "change", "变更登记": "change", "注销": "closure", "注销登记": "closure"}


@dataclass(frozen=True)
class BasicItem:
    number: int
    department: str
    name: str
    item_type: str
    audience: str
    life_event: str
    statutory: int
    promised: int
    variants: tuple[str, ...]
    result: str
    materials: tuple[str, ...]
    participants: tuple[str, ...]


def basic_items() -> list[BasicItem]:
    found = []
    for number, line in enumerate(filter(None, ITEMS.strip().splitlines()), start=1):
        dept, name, kind, audience, event, statutory, promised, variants, result, mats, parts = (
            line.split("|")
        )
        found.append(BasicItem(
            number, dept, name, kind, audience, event, int(statutory), int(promised),
            tuple(v for v in variants.split(",") if v), result, tuple(mats.split(";")),
            tuple(p for p in parts.split(",") if p),
        ))  # fmt: skip
    return found


def _plan(orgs: dict[str, Organisation]) -> Iterator[tuple[BasicItem, int, int, Organisation]]:
    """(basic item, variant, qualifier, implementing body) in the order a city lists them:
    city departments first, then the counties' counterparts, then other procedures."""
    bases = basic_items()
    counties = list(names.COUNTIES.values())
    for qualifier in range(len(QUALIFIERS)):
        for level in ["city", *counties]:
            for base in bases:
                if level == "city":
                    org = orgs[base.department]
                elif base.department in COUNTY_COUNTERPARTS:
                    org = orgs[f"{level}{COUNTY_COUNTERPARTS[base.department]}"]
                else:
                    continue
                for variant in range(len(base.variants) or 1):
                    yield base, variant, qualifier, org


def licence_type(orgs, key: str) -> str:
    issuer, suffix, _name = LICENCES[key]
    return orgs[issuer].uscc + suffix


def _materials(base: BasicItem, orgs, resources: dict[str, Resource]) -> list[dict]:
    built = []
    for spec in base.materials:
        name, _, replacement = spec.partition("@")
        required = not (name.endswith("?") or replacement.endswith("?"))
        name, replacement = name.rstrip("?"), replacement.rstrip("?")
        material = {"name": name, "required": required, "form": _form_of(name)}
        if replacement.startswith("R:"):
            material["resource"] = resources.get(replacement[2:])
        elif replacement:
            material["licence_type"] = licence_type(orgs, replacement)
        built.append(material)
    return built


def _form_of(name: str) -> str:
    if name.endswith(("申请书", "申请表", "登记表", "申领表", "备案表")):
        return "original"
    if name.endswith(("证明", "证书", "合同")):
        return "copy"
    return "electronic"


def form_definition(base: BasicItem) -> list[dict]:
    """The application form: who applies (prefilled) and what the item asks."""
    if base.audience == "person":
        fields = [
            {"code": "applicant_name", "label": "申请人姓名", "type": "text", "required": True, "prefill": "applicant.name"},
            {"code": "id_number", "label": "公民身份号码", "type": "ric", "required": True, "prefill": "applicant.id_number"},
            {"code": "phone", "label": "手机号码", "type": "phone", "required": True, "prefill": "applicant.phone"},
        ]  # fmt: skip
    else:
        fields = [
            {"code": "company_name", "label": "单位名称", "type": "text", "required": True, "prefill": "company.name"},
            {"code": "uscc", "label": "统一社会信用代码", "type": "uscc", "required": True, "prefill": "company.uscc"},
            {"code": "agent_name", "label": "经办人", "type": "text", "required": True, "prefill": "applicant.name"},
            {"code": "phone", "label": "联系电话", "type": "phone", "required": True, "prefill": "applicant.phone"},
        ]  # fmt: skip
    if base.life_event in ("startup", "construction", "operation"):
        fields.append(
            {"code": "address", "label": "经营（项目）地址", "type": "text", "required": True}
        )
    fields.append({"code": "note", "label": "申请事由", "type": "textarea", "required": False})
    return formdef.check_definition(fields)


def _window_address(org: Organisation) -> str:
    """The department's window at the city's service centre, named by its short name (卫健委),
    or by its full name without the city's (青山县卫生健康局) when it has none."""
    label = org.short_name or org.name.removeprefix(names.CITY_NAME)
    return f"{names.CITY_NAME}政务服务中心{label}窗口"


def _item(base: BasicItem, variant_index: int, qualifier_index: int, org, now) -> ServiceItem:
    variant = base.variants[variant_index] if base.variants else ""
    name = base.name + (f"（{variant}）" if variant else "") + QUALIFIERS[qualifier_index]
    promised = base.promised
    immediate = promised == 0
    fee = FEES.get(base.name, "")
    return ServiceItem(
        # 实施编码: the basic item's number, its 办理项 and procedure, the implementing body.
        code=f"{base.number:04d}{variant_index}{qualifier_index}{org.uscc}",
        name=name, item_type=base.item_type, organisation=org, audience=base.audience,
        life_event=VARIANT_EVENTS.get(variant, base.life_event),
        summary=f"{org.name}办理的{name}。", legal_basis=f"《{base.name}管理办法》及江澜市实施细则",
        conditions=f"申请人符合{base.name}的法定条件，材料齐全、符合法定形式。",
        case_kind=CaseKind.IMMEDIATE if immediate else CaseKind.PROMISED,
        statutory_days=base.statutory, promised_days=promised,
        visits=0 if base.number % 3 else 1, online_depth=OnlineDepth.FULL if base.number % 3 else OnlineDepth.SUBMIT,
        immediate=immediate, online=True, nearby=org.level == "county" or base.number % 4 == 0,
        one_visit=base.number % 3 == 0, charged=bool(fee), fee=fee, result_name=base.result,
        window_address=_window_address(org),
        office_hours="工作日 9:00-12:00，13:30-17:00", phone=f"0999-{12300 + base.number}",
        form_definition=form_definition(base), status=ItemStatus.PUBLISHED, version=1,
        published_at=now, use_count=(base.number * 7919 + len(name) * 31) % 5000,
    )  # fmt: skip


def build_items(orgs: dict[str, Organisation], admin, *, scale: str) -> list[ServiceItem]:
    """Publish the scale's number of items across the city's departments."""
    count = ITEM_COUNTS.get(scale, ITEM_COUNTS["small"])
    resources = {r.code: r for r in Resource.objects.all()}
    now = timezone.now()
    planned = []
    for base, variant, qualifier, org in _plan(orgs):
        if len(planned) >= count:
            break
        planned.append((base, _item(base, variant, qualifier, org, now)))
    with transaction.atomic():
        ServiceItem.objects.bulk_create([item for _base, item in planned])
        items = {
            i.code: i for i in ServiceItem.objects.filter(code__in=[p.code for _b, p in planned])
        }
        materials, links = [], []
        through = ServiceItem.participants.through
        for base, planned_item in planned:
            item = items[planned_item.code]
            for position, spec in enumerate(_materials(base, orgs, resources), start=1):
                materials.append(Material(item=item, position=position, **spec))
            departments = {item.organisation_id} | {orgs[p].pk for p in base.participants}
            links += [
                through(serviceitem_id=item.pk, organisation_id=o) for o in sorted(departments)
            ]
        Material.objects.bulk_create(materials)
        through.objects.bulk_create(links)
        published = list(
            ServiceItem.objects.filter(pk__in=[i.pk for i in items.values()])
            .select_related("organisation").prefetch_related("materials")
        )  # fmt: skip
        ServiceItemVersion.objects.bulk_create([
            ServiceItemVersion(item=i, version=1, snapshot=item_services.item_snapshot(i),
                               note="演示数据发布", created_by=admin)
            for i in published
        ])  # fmt: skip
        search.index_items(published)
        audit.record(actor=admin, action="demo.service_items", target=orgs["root"],
                     after={"items": len(published), "materials": len(materials)})  # fmt: skip
    return published


def build_themes(orgs: dict[str, Organisation], admin) -> list:
    themes = []
    for code, name, audience, event, lead, summary, item_names in THEMES:
        items = [
            ServiceItem.objects.filter(name=n, organisation__level="city").order_by("code").first()
            for n in item_names
        ]
        items = [i for i in items if i is not None]
        if len(items) < 2:
            continue
        theme = item_services.create_theme(actor=admin, lead=orgs[lead], items=items, code=code,
                                           name=name, audience=audience, life_event=event,
                                           summary=summary)  # fmt: skip
        themes.append(item_services.publish_theme(actor=admin, theme=theme))
    return themes


# Drafts still being described, so that 事项要素完整率 has something to report.
DRAFTS = [
    ("市场监管局", "DRAFT0001", "网络餐饮服务第三方平台备案", {"phone": "", "window_address": ""}),
    ("城管局", "DRAFT0002", "大型户外广告设置审批", {"legal_basis": ""}),
    ("卫健委", "DRAFT0003", "放射诊疗许可", {"office_hours": "", "result_name": ""}),
]


def build_drafts(orgs: dict[str, Organisation], admin) -> list[ServiceItem]:
    """A few drafts lacking required elements, written through the service like an admin's."""
    drafts = []
    for short, code, name, missing in DRAFTS:
        base = BasicItem(0, short, name, "licensing", "company", "operation", 20, 10, (), "许可决定书",
                         ("申请书", "营业执照@biz"), ())  # fmt: skip
        org = orgs[short]
        attrs = {
            "code": f"{code}{org.uscc}", "name": name, "item_type": "licensing", "audience": "company",
            "life_event": "operation", "legal_basis": f"《{name}管理办法》", "conditions": "符合法定条件",
            "case_kind": "promised", "statutory_days": 20, "promised_days": 10, "result_name": "许可决定书",
            "window_address": _window_address(org), "office_hours": "工作日 9:00-17:00",
            "phone": "0999-12345", **missing,
        }  # fmt: skip
        drafts.append(item_services.create_item(
            actor=admin, organisation=org, materials=_materials(base, orgs, {}),
            participants=[org], form_definition=form_definition(base), **attrs,
        ))  # fmt: skip
    return drafts


# An item with its own process, drawn as a department would in a modeler: 初审 by the item's
# department, then 规划复核 by the planning bureau, named by its USCC (it takes part from then on).
TWO_STAGE_ITEM = ("户外招牌设置审批（新办）", "自然资源和规划局")
TWO_STAGE_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="signboard" targetNamespace="https://yiwang.example/bpmn">
  <bpmn:process id="signboard_review" name="户外招牌：初审后规划复核" isExecutable="true">
    <bpmn:startEvent id="accepted" name="受理" />
    <bpmn:userTask id="first_review" name="初审" camunda:candidateGroups="reviewer:lead" />
    <bpmn:exclusiveGateway id="after_first" name="初审意见" default="first_rejects" />
    <bpmn:userTask id="planning_review" name="规划复核" camunda:candidateGroups="reviewer:{uscc}" />
    <bpmn:exclusiveGateway id="after_planning" name="复核意见" default="planning_rejects" />
    <bpmn:endEvent id="end_approved" name="准予（出件）" />
    <bpmn:endEvent id="end_rejected" name="不予许可" />
    <bpmn:sequenceFlow id="to_first" sourceRef="accepted" targetRef="first_review" />
    <bpmn:sequenceFlow id="first_done" sourceRef="first_review" targetRef="after_first" />
    <bpmn:sequenceFlow id="first_approves" name="同意" sourceRef="after_first" targetRef="planning_review">
      <bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="first_rejects" name="不同意" sourceRef="after_first" targetRef="end_rejected" />
    <bpmn:sequenceFlow id="planning_done" sourceRef="planning_review" targetRef="after_planning" />
    <bpmn:sequenceFlow id="planning_approves" name="同意" sourceRef="after_planning" targetRef="end_approved">
      <bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="planning_rejects" name="不同意" sourceRef="after_planning" targetRef="end_rejected" />
  </bpmn:process>
</bpmn:definitions>
"""
# Forms pre-filled from the base registries (registry:资源代码.信息项): read as logged exchanges.
REGISTRY_FIELDS = {
    "失业保险金申领": {"code": "address", "label": "户籍住址", "type": "text", "required": True,
                   "prefill": "registry:B0101/000001.address"},
    "食品经营许可（新办）": {"code": "representative", "label": "法定代表人", "type": "text",
                      "required": True, "prefill": "registry:B0201/000001.legal_representative"},
}  # fmt: skip


def _city_item(name: str) -> ServiceItem | None:
    return (
        ServiceItem.objects.filter(name=name, organisation__level="city").order_by("code").first()
    )


def build_showcases(orgs: dict[str, Organisation], admin) -> list[ServiceItem]:
    """A few items as their admins would finish them through the services: one with its own
    two-stage process, some whose forms are pre-filled from the registries (each a new version)."""
    changed = []
    name, planning = TWO_STAGE_ITEM
    item = _city_item(name)
    if item is not None:
        xml = TWO_STAGE_BPMN.replace("{uscc}", orgs[planning].uscc)
        item_services.upload_process(actor=admin, item=item, name="", bpmn_xml=xml)
        changed.append(item)
    for name, field in REGISTRY_FIELDS.items():
        item = _city_item(name)
        if item is None or any(f["code"] == field["code"] for f in item.form_definition):
            continue
        position = next(
            (n for n, f in enumerate(item.form_definition) if f["code"] == "note"), None
        )
        fields = list(item.form_definition)
        fields.insert(len(fields) if position is None else position, field)
        changed.append(item_services.update_item(actor=admin, item=item, form_definition=fields,
                                                 note="申请表从基础库预填"))  # fmt: skip
    return changed


def build(orgs: dict[str, Organisation], admin, *, scale: str) -> tuple[int, int]:
    items = build_items(orgs, admin, scale=scale)
    build_drafts(orgs, admin)
    build_showcases(orgs, admin)
    return len(items), len(build_themes(orgs, admin))
