"""Registry endpoints: loads (upload, API batches, status, quarantine download, re-run) and quality."""

import datetime
import uuid

from django.shortcuts import get_object_or_404
from ninja import Field as SchemaField
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from yiwang.api import ERRORS
from yiwang.catalog.models import Resource
from yiwang.core.api import DbId, ObjectId, Page
from yiwang.core.auth import AUTH, actor_of
from yiwang.core.errors import NotFound
from yiwang.registry import selectors, services
from yiwang.registry.choices import LoadMode, LoadSource, LoadStatus, problem_label
from yiwang.registry.downloads import quarantine_csv
from yiwang.registry.models import Load, QualityReport

router = Router(tags=["数据归集"])


class LoadOut(Schema):
    id: uuid.UUID
    resource_id: DbId
    resource_version: int
    mode: LoadMode
    source: LoadSource
    file_name: str
    size: int
    sha256: str
    status: LoadStatus
    rows_total: int
    rows_valid: int
    rows_invalid: int
    rows_written: int
    rows_deleted: int
    error_code: str
    error_message: str
    job_id: uuid.UUID | None
    created_at: datetime.datetime
    finished_at: datetime.datetime | None


class LoadErrorOut(Schema):
    row: int
    field: str
    code: str
    message: str


class BatchIn(Schema):
    mode: LoadMode = LoadMode.UPSERT
    rows: list[dict] = SchemaField(
        ..., min_length=1, description="每行以信息项代码为键；行数上限见 YIWANG_API_BATCH_ROWS"
    )


class RerunIn(Schema):
    mode: LoadMode | None = None


class QualityOut(Schema):
    """资源数据质量: the registry as it stands (completeness over the stored records; validity,
    uniqueness and consistency weighted by rows over the loads that still hold records)."""

    resource_id: DbId
    score: float
    completeness: float
    validity: float
    uniqueness: float
    consistency: float
    timeliness: float
    field_completeness: dict = SchemaField(..., description="各信息项在当前登记簿记录中的完整率")
    records: int = SchemaField(..., description="完整性所依据的登记簿记录数")
    loads: int = SchemaField(
        ..., description="有效性、唯一性、一致性所依据的批次数（仍有记录在库）"
    )
    rows: int = SchemaField(..., description="这些批次的总行数（加权依据）")
    load_id: uuid.UUID | None = SchemaField(..., description="最近一次成功的归集")


class LoadQualityOut(Schema):
    """数据质量报告 of one load: the dimensions measured on the batch as it arrived."""

    load_id: uuid.UUID
    resource_id: DbId
    created_at: datetime.datetime
    rows: int
    score: float = SchemaField(..., description="本批次得分（及时性按 1 计）")
    completeness: float
    validity: float
    uniqueness: float
    consistency: float
    field_completeness: dict[str, float] = SchemaField(..., description="各信息项完整率")
    error_counts: dict[str, int] = SchemaField(..., description="各错误代码的问题数")
    error_labels: dict[str, str] = SchemaField(
        ..., description="error_counts 中各错误代码的中文名称"
    )

    @staticmethod
    def resolve_error_labels(report) -> dict[str, str]:
        return {code: problem_label(code) for code in report.error_counts}


class ResourceQualityRow(Schema):
    resource_id: DbId
    code: str
    name: str
    owner_id: DbId
    owner_name: str
    last_loaded_at: datetime.datetime | None
    load_id: uuid.UUID | None = SchemaField(None, description="最近一次成功的归集；尚未归集为空")
    records: int | None = SchemaField(None, description="完整性所依据的登记簿记录数")
    loads: int | None = SchemaField(None, description="有效性、唯一性、一致性所依据的批次数")
    rows: int | None = SchemaField(None, description="这些批次的总行数（加权依据）")
    score: float | None = None
    completeness: float | None = None
    validity: float | None = None
    uniqueness: float | None = None
    consistency: float | None = None
    timeliness: float | None = None


class DepartmentQualityRow(Schema):
    organisation_id: DbId
    name: str
    score: float = SchemaField(..., description="已评估资源得分的平均值")
    resources: int = SchemaField(..., description="已评估资源数")


class QualityOverviewOut(Schema):
    departments: list[DepartmentQualityRow]
    resources: list[ResourceQualityRow]


DIMENSIONS = ("score", "completeness", "validity", "uniqueness", "consistency", "timeliness")
FIGURES = (*DIMENSIONS, "records", "loads", "rows", "load_id")


def _loadable_resource(actor, resource_id: ObjectId) -> Resource:
    return get_object_or_404(Resource.objects.restrict(actor, "view"), pk=resource_id)


