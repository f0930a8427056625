"""Service-item endpoints: items and themes read by anyone, written by the departments' admins."""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field as SchemaField
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from yiwang.api import ERRORS
from yiwang.catalog.models import Resource
from yiwang.core.api import DbId, ObjectId, Page
from yiwang.core.auth import optional_actor, session_auth
from yiwang.core.errors import NotFound
from yiwang.core.models import Organisation
from yiwang.services import formdef, selectors, services
from yiwang.services.choices import (
    Audience,
    CaseKind,
    FormFieldType,
    ItemStatus,
    ItemType,
    LifeEvent,
    MaterialForm,
    OnlineDepth,
)
from yiwang.services.models import ServiceItem, Theme
from yiwang.services.models.item import (
    COPIES_MAX,
    DESCRIPTION_MAX,
    NAME_MIN,
    NUMBER_MAX,
    TEXT_MAX,
)
from yiwang.services.models.theme import THEME_CODE

router = Router(tags=["政务服务事项"])


class MaterialSpec(Schema):
    name: str = SchemaField(..., min_length=1, max_length=200)
    required: bool = True
    form: MaterialForm = MaterialForm.ELECTRONIC
    copies: int = SchemaField(1, ge=1, le=COPIES_MAX)
    description: str = SchemaField("", max_length=DESCRIPTION_MAX)
    licence_type: str = SchemaField("", max_length=21, description="可替代的电子证照类型代码")
    resource_id: DbId | None = SchemaField(None, description="可替代的共享资源（资源目录 id）")


class ItemMaterialOut(MaterialSpec):
    id: int
    replaceable: bool = SchemaField(..., description="可由电子证照或共享数据替代：免提交")
    example_url: str | None = None

    @staticmethod
    def resolve_example_url(obj):
        return f"/services/materials/{obj.pk}/example/" if obj.example else None


class FormFieldSpec(Schema):
    code: str = SchemaField(..., max_length=40)
    label: str = SchemaField(..., max_length=formdef.LABEL_MAX)
    type: FormFieldType
    required: bool = False
    max_length: int = SchemaField(200, ge=1, le=formdef.MAX_FIELD_LENGTH)
    options: list[str] = SchemaField([], max_length=formdef.MAX_OPTIONS)
    help: str = SchemaField("", max_length=formdef.HELP_MAX)
    prefill: str = SchemaField("", max_length=formdef.PREFILL_MAX)


class ItemElements(Schema):
    """The 实施清单 elements common to creating and reading an item."""

    name: str = SchemaField(..., min_length=NAME_MIN, max_length=200)
    item_type: ItemType
    audience: Audience
    life_event: LifeEvent | None = None
    summary: str = SchemaField("", max_length=TEXT_MAX["summary"])
    legal_basis: str = SchemaField("", max_length=TEXT_MAX["legal_basis"])
    conditions: str = SchemaField("", max_length=TEXT_MAX["conditions"])
    case_kind: CaseKind
    statutory_days: int | None = SchemaField(None, ge=0, le=NUMBER_MAX["statutory_days"])
    promised_days: int | None = SchemaField(None, ge=0, le=NUMBER_MAX["promised_days"])
    visits: int = SchemaField(1, ge=0, le=NUMBER_MAX["visits"])
    online_depth: OnlineDepth = OnlineDepth.NONE
    immediate: bool = False
    online: bool = False
    nearby: bool = False
    one_visit: bool = False
    charged: bool = False
    fee: str = SchemaField("", max_length=TEXT_MAX["fee"])
    result_name: str = SchemaField("", max_length=100)
    result_licence_type: str = SchemaField("", max_length=21)
    window_address: str = SchemaField("", max_length=200)
    office_hours: str = SchemaField("", max_length=200)
    phone: str = SchemaField("", max_length=40)
    yellow_ratio: float | None = SchemaField(
        None,
        ge=0,
        le=1,
        description="黄牌预警比例：剩余时间不超过承诺时限的该比例时亮黄牌；空则用全局设置",
    )
    yellow_days: int | None = SchemaField(
        None,
        ge=0,
        le=NUMBER_MAX["yellow_days"],
        description="黄牌预警天数：剩余工作日不超过该天数时亮黄牌；空则用全局设置",
    )


