"""Foundation endpoints: who am I, organisations, API clients and keys, identifiers,
calendar, jobs and the audit log."""

import datetime
import uuid
from typing import Annotated, Literal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from yiwang.api import ERRORS
from yiwang.core import identifiers, services, workdays
from yiwang.core.auth import AUTH, actor_of, session_auth
from yiwang.core.choices import OrganisationKind, OrganisationLevel
from yiwang.core.errors import NotFound, ServiceError
from yiwang.core.models import ApiClient, ApiKey, AuditEvent, Job, Organisation
from yiwang.core.nul import Text
from yiwang.core.permissions import is_client

router = Router()

# A database id in a path: bounded so that an absurd number is a 422, not a database overflow.
ObjectId = Annotated[int, Path(..., ge=1, le=2**63 - 1)]
# The same bound for ids in bodies and query strings.
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Page(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int = Field(50, ge=1, le=500)

    def paginate_queryset(self, queryset, pagination: Input, **params):
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": queryset[offset : offset + pagination.page_size],
            "count": self._items_count(queryset),
        }


# --- who am I ----------------------------------------------------------------


class MembershipOut(Schema):
    organisation_id: DbId
    organisation: str
    role: str


class AgencyOut(Schema):
    company_uscc: str
    company_name: str
    valid_until: datetime.date | None


class MeOut(Schema):
    kind: Literal["user", "client"]
    name: str
    identity: str
    memberships: list[MembershipOut] = []
    agencies: list[AgencyOut] = Field([], description="作为企业经办人可代为办理的法人")


@router.get("/me", response={200: MeOut, **ERRORS}, auth=AUTH, tags=["基础"], summary="当前调用者")
def me(request):
    actor = actor_of(request)
    if is_client(actor):
        return {"kind": "client", "name": actor.name, "identity": actor.identity}
    memberships = [
        {"organisation_id": m.organisation_id, "organisation": m.organisation.name, "role": m.role}
        for m in actor.memberships.select_related("organisation")
    ]
    today = datetime.date.today()
    agencies = actor.agencies.filter(valid_from__lte=today).exclude(valid_until__lt=today)
    return {
        "kind": "user",
        "name": str(actor),
        "identity": actor.username,
        "memberships": memberships,
        "agencies": list(agencies),
    }


# --- organisations -----------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    uscc: str
    region_code: str
    kind: OrganisationKind
    level: OrganisationLevel
    parent_id: int | None
    is_active: bool


class OrganisationIn(Schema):
    name: Text = Field(..., min_length=2, max_length=100)
    short_name: Text = Field("", max_length=40)
    uscc: Text = Field(..., min_length=1, max_length=40)
    region_code: Text = Field(..., min_length=1, max_length=12)
    kind: OrganisationKind
    level: OrganisationLevel
    parent_id: DbId | None = None


class OrganisationPatch(Schema):
    name: Text | None = Field(None, min_length=2, max_length=100)
    short_name: Text | None = Field(None, max_length=40)
    region_code: Text | None = Field(None, min_length=1, max_length=12)
    kind: OrganisationKind | None = None
    level: OrganisationLevel | None = None
    parent_id: DbId | None = None
    is_active: bool | None = None


class OrganisationFilter(Schema):
    q: str | None = Field(None, max_length=100, description="名称或统一社会信用代码包含")
    region_code: str | None = Field(None, max_length=6)
    kind: OrganisationKind | None = None
    parent_id: DbId | None = None
    ordering: Literal["name", "-name", "region_code", "-region_code", "id", "-id"] = "region_code"


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], **ERRORS},
    tags=["基础"],
    summary="部门/单位列表",
)
@paginate(Page)
def list_organisations(request, filters: Query[OrganisationFilter]):
    qs = Organisation.objects.restrict(request.user, "view")
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(uscc__icontains=filters.q.upper()))
    if filters.region_code:
        qs = qs.filter(region_code=filters.region_code)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.parent_id is not None:
        qs = qs.filter(parent_id=filters.parent_id)
    return qs.order_by(filters.ordering, "id")


