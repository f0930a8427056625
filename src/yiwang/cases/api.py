"""Cases (办件) endpoints, for signed-in people: applicants apply, follow, correct and withdraw;
the one window (综合窗口) registers, accepts, asks for 补正 or refuses; reviewers decide their
department's tasks and run 特别程序.

Every write is a call to a service in `services.py` or `approval.py`, which checks permission
and writes the audit row. A case the caller may not see is 404; a case they see but may not act
on is 403. Applications carry files, so they are multipart: a `payload` field holding JSON and
one file per material, named `material_<材料编号>`.
"""

import json
from typing import Annotated

import pydantic
from django.db.models import F, Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from ninja import Form, Path, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate

from yiwang.api import ERRORS
from yiwang.cases import approval, services
from yiwang.cases.choices import TaskStatus
from yiwang.cases.models import Case, CaseEvent, CaseTask
from yiwang.cases.schemas import (
    MATERIAL_FILE,
    AcceptIn,
    ApplicationIn,
    CaseDetailOut,
    CaseFilter,
    CaseOut,
    CaseReasonIn,
    CorrectionIn,
    CorrectionRequestIn,
    ItemRef,
    MyTaskOut,
    SpecialEndIn,
    SpecialIn,
    TaskDecisionIn,
    ThemeApplicationIn,
    WalkInIn,
    WithdrawIn,
)
from yiwang.core.api import ObjectId, Page
from yiwang.core.auth import session_auth
from yiwang.core.errors import NotFound, ServiceError
from yiwang.services.choices import ItemStatus
from yiwang.services.models import ServiceItem, Theme
from yiwang.services.models.theme import THEME_CODE
from yiwang.services.selectors import theme_materials

router = Router(tags=["办件"], auth=session_auth)

CaseNumber = Annotated[
    str, Path(..., max_length=60, pattern=r"^[0-9A-Za-z]+$", description="办件编号")
]


