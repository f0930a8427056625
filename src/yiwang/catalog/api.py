"""Catalog endpoints: resources and their 信息项, versions, the three lists, XLSX import/export."""

import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field as SchemaField
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from yiwang.api import ERRORS
from yiwang.catalog import selectors, services, spreadsheet
from yiwang.catalog.choices import (
    BaseRegistry,
    Category,
    DataType,
    DemandStatus,
    OpenType,
    ResourceStatus,
    ShareMethod,
    ShareType,
    UpdateCycle,
)
from yiwang.catalog.models import Demand, NegativeEntry, Resource, Responsibility
from yiwang.core.api import DbId, ObjectId, Page
from yiwang.core.auth import AUTH, actor_of, optional_actor, session_auth
from yiwang.core.errors import NotFound, ServiceError
from yiwang.core.models import Organisation
from yiwang.core.nul import Text

router = Router(tags=["资源目录"])
MAX_IMPORT_BYTES = 10 * 1024 * 1024


class FieldSpec(Schema):
    code: Text = SchemaField(..., min_length=1, max_length=63)
    name: Text = SchemaField(..., min_length=1, max_length=100)
    data_type: DataType
    length: int | None = SchemaField(None, ge=1, le=100_000)
    required: bool = False
    is_key: bool = False
    is_personal: bool = False
    filterable: bool = False
    enum_values: list[Text] = SchemaField([], max_length=500)
    description: Text = SchemaField("", max_length=2000)


class ResourceIn(Schema):
    code: Text = SchemaField(
        ..., max_length=20, description="类/项/目/细目 + 顺序码，如 B0101/000001"
    )
    name: Text = SchemaField(..., min_length=2, max_length=200)
    summary: Text = SchemaField("", max_length=5000)
    owner_id: DbId
    category: Category
    base_registry: BaseRegistry = BaseRegistry.NONE
    format: Text = SchemaField("数据库", max_length=40)
    update_cycle: UpdateCycle
    share_type: ShareType
    share_condition: Text = SchemaField("", max_length=2000)
    share_method: ShareMethod = ShareMethod.API
    open_type: OpenType = OpenType.NOT_OPEN
    open_condition: Text = SchemaField("", max_length=2000)
    release_date: datetime.date | None = None
    fields: list[FieldSpec] = SchemaField(..., min_length=1, max_length=500)


class ResourcePatch(Schema):
    name: Text | None = SchemaField(None, min_length=2, max_length=200)
    summary: Text | None = SchemaField(None, max_length=5000)
    format: Text | None = SchemaField(None, max_length=40)
    update_cycle: UpdateCycle | None = None
    share_type: ShareType | None = None
    share_condition: Text | None = SchemaField(None, max_length=2000)
    share_method: ShareMethod | None = None
    open_type: OpenType | None = None
    open_condition: Text | None = SchemaField(None, max_length=2000)
    fields: list[FieldSpec] | None = SchemaField(None, min_length=1, max_length=500)
    note: Text = SchemaField("", max_length=200, description="变更说明（已发布资源记入版本历史）")


class ResourceOut(Schema):
    id: int
    code: str
    name: str
    summary: str
    owner_id: DbId
    owner_name: str
    category: Category
    base_registry: BaseRegistry
    format: str
    update_cycle: UpdateCycle
    share_type: ShareType
    share_condition: str
    share_method: ShareMethod
    open_type: OpenType
    open_condition: str
    release_date: datetime.date | None
    status: ResourceStatus
    version: int
    fields: list[FieldSpec]

    @staticmethod
    def resolve_owner_name(obj):
        return obj.owner.name

    @staticmethod
    def resolve_fields(obj):
        return list(obj.fields.all())


class ResourceFilter(Schema):
    q: str | None = SchemaField(None, max_length=100, description="中文检索（两字词可检索）")
    owner_id: DbId | None = None
    category: Category | None = None
    share_type: ShareType | None = None
    status: ResourceStatus | None = None


class VersionOut(Schema):
    version: int
    note: str
    created_at: datetime.datetime
    snapshot: dict


class ReasonIn(Schema):
    reason: Text = SchemaField(..., min_length=2, max_length=300)


class NoteIn(Schema):
    note: Text = SchemaField("首次发布", max_length=200)


def _resource(actor, resource_id: ObjectId, action: str = "view") -> Resource:
    return get_object_or_404(Resource.objects.restrict(actor, action), pk=resource_id)