class ItemIn(ItemElements):
    code: str = SchemaField(..., max_length=40, description="实施编码：12–40 位数字或大写字母")
    organisation_id: DbId
    participant_ids: list[DbId] = SchemaField([], max_length=50)
    materials: list[MaterialSpec] = SchemaField([], max_length=100)
    form_definition: list[dict] = SchemaField([], max_length=80, description="申请表字段定义")


class ItemPatch(Schema):
    name: str | None = SchemaField(None, min_length=NAME_MIN, max_length=200)
    item_type: ItemType | None = None
    audience: Audience | None = None
    life_event: LifeEvent | None = None
    summary: str | None = SchemaField(None, max_length=TEXT_MAX["summary"])
    legal_basis: str | None = SchemaField(None, max_length=TEXT_MAX["legal_basis"])
    conditions: str | None = SchemaField(None, max_length=TEXT_MAX["conditions"])
    case_kind: CaseKind | None = None
    statutory_days: int | None = SchemaField(None, ge=0, le=NUMBER_MAX["statutory_days"])
    promised_days: int | None = SchemaField(None, ge=0, le=NUMBER_MAX["promised_days"])
    visits: int | None = SchemaField(None, ge=0, le=NUMBER_MAX["visits"])
    online_depth: OnlineDepth | None = None
    immediate: bool | None = None
    online: bool | None = None
    nearby: bool | None = None
    one_visit: bool | None = None
    charged: bool | None = None
    fee: str | None = SchemaField(None, max_length=TEXT_MAX["fee"])
    result_name: str | None = SchemaField(None, max_length=100)
    result_licence_type: str | None = SchemaField(None, max_length=21)
    window_address: str | None = SchemaField(None, max_length=200)
    office_hours: str | None = SchemaField(None, max_length=200)
    phone: str | None = SchemaField(None, max_length=40)
    yellow_ratio: float | None = SchemaField(None, ge=0, le=1, description="null 表示使用全局设置")
    yellow_days: int | None = SchemaField(
        None, ge=0, le=NUMBER_MAX["yellow_days"], description="null 表示使用全局设置"
    )
    participant_ids: list[DbId] | None = SchemaField(None, max_length=50)
    materials: list[MaterialSpec] | None = SchemaField(None, max_length=100)
    form_definition: list[dict] | None = SchemaField(None, max_length=80)
    note: str = SchemaField("", max_length=200, description="变更说明（已发布事项记入版本历史）")


class ItemSummaryOut(Schema):
    id: int
    code: str
    name: str
    item_type: ItemType
    organisation_id: DbId
    organisation_name: str
    audience: Audience
    life_event: str
    case_kind: CaseKind
    promised_days: int | None
    immediate: bool
    online: bool
    nearby: bool
    one_visit: bool
    status: ItemStatus
    version: int
    use_count: int

    @staticmethod
    def resolve_organisation_name(obj):
        return obj.organisation.name


class ItemOut(ItemSummaryOut, ItemElements):
    life_event: str
    participant_ids: list[int]
    materials: list[ItemMaterialOut]
    form_definition: list[FormFieldSpec]
    process_id: int | None = SchemaField(None, description="审批流程（为空时使用默认流程）")
    published_at: datetime.datetime | None
    compression_ratio: float | None = SchemaField(None, description="承诺时限压缩比")

    @staticmethod
    def resolve_participant_ids(obj):
        return sorted(p.pk for p in obj.participants.all())

    @staticmethod
    def resolve_materials(obj):
        return list(obj.materials.all())


class ItemFilter(Schema):
    q: str | None = SchemaField(
        None, max_length=100, description="中文检索（两字词可检索，仅已发布事项）"
    )
    organisation_id: DbId | None = None
    life_event: LifeEvent | None = None
    audience: Audience | None = None
    status: ItemStatus | None = None


class ItemNoteIn(Schema):
    note: str = SchemaField("发布", max_length=200)


class ItemReasonIn(Schema):
    reason: str = SchemaField(..., min_length=2, max_length=300)


class ProcessIn(Schema):
    name: str = SchemaField("", max_length=100)
    bpmn_xml: str = SchemaField(..., min_length=1, max_length=2 * 1024 * 1024)


class ProcessOut(Schema):
    id: int
    name: str
    process_id: str
    digest: str
    user_tasks: list[dict]


def _item(actor, item_id: int) -> ServiceItem:
    qs = ServiceItem.objects.restrict(actor, "view").select_related("organisation")
    return get_object_or_404(qs.prefetch_related("participants", "materials"), pk=item_id)