def _inlined(schema: dict, defs: dict | None = None):
    """A JSON schema with its `$defs` written in place, to embed it in the OpenAPI document."""
    defs = schema.get("$defs", {}) if defs is None else defs
    if isinstance(schema, list):
        return [_inlined(s, defs) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _inlined(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    return {k: _inlined(v, defs) for k, v in schema.items() if k != "$defs"}


def _payload_schema(schema: type[Schema]) -> dict:
    return {"type": "string", "contentMediaType": "application/json",
            "contentSchema": _inlined(schema.model_json_schema())}  # fmt: skip


def _payload(schema: type[Schema], *, required: bool = True):
    """A form field `payload` holding `schema` as JSON text (ninja would flatten a model)."""
    field = Form(... if required else None, description=f"JSON 字符串，结构见 {schema.__name__}")
    return Annotated[str, field] if required else Annotated[str | None, field]


def _multipart(schema: type[Schema], *, required: bool = True) -> dict:
    """The multipart body as documented: the JSON `payload`, and material files named by pattern
    (which ninja cannot infer). The same `payload` alone may also be sent form-encoded."""
    body = {
        "type": "object",
        "properties": {"payload": _payload_schema(schema)},
        "patternProperties": {MATERIAL_FILE.pattern: {"type": "string", "format": "binary"}},
        "description": "payload：JSON 字符串；材料文件每项一个，字段名 material_<材料编号>，"
        "PDF、OFD、JPG、PNG、Word、Excel，单个不超过 20 MB",
    }
    if required:
        body["required"] = ["payload"]
    return {"requestBody": {"content": {"multipart/form-data": {"schema": body}}}}


def _parse(schema: type[Schema], text: str | None):
    """The payload's JSON read into `schema`; its errors answer 422 like any other input.

    A JSON value that is no object is refused first: a ninja schema reads attributes off
    anything, so `1` or `[]` would otherwise pass as an empty payload (all defaults)."""
    text = text or "{}"
    try:
        is_object = isinstance(json.loads(text), dict)
    except ValueError:  # not JSON: said by pydantic below, with where
        is_object = True
    if not is_object:
        raise NinjaValidationError([{"loc": ("form", "payload"), "type": "dict_type"}])
    try:
        return schema.model_validate_json(text)
    except pydantic.ValidationError as exc:
        errors = [
            {**e, "loc": ("form", "payload", *e["loc"])} for e in exc.errors(include_url=False)
        ]
        raise NinjaValidationError(errors) from exc


ApplicationPayload = _payload(ApplicationIn)
ThemeApplicationPayload = _payload(ThemeApplicationIn)
WalkInPayload = _payload(WalkInIn)
CorrectionPayload = _payload(CorrectionIn, required=False)


# --- fetching what the caller may see --------------------------------------------


def _case(actor, number: str) -> Case:
    return get_object_or_404(Case.objects.restrict(actor, "view"), number=number)


def _detail(case: Case) -> Case:
    """The case with everything its page shows, in a fixed number of queries."""
    return (
        Case.objects.select_related("item")
        .prefetch_related(
            "materials",
            "clock_stops",
            Prefetch("tasks", CaseTask.objects.select_related("organisation")),
            Prefetch("events", CaseEvent.objects.select_related("organisation")),
        )
        .get(pk=case.pk)
    )


def _item(actor, ref: ItemRef) -> ServiceItem:
    items = ServiceItem.objects.restrict(actor, "view")
    item = (
        items.filter(pk=ref.item_id) if ref.item_id else items.filter(code=ref.item_code)
    ).first()
    if item is None:
        raise NotFound("事项")
    return item


def _uploads(request, item: ServiceItem | None = None) -> dict:
    """The material files of the request, by material id; any other file is refused."""
    uploads = {}
    for key, files in request.FILES.lists():
        match = MATERIAL_FILE.match(key)
        if match is None:
            raise ServiceError("validation_failed", f"文件字段名应为 material_<材料编号>：{key}",
                               detail={"field": key})  # fmt: skip
        if len(files) > 1:
            raise ServiceError(
                "validation_failed", "每项材料只能上传一个文件", detail={"field": key}
            )
        uploads[int(match[1])] = files[0]
    if item is not None:
        unknown = sorted(set(uploads) - set(item.materials.values_list("pk", flat=True)))
        if unknown:
            raise ServiceError("validation_failed", "上传的材料不属于该事项",
                               detail={"materials": unknown})  # fmt: skip
    return uploads


# --- applications -------------------------------------------------------------------


@router.post("", response={201: CaseDetailOut, **ERRORS}, openapi_extra=_multipart(ApplicationIn),
             summary="提交申请（网上、移动端、自助终端），答复即回执")  # fmt: skip
def submit_application(request, payload: ApplicationPayload):
    data = _parse(ApplicationIn, payload)
    item = _item(request.user, data)
    case = services.submit_application(
        actor=request.user, item=item, form_data=data.form_data, uploads=_uploads(request, item),
        company_uscc=data.company_uscc, channel=data.channel, phone=data.phone,
        licence_consent=data.licence_consent,
    )  # fmt: skip
    return Status(201, _detail(case))


@router.post("/themes/{code}", response={201: CaseDetailOut, **ERRORS},
             openapi_extra=_multipart(ThemeApplicationIn),
             summary="申请一件事：一张联合申请表、一次提交，答复即回执")  # fmt: skip
def submit_theme_application(
    request, code: Annotated[str, Path(..., pattern=THEME_CODE, description="主题编码")],
    payload: ThemeApplicationPayload,
):  # fmt: skip
    data = _parse(ThemeApplicationIn, payload)
    theme = Theme.objects.restrict(request.user, "view").filter(code=code).first()
    if theme is None or theme.status != ItemStatus.PUBLISHED:
        raise NotFound("一件事主题")
    uploads = _uploads(request)
    known = {entry.material.pk for entry in theme_materials(theme)}
    if set(uploads) - known:
        raise ServiceError("validation_failed", "上传的材料不属于该一件事",
                           detail={"materials": sorted(set(uploads) - known)})  # fmt: skip
    case = services.submit_theme_application(
        actor=request.user, theme=theme, form_data=data.form_data, uploads=uploads,
        company_uscc=data.company_uscc, channel=data.channel, phone=data.phone,
        licence_consent=data.licence_consent,
    )  # fmt: skip
    return Status(201, _detail(case))


@router.get("", response={200: list[CaseOut], **ERRORS}, summary="我能看到的办件")
@paginate(Page)
def list_cases(request, filters: Query[CaseFilter]):
    cases = Case.objects.restrict(request.user, "view").select_related("item")
    if filters.status:
        cases = cases.filter(status=filters.status)
    return cases.order_by("-submitted_at", "-id")


@router.post("/walk-in", response={201: CaseDetailOut, **ERRORS}, openapi_extra=_multipart(WalkInIn),
             summary="窗口登记（综合窗口人员）")  # fmt: skip
def register_walk_in(request, payload: WalkInPayload):
    data = _parse(WalkInIn, payload)
    item = _item(request.user, data)
    case = services.register_walk_in(
        actor=request.user, item=item, applicant_kind=data.applicant_kind,
        applicant_name=data.applicant_name, applicant_code=data.applicant_code,
        form_data=data.form_data, phone=data.phone, uploads=_uploads(request, item),
        paper_materials=data.paper_materials, licence_consent=data.licence_consent,
    )  # fmt: skip
    return Status(201, _detail(case))


# --- reviewers' tasks (before /{number}: "tasks" is not a case number) ---------------


@router.get("/tasks", response={200: list[MyTaskOut], **ERRORS},
            summary="本部门待办任务（按办理期限排序）")  # fmt: skip
@paginate(Page)
def list_tasks(request):
    tasks = CaseTask.objects.restrict(request.user, "view").filter(status=TaskStatus.OPEN)
    return tasks.select_related("case__item", "organisation").order_by(
        F("due_date").asc(nulls_last=True), "created_at", "id"
    )


@router.post("/tasks/{task_id}/complete", response={200: MyTaskOut, **ERRORS},
             summary="审查：同意或不同意，并写明意见")  # fmt: skip
def complete_task(request, task_id: ObjectId, payload: TaskDecisionIn):
    task = get_object_or_404(CaseTask.objects.restrict(request.user, "view"), pk=task_id)
    approval.complete_task(actor=request.user, task=task, decision=payload.decision,
                           opinion=payload.opinion)  # fmt: skip
    return CaseTask.objects.select_related("case__item", "organisation").get(pk=task.pk)


# --- one case -----------------------------------------------------------------------


@router.get("/{number}", response={200: CaseDetailOut, **ERRORS}, summary="办件详情与办理过程")
def get_case(request, number: CaseNumber):
    return _detail(_case(request.user, number))


@router.post("/{number}/accept", response={200: CaseDetailOut, **ERRORS},
             summary="受理（即办件可当场办结）")  # fmt: skip
def accept_case(request, number: CaseNumber, payload: AcceptIn):
    case = services.accept_case(actor=request.user, case=_case(request.user, number),
                                finish_now=payload.finish_now, opinion=payload.opinion)  # fmt: skip
    return _detail(case)


@router.post("/{number}/correction", response={200: CaseDetailOut, **ERRORS},
             summary="一次性告知补正，暂停计时")  # fmt: skip
def request_correction(request, number: CaseNumber, payload: CorrectionRequestIn):
    case = services.request_correction(actor=request.user, case=_case(request.user, number),
                                       corrections=payload.corrections, message=payload.message)  # fmt: skip
    return _detail(case)


@router.post("/{number}/review-correction", response={200: CaseDetailOut, **ERRORS},
             summary="审查中一次性告知补正（有待办任务的部门），暂停计时至申请人补正")  # fmt: skip
def request_review_correction(request, number: CaseNumber, payload: CorrectionRequestIn):
    case = services.request_review_correction(
        actor=request.user, case=_case(request.user, number), corrections=payload.corrections,
        message=payload.message,
    )  # fmt: skip
    return _detail(case)


MATERIAL_FILE_RESPONSE = {
    "responses": {200: {"description": "材料文件", "content": {  # an int, as ninja keys its own
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}
}  # fmt: skip


@router.get("/{number}/materials/{material_id}", response={200: None, **ERRORS},
            openapi_extra=MATERIAL_FILE_RESPONSE,
            summary="下载办件材料（申请人、参与办理部门、监察人员）")  # fmt: skip
def download_material(request, number: CaseNumber, material_id: ObjectId):
    stored = _case(request.user, number).materials.filter(pk=material_id).exclude(file="").first()
    if stored is None:
        raise NotFound("材料")
    suffix = "." + stored.file.name.rsplit(".", 1)[-1] if "." in stored.file.name else ""
    return FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=f"{stored.name}{suffix}"
    )


@router.post("/{number}/refuse", response={200: CaseDetailOut, **ERRORS}, summary="不予受理")
def refuse_case(request, number: CaseNumber, payload: CaseReasonIn):
    case = services.refuse_case(
        actor=request.user, case=_case(request.user, number), reason=payload.reason
    )
    return _detail(case)


@router.post("/{number}/corrected", response={200: CaseDetailOut, **ERRORS},
             openapi_extra=_multipart(CorrectionIn, required=False), summary="提交补正（申请人）")  # fmt: skip
def submit_correction(request, number: CaseNumber, payload: CorrectionPayload = None):
    case = _case(request.user, number)
    form_data = _parse(CorrectionIn, payload).form_data
    case = services.submit_correction(actor=request.user, case=case, form_data=form_data,
                                      uploads=_uploads(request))  # fmt: skip
    return _detail(case)


@router.post(
    "/{number}/withdraw", response={200: CaseDetailOut, **ERRORS}, summary="撤回申请（申请人）"
)
def withdraw_case(request, number: CaseNumber, payload: WithdrawIn):
    case = services.withdraw_case(
        actor=request.user, case=_case(request.user, number), reason=payload.reason
    )
    return _detail(case)


@router.post("/{number}/special", response={200: CaseDetailOut, **ERRORS},
             summary="启动特别程序（现场核查、专家评审、听证），暂停计时")  # fmt: skip
def start_special_procedure(request, number: CaseNumber, payload: SpecialIn):
    case = approval.start_special_procedure(
        actor=request.user, case=_case(request.user, number), kind=payload.kind,
        reason=payload.reason, planned_end=payload.planned_end,
    )  # fmt: skip
    return _detail(case)


@router.post("/{number}/special/end", response={200: CaseDetailOut, **ERRORS},
             summary="结束特别程序，恢复计时")  # fmt: skip
def end_special_procedure(request, number: CaseNumber, payload: SpecialEndIn):
    case = approval.end_special_procedure(
        actor=request.user, case=_case(request.user, number), result=payload.result
    )
    return _detail(case)