@router.get(
    "/organisations/{org_id}",
    response={200: OrganisationOut, **ERRORS},
    tags=["基础"],
    summary="部门/单位",
)
def get_organisation(request, org_id: ObjectId):
    return get_object_or_404(Organisation.objects.restrict(request.user, "view"), pk=org_id)


def _visible_parent(actor, parent_id: int | None) -> Organisation | None:
    if parent_id is None:
        return None
    parent = Organisation.objects.restrict(actor, "view").filter(pk=parent_id).first()
    if parent is None:
        raise NotFound("上级单位")
    return parent


@router.post(
    "/organisations",
    response={201: OrganisationOut, **ERRORS},
    auth=session_auth,
    tags=["基础"],
    summary="新建部门/单位",
)
def create_organisation(request, payload: OrganisationIn):
    data = payload.dict(exclude={"parent_id"})
    parent = _visible_parent(request.user, payload.parent_id)
    return Status(201, services.create_organisation(actor=request.user, parent=parent, **data))


@router.patch(
    "/organisations/{org_id}",
    response={200: OrganisationOut, **ERRORS},
    auth=session_auth,
    tags=["基础"],
    summary="修改部门/单位",
)
def update_organisation(request, org_id: ObjectId, payload: OrganisationPatch):
    organisation = get_object_or_404(Organisation.objects.restrict(request.user, "view"), pk=org_id)
    changes = payload.dict(exclude_unset=True)
    if "parent_id" in changes:
        changes["parent"] = _visible_parent(request.user, changes.pop("parent_id"))
    return services.update_organisation(actor=request.user, organisation=organisation, **changes)


# --- API clients and keys ----------------------------------------------------


class ApiKeyOut(Schema):
    id: int
    prefix: str
    label: str
    created_at: datetime.datetime
    expires_at: datetime.datetime
    revoked_at: datetime.datetime | None
    last_used_at: datetime.datetime | None


class ApiClientOut(Schema):
    id: int
    identity: str
    organisation_id: DbId
    subsystem_code: str
    name: str
    is_active: bool
    keys: list[ApiKeyOut]

    @staticmethod
    def resolve_keys(obj):
        return list(obj.keys.all())