def _organisations(actor, ids: list[int]) -> list[Organisation]:
    found = {o.pk: o for o in Organisation.objects.restrict(actor, "view").filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"单位 {missing[0]} ")
    return [found[i] for i in ids]


def _materials(specs: list[MaterialSpec]) -> list[dict]:
    ids = {s.resource_id for s in specs if s.resource_id}
    resources = {r.pk: r for r in Resource.objects.filter(pk__in=ids)}
    materials = []
    for spec in specs:
        data = spec.dict(exclude={"resource_id"})
        if spec.resource_id:
            if spec.resource_id not in resources:
                raise NotFound(f"共享资源 {spec.resource_id} ")
            data["resource"] = resources[spec.resource_id]
        materials.append(data)
    return materials


@router.get("/items", response={200: list[ItemSummaryOut], **ERRORS}, auth=None,
            summary="检索政务服务事项")  # fmt: skip
@paginate(Page)
def list_items(request, filters: Query[ItemFilter]):
    return selectors.items(optional_actor(request), **filters.dict())


@router.get("/items/{item_id}", response={200: ItemOut, **ERRORS}, auth=None,
            summary="事项详情（办事指南：材料、申请表）")  # fmt: skip
def get_item(request, item_id: ObjectId):
    return _item(optional_actor(request), item_id)


@router.post("/items", response={201: ItemOut, **ERRORS}, auth=session_auth,
             summary="编制事项（草稿）")  # fmt: skip
def create_item(request, payload: ItemIn):
    data = payload.dict(exclude={"organisation_id", "participant_ids", "materials"})
    data["life_event"] = data["life_event"] or ""
    organisation = _organisations(request.user, [payload.organisation_id])[0]
    item = services.create_item(
        actor=request.user, organisation=organisation, materials=_materials(payload.materials),
        participants=_organisations(request.user, payload.participant_ids), **data,
    )  # fmt: skip
    return Status(201, _item(request.user, item.pk))


@router.patch("/items/{item_id}", response={200: ItemOut, **ERRORS}, auth=session_auth,
              summary="修改事项（已发布事项产生新版本）")  # fmt: skip
def update_item(request, item_id: ObjectId, payload: ItemPatch):
    item = _item(request.user, item_id)
    changes = payload.dict(exclude_unset=True, exclude={"participant_ids", "materials", "note"})
    if "life_event" in changes:
        changes["life_event"] = changes["life_event"] or ""
    if payload.materials is not None:
        changes["materials"] = _materials(payload.materials)
    if payload.participant_ids is not None:
        changes["participants"] = _organisations(request.user, payload.participant_ids)
    services.update_item(actor=request.user, item=item, note=payload.note, **changes)
    return _item(request.user, item.pk)


@router.post("/items/{item_id}/publish", response={200: ItemOut, **ERRORS}, auth=session_auth,
             summary="发布事项")  # fmt: skip
def publish_item(request, item_id: ObjectId, payload: ItemNoteIn):
    item = services.publish_item(actor=request.user, item=_item(request.user, item_id),
                                 note=payload.note)  # fmt: skip
    return _item(request.user, item.pk)


@router.post("/items/{item_id}/suspend", response={200: ItemOut, **ERRORS}, auth=session_auth,
             summary="暂停受理事项")  # fmt: skip
def suspend_item(request, item_id: ObjectId, payload: ItemReasonIn):
    item = services.suspend_item(actor=request.user, item=_item(request.user, item_id),
                                 reason=payload.reason)  # fmt: skip
    return _item(request.user, item.pk)


@router.post("/items/{item_id}/process", response={200: ProcessOut, **ERRORS}, auth=session_auth,
             summary="上传审批流程（BPMN 2.0）")  # fmt: skip
def upload_process(request, item_id: ObjectId, payload: ProcessIn):
    return services.upload_process(actor=request.user, item=_item(request.user, item_id),
                                   name=payload.name, bpmn_xml=payload.bpmn_xml)  # fmt: skip


# --- themes (一件事) ------------------------------------------------------------


class ThemeIn(Schema):
    code: str = SchemaField(
        ..., pattern=THEME_CODE, description="主题编码（小写字母、数字、连字符）"
    )
    name: str = SchemaField(..., min_length=2, max_length=100)
    summary: str = SchemaField("", max_length=2000)
    audience: Audience
    life_event: LifeEvent | None = None
    lead_id: DbId
    item_ids: list[DbId] = SchemaField(..., min_length=2, max_length=30)