def _owner(actor, org_id: ObjectId) -> Organisation:
    organisation = Organisation.objects.restrict(actor, "view").filter(pk=org_id).first()
    if organisation is None:
        raise NotFound("单位")
    return organisation


@router.get(
    "/resources",
    response={200: list[ResourceOut], **ERRORS},
    auth=None,
    summary="检索资源目录",
)
@paginate(Page)
def list_resources(request, filters: Query[ResourceFilter]):
    return selectors.resources(optional_actor(request), **filters.dict())


@router.get("/resources/{resource_id}", response={200: ResourceOut, **ERRORS}, auth=None,
            summary="信息资源")  # fmt: skip
def get_resource(request, resource_id: ObjectId):
    return _resource(optional_actor(request), resource_id)


@router.post(
    "/resources",
    response={201: ResourceOut, **ERRORS},
    auth=session_auth,
    summary="编目新资源（草稿）",
)
def create_resource(request, payload: ResourceIn):
    data = payload.dict(exclude={"owner_id", "fields"})
    fields = [f.dict() for f in payload.fields]
    owner = _owner(request.user, payload.owner_id)
    return Status(
        201, services.create_resource(actor=request.user, owner=owner, fields=fields, **data)
    )


@router.patch("/resources/{resource_id}", response={200: ResourceOut, **ERRORS}, auth=session_auth,
              summary="修改资源（已发布资源产生新版本）")  # fmt: skip
def update_resource(request, resource_id: ObjectId, payload: ResourcePatch):
    resource = _resource(request.user, resource_id)
    changes = payload.dict(exclude_unset=True, exclude={"fields", "note"})
    fields = [f.dict() for f in payload.fields] if payload.fields is not None else None
    return services.update_resource(
        actor=request.user, resource=resource, fields=fields, note=payload.note, **changes
    )


@router.post("/resources/{resource_id}/publish", response={200: ResourceOut, **ERRORS}, auth=session_auth,
             summary="发布资源")  # fmt: skip
def publish_resource(request, resource_id: ObjectId, payload: NoteIn):
    resource = _resource(request.user, resource_id)
    return services.publish_resource(actor=request.user, resource=resource, note=payload.note)


@router.post("/resources/{resource_id}/retire", response={200: ResourceOut, **ERRORS}, auth=session_auth,
             summary="停用资源")  # fmt: skip
def retire_resource(request, resource_id: ObjectId, payload: ReasonIn):
    resource = _resource(request.user, resource_id)
    return services.retire_resource(actor=request.user, resource=resource, reason=payload.reason)


@router.get("/resources/{resource_id}/versions", response={200: list[VersionOut], **ERRORS}, auth=AUTH,
            summary="版本历史")  # fmt: skip
def resource_versions(request, resource_id: ObjectId):
    return list(_resource(actor_of(request), resource_id).versions.all())


# --- the three lists ---------------------------------------------------------


class DemandIn(Schema):
    requester_id: DbId
    resource_id: DbId | None = None
    description: Text = SchemaField("", max_length=300)
    field_codes: list[Text] = SchemaField([], max_length=500)
    purpose: Text = SchemaField(..., min_length=2, max_length=300)


class DemandOut(Schema):
    id: int
    requester_id: DbId
    requester_name: str
    resource_id: int | None
    description: str
    field_codes: list[str]
    purpose: str
    status: DemandStatus
    reason: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_requester_name(obj):
        return obj.requester.name


class DecisionIn(Schema):
    status: DemandStatus
    reason: Text = SchemaField("", max_length=300)


class ResponsibilityIn(Schema):
    organisation_id: DbId
    resource_id: DbId
    cadence: UpdateCycle
    note: Text = SchemaField("", max_length=300)


class ResponsibilityOut(Schema):
    id: int
    organisation_id: DbId
    resource_id: DbId
    cadence: UpdateCycle
    note: str
    last_load_at: datetime.datetime | None = None
    overdue: bool = False


class NegativeIn(Schema):
    resource_id: DbId
    legal_basis: Text = SchemaField(..., min_length=4, max_length=500)
    note: Text = SchemaField("", max_length=300)


class NegativeRemoveIn(Schema):
    share_type: ShareType = SchemaField(..., description="移出后的共享类型：无条件共享或有条件共享")
    share_condition: Text = SchemaField("", max_length=2000, description="有条件共享时必填")
    reason: Text = SchemaField(..., min_length=2, max_length=300)


class NegativeOut(Schema):
    id: int
    resource_id: DbId
    resource_name: str
    legal_basis: str
    note: str

    @staticmethod
    def resolve_resource_name(obj):
        return obj.resource.name