def _load(actor, load_id: uuid.UUID) -> Load:
    return get_object_or_404(Load.objects.restrict(actor, "view"), pk=load_id)


@router.post("/resources/{resource_id}/loads", response={201: LoadOut, **ERRORS}, auth=AUTH,
             summary="上传文件归集（CSV/XLSX/JSON Lines）")  # fmt: skip
def upload_load(
    request, resource_id: ObjectId, file: File[UploadedFile], mode: Form[LoadMode] = LoadMode.UPSERT
):
    actor = actor_of(request)
    load = services.receive_file(
        actor=actor, resource=_loadable_resource(actor, resource_id), upload=file, mode=mode
    )
    load.refresh_from_db()
    return Status(201, load)


@router.post("/resources/{resource_id}/batches", response={201: LoadOut, **ERRORS}, auth=AUTH,
             summary="接口推送一批记录")  # fmt: skip
def push_batch(request, resource_id: ObjectId, payload: BatchIn):
    actor = actor_of(request)
    resource = _loadable_resource(actor, resource_id)
    load = services.receive_batch(
        actor=actor, resource=resource, rows=payload.rows, mode=payload.mode
    )
    load.refresh_from_db()
    return Status(201, load)


@router.get("/resources/{resource_id}/loads", response={200: list[LoadOut], **ERRORS}, auth=AUTH,
            summary="资源的归集批次")  # fmt: skip
@paginate(Page)
def list_loads(request, resource_id: ObjectId):
    return Load.objects.restrict(actor_of(request), "view").filter(resource_id=resource_id)


@router.get(
    "/loads/{load_id}", response={200: LoadOut, **ERRORS}, auth=AUTH, summary="归集批次状态"
)
def get_load(request, load_id: uuid.UUID):
    return _load(actor_of(request), load_id)


@router.get("/loads/{load_id}/errors", response={200: list[LoadErrorOut], **ERRORS}, auth=AUTH,
            summary="问题数据（分页；提供部门以外的调用者看到的个人信息已脱敏）")  # fmt: skip
@paginate(Page)
def list_errors(request, load_id: uuid.UUID):
    actor = actor_of(request)
    return selectors.quarantined_rows(actor, _load(actor, load_id))


@router.get("/loads/{load_id}/errors.csv", response={200: None, **ERRORS}, auth=AUTH,
            summary="下载问题数据（CSV，UTF-8 BOM）")  # fmt: skip
def download_errors(request, load_id: uuid.UUID):
    actor = actor_of(request)
    return quarantine_csv(_load(actor, load_id), actor)


@router.post(
    "/loads/{load_id}/rerun", response={201: LoadOut, **ERRORS}, auth=AUTH, summary="重新归集"
)
def rerun(request, load_id: uuid.UUID, payload: RerunIn):
    actor = actor_of(request)
    load = services.rerun_load(actor=actor, load=_load(actor, load_id), mode=payload.mode)
    load.refresh_from_db()
    return Status(201, load)


@router.get("/loads/{load_id}/quality", response={200: LoadQualityOut, **ERRORS}, auth=AUTH,
            summary="归集批次的质量报告")  # fmt: skip
def load_quality(request, load_id: uuid.UUID):
    report = QualityReport.objects.filter(load=_load(actor_of(request), load_id)).first()
    if report is None:
        raise NotFound("质量报告（失败或未完成的批次没有质量报告）")
    return report


@router.get("/quality", response={200: QualityOverviewOut, **ERRORS}, auth=AUTH,
            summary="数据质量：各部门与各资源得分")  # fmt: skip
def quality_overview(request):
    overview = selectors.quality_overview(actor_of(request))
    resources = []
    for row in overview["rows"]:
        r, q = row["resource"], row["quality"]
        resources.append({
            "resource_id": r.pk, "code": r.code, "name": r.name, "owner_id": r.owner_id, "owner_name": r.owner.name,
            "last_loaded_at": r.last_loaded_at, **({k: q[k] for k in FIGURES} if q else {}),
        })  # fmt: skip
    return {"departments": overview["departments"], "resources": resources}


@router.get("/resources/{resource_id}/quality", response={200: QualityOut, **ERRORS}, auth=AUTH,
            summary="资源数据质量")  # fmt: skip
def resource_quality(request, resource_id: ObjectId):
    resource = _loadable_resource(actor_of(request), resource_id)
    q = selectors.resource_quality(resource)
    if q is None:
        raise NotFound("质量报告")
    return {**{k: q[k] for k in FIGURES}, "resource_id": resource.pk,
            "field_completeness": q["field_completeness"]}  # fmt: skip