class ThemePatch(Schema):
    """What changes in a theme; its code stays, and a published theme keeps its items."""

    name: str | None = SchemaField(None, min_length=2, max_length=100)
    summary: str | None = SchemaField(None, max_length=2000)
    audience: Audience | None = None
    life_event: LifeEvent | None = None
    lead_id: DbId | None = None
    item_ids: list[DbId] | None = SchemaField(None, min_length=2, max_length=30)


class ThemeMaterialOut(Schema):
    id: int = SchemaField(..., description="材料编号：申请时文件字段名为 material_<材料编号>")
    name: str
    required: bool
    replaceable: bool
    items: list[str]

    @staticmethod
    def resolve_id(obj):
        return obj.material.pk


class ThemeFieldOut(FormFieldSpec):
    items: list[str]


class ThemeOut(Schema):
    id: int
    code: str
    name: str
    summary: str
    audience: Audience
    life_event: str
    lead_id: DbId
    status: ItemStatus
    items: list[ItemSummaryOut]
    materials: list[ThemeMaterialOut] = SchemaField(
        ..., description="合并后的材料（同一证照、资源或名称只需一次）"
    )
    form: list[ThemeFieldOut] = SchemaField(..., description="合并后的申请表（按字段代码）")

    @staticmethod
    def resolve_items(obj):
        return selectors.theme_items(obj)

    @staticmethod
    def resolve_materials(obj):
        return selectors.theme_materials(obj)

    @staticmethod
    def resolve_form(obj):
        return selectors.theme_form(obj)


def _theme(actor, theme_id: int) -> Theme:
    return get_object_or_404(Theme.objects.restrict(actor, "view"), pk=theme_id)


@router.get("/themes", response={200: list[ThemeOut], **ERRORS}, auth=None, summary="一件事主题")
@paginate(Page)
def list_themes(request, status: ItemStatus | None = None):
    return selectors.themes(optional_actor(request), status=status).order_by("code")


@router.get("/themes/{theme_id}", response={200: ThemeOut, **ERRORS}, auth=None,
            summary="一件事详情（合并材料与表单）")  # fmt: skip
def get_theme(request, theme_id: ObjectId):
    return _theme(optional_actor(request), theme_id)


@router.post("/themes", response={201: ThemeOut, **ERRORS}, auth=session_auth, summary="组建一件事")
def create_theme(request, payload: ThemeIn):
    lead = _organisations(request.user, [payload.lead_id])[0]
    data = payload.dict(exclude={"lead_id", "item_ids"})
    data["life_event"] = data["life_event"] or ""
    theme = services.create_theme(actor=request.user, lead=lead,
                                  items=_theme_items(request.user, payload.item_ids), **data)  # fmt: skip
    return Status(201, theme)


def _theme_items(actor, ids: list[int]) -> list[ServiceItem]:
    visible = {i.pk: i for i in ServiceItem.objects.restrict(actor, "view").filter(pk__in=ids)}
    missing = [i for i in ids if i not in visible]
    if missing:
        raise NotFound(f"事项 {missing[0]} ")
    return [visible[i] for i in ids]


@router.patch("/themes/{theme_id}", response={200: ThemeOut, **ERRORS}, auth=session_auth,
              summary="修改一件事（已发布的不能调整事项）")  # fmt: skip
def update_theme(request, theme_id: ObjectId, payload: ThemePatch):
    theme = _theme(request.user, theme_id)
    changes = payload.dict(exclude_unset=True, exclude={"lead_id", "item_ids"})
    if "life_event" in changes:
        changes["life_event"] = changes["life_event"] or ""
    if payload.lead_id is not None:
        changes["lead"] = _organisations(request.user, [payload.lead_id])[0]
    if payload.item_ids is not None:
        changes["items"] = _theme_items(request.user, payload.item_ids)
    return services.update_theme(actor=request.user, theme=theme, **changes)


@router.post("/themes/{theme_id}/publish", response={200: ThemeOut, **ERRORS}, auth=session_auth,
             summary="发布一件事")  # fmt: skip
def publish_theme(request, theme_id: ObjectId):
    return services.publish_theme(actor=request.user, theme=_theme(request.user, theme_id))