class ApiClientIn(Schema):
    organisation_id: DbId
    subsystem_code: str = Field(..., pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")
    name: Text = Field(..., min_length=2, max_length=100)


class KeyIn(Schema):
    label: Text = Field("", max_length=100)
    days: int | None = Field(
        None, ge=1, le=1098, description="有效天数；缺省为 YIWANG_API_KEY_DAYS"
    )


class IssuedKeyOut(Schema):
    key: ApiKeyOut
    secret: str = Field(..., description="只显示这一次；平台只保存其摘要")


@router.get(
    "/clients",
    response={200: list[ApiClientOut], **ERRORS},
    auth=AUTH,
    tags=["应用系统"],
    summary="应用系统列表",
)
@paginate(Page)
def list_clients(request):
    actor = actor_of(request)
    return (
        ApiClient.objects.restrict(actor, "view")
        .select_related("organisation")
        .prefetch_related("keys")
    )


@router.post(
    "/clients",
    response={201: ApiClientOut, **ERRORS},
    auth=session_auth,
    tags=["应用系统"],
    summary="登记应用系统",
)
def create_client(request, payload: ApiClientIn):
    organisation = get_object_or_404(
        Organisation.objects.restrict(request.user, "view"), pk=payload.organisation_id
    )
    client = services.create_api_client(
        actor=request.user,
        organisation=organisation,
        subsystem_code=payload.subsystem_code,
        name=payload.name,
    )
    return Status(201, client)


def _managed_client(actor, client_id: ObjectId) -> ApiClient:
    return get_object_or_404(ApiClient.objects.restrict(actor, "change"), pk=client_id)


@router.post(
    "/clients/{client_id}/keys",
    response={201: IssuedKeyOut, **ERRORS},
    auth=session_auth,
    tags=["应用系统"],
    summary="签发 API 密钥（只显示一次）",
)
def issue_key(request, client_id: ObjectId, payload: KeyIn):
    client = _managed_client(request.user, client_id)
    issued = services.issue_api_key(
        actor=request.user, client=client, label=payload.label, days=payload.days
    )
    return Status(201, {"key": issued.key, "secret": issued.secret})


@router.post(
    "/clients/{client_id}/keys/{key_id}/revoke",
    response={200: ApiKeyOut, **ERRORS},
    auth=session_auth,
    tags=["应用系统"],
    summary="吊销 API 密钥",
)
def revoke_key(request, client_id: ObjectId, key_id: ObjectId):
    client = _managed_client(request.user, client_id)
    key = get_object_or_404(ApiKey, pk=key_id, client=client)
    return services.revoke_api_key(actor=request.user, key=key)


# --- identifiers and calendar ------------------------------------------------


class IdentifierCheckOut(Schema):
    kind: str
    valid: bool
    normalised: str | None = None
    code: str | None = None
    message: str | None = None


IdentifierKind = Literal["uscc", "ric", "org_code", "region", "licence_id", "mobile"]


@router.get(
    "/identifiers/validate",
    response={200: IdentifierCheckOut, **ERRORS},
    tags=["工具"],
    summary="校验证件号码与代码",
)
def validate_identifier(request, kind: IdentifierKind, value: str = Query(..., max_length=200)):
    try:
        normalised = identifiers.VALIDATORS[kind](value)
    except identifiers.IdentifierError as exc:
        return {"kind": kind, "valid": False, "code": exc.code, "message": exc.message}
    return {"kind": kind, "valid": True, "normalised": normalised}


class WorkdayOut(Schema):
    start: datetime.date
    days: int
    due: datetime.date


class WorkdaysBetweenOut(Schema):
    start: datetime.date
    end: datetime.date
    working_days: int


def _check_date_range(*days: datetime.date) -> None:
    for day in days:
        if not datetime.date(1990, 1, 1) <= day <= datetime.date(2100, 12, 31):
            raise ServiceError("calendar.out_of_range", "日期应在 1990 年至 2100 年之间")


@router.get(
    "/calendar/add-working-days",
    response={200: WorkdayOut, **ERRORS},
    tags=["工具"],
    summary="从某日起算 N 个工作日",
)
def add_working_days(request, start: datetime.date, days: int = Query(..., ge=0, le=3650)):
    _check_date_range(start)
    due = workdays.add_working_days(start, days)
    _check_date_range(due)
    return {"start": start, "days": days, "due": due}


@router.get(
    "/calendar/working-days-between",
    response={200: WorkdaysBetweenOut, **ERRORS},
    tags=["工具"],
    summary="两日之间的工作日数",
)
def working_days_between(request, start: datetime.date, end: datetime.date):
    _check_date_range(start, end)
    if (end - start).days > 3660:
        raise ServiceError("calendar.out_of_range", "区间不能超过 10 年")
    return {"start": start, "end": end, "working_days": workdays.working_days_between(start, end)}


# --- jobs and audit ----------------------------------------------------------


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    status: str
    done: int
    total: int
    percent: int
    log: str
    result: dict
    created_at: datetime.datetime
    finished_at: datetime.datetime | None


@router.get(
    "/jobs/{job_id}",
    response={200: JobOut, **ERRORS},
    auth=session_auth,
    tags=["后台任务"],
    summary="后台任务进度",
)
def get_job(request, job_id: uuid.UUID):
    return get_object_or_404(Job.objects.restrict(request.user, "view"), pk=job_id)


class AuditEventOut(Schema):
    id: int
    occurred_at: datetime.datetime
    actor_kind: str
    actor_label: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    request_id: str
    sealed: bool

    @staticmethod
    def resolve_sealed(obj):
        return obj.seal_id is not None


class AuditFilter(Schema):
    action: str | None = Field(None, max_length=64)
    target_type: str | None = Field(None, max_length=64)
    target_id: str | None = Field(None, max_length=64)


@router.get(
    "/audit/events",
    response={200: list[AuditEventOut], **ERRORS},
    auth=session_auth,
    tags=["审计"],
    summary="审计事件（监察人员）",
)
@paginate(Page)
def list_audit_events(request, filters: Query[AuditFilter]):
    qs = AuditEvent.objects.restrict(request.user, "view")
    for name in ("action", "target_type", "target_id"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: value})
    return qs.order_by("-id")