@router.get("/demands", response={200: list[DemandOut], **ERRORS}, auth=AUTH, summary="需求清单")
@paginate(Page)
def list_demands(request, status: DemandStatus | None = None):
    qs = Demand.objects.restrict(actor_of(request), "view").select_related("requester")
    return qs.filter(status=status) if status else qs


@router.post(
    "/demands", response={201: DemandOut, **ERRORS}, auth=session_auth, summary="提出数据需求"
)
def create_demand(request, payload: DemandIn):
    requester = _owner(request.user, payload.requester_id)
    resource = _resource(request.user, payload.resource_id) if payload.resource_id else None
    demand = services.create_demand(actor=request.user, requester=requester, resource=resource,
                                    purpose=payload.purpose, description=payload.description,
                                    field_codes=payload.field_codes)  # fmt: skip
    return Status(201, demand)


@router.post("/demands/{demand_id}/decision", response={200: DemandOut, **ERRORS}, auth=session_auth,
             summary="答复数据需求（资源提供方）")  # fmt: skip
def decide_demand(request, demand_id: ObjectId, payload: DecisionIn):
    demand = get_object_or_404(Demand.objects.restrict(request.user, "view"), pk=demand_id)
    return services.decide_demand(
        actor=request.user, demand=demand, status=payload.status, reason=payload.reason
    )


@router.get(
    "/responsibilities",
    response={200: list[ResponsibilityOut], **ERRORS},
    auth=AUTH,
    summary="责任清单",
)
@paginate(Page)
def list_responsibilities(request, organisation_id: DbId | None = None):
    qs = Responsibility.objects.restrict(actor_of(request), "view")
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    return selectors.with_overdue(qs)


@router.post("/responsibilities", response={201: ResponsibilityOut, **ERRORS}, auth=session_auth,
             summary="分配数据供给责任")  # fmt: skip
def assign_responsibility(request, payload: ResponsibilityIn):
    organisation = _owner(request.user, payload.organisation_id)
    resource = _resource(request.user, payload.resource_id)
    responsibility = services.assign_responsibility(actor=request.user, organisation=organisation,
                                                    resource=resource, cadence=payload.cadence, note=payload.note)  # fmt: skip
    return Status(201, selectors.with_overdue([responsibility])[0])


@router.get(
    "/negative-list", response={200: list[NegativeOut], **ERRORS}, auth=AUTH, summary="负面清单"
)
@paginate(Page)
def list_negative(request):
    return NegativeEntry.objects.restrict(actor_of(request), "view").select_related("resource")


@router.post(
    "/negative-list",
    response={201: NegativeOut, **ERRORS},
    auth=session_auth,
    summary="列入负面清单",
)
def set_negative(request, payload: NegativeIn):
    resource = _resource(request.user, payload.resource_id)
    entry = services.add_to_negative_list(actor=request.user, resource=resource, legal_basis=payload.legal_basis,
                                          note=payload.note)  # fmt: skip
    return Status(201, entry)


@router.post("/negative-list/{resource_id}/remove", response={200: ResourceOut, **ERRORS}, auth=session_auth,
             summary="移出负面清单（恢复共享）")  # fmt: skip
def remove_negative(request, resource_id: ObjectId, payload: NegativeRemoveIn):
    resource = _resource(request.user, resource_id)
    return services.remove_from_negative_list(actor=request.user, resource=resource, share_type=payload.share_type,
                                              share_condition=payload.share_condition, reason=payload.reason)  # fmt: skip


# --- XLSX ----------------------------------------------------------------------


class ImportOut(Schema):
    created: list[str]
    updated: list[str]
    unchanged: list[str] = SchemaField(..., description="与目录现状一致、未产生新版本的资源代码")
    errors: list[dict]


@router.get(
    "/export.xlsx",
    auth=AUTH,
    response={200: None, **ERRORS},
    summary="导出目录（XLSX，一行一个信息项）",
)
def export_catalog(request):
    data = spreadsheet.export_catalog(Resource.objects.restrict(actor_of(request), "view"))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="catalog.xlsx"'
    return response


@router.post(
    "/import", response={200: ImportOut, **ERRORS}, auth=session_auth, summary="导入目录（XLSX）"
)
def import_catalog(request, file: File[UploadedFile]):
    if file.size > MAX_IMPORT_BYTES:
        raise ServiceError("file.too_large", "文件超过 10 MB")
    result = spreadsheet.import_catalog(actor=request.user, data=file.read())
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "errors": result.errors}  # fmt: skip
