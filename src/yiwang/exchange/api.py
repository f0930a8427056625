"""Exchange endpoints: access requests and grants (for staff), the gateway (for department
systems, by API key), and 我的数据使用记录 (for the signed-in citizen or company agent)."""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError
from ninja.pagination import paginate

from yiwang.api import ERRORS, Error
from yiwang.catalog.models import Resource
from yiwang.core.api import DbId, ObjectId, Page
from yiwang.core.auth import AUTH, actor_of, api_key_auth, deferred_key_auth, session_auth
from yiwang.core.models import ApiClient
from yiwang.core.nul import Text
from yiwang.exchange import gateway, selectors, services
from yiwang.exchange.choices import ExchangeOperation, GrantStatus, RequestStatus
from yiwang.exchange.models import AccessRequest, Grant
from yiwang.exchange.refusals import OPENED, logged_refusals

router = Router(tags=["共享交换"])
GATEWAY_ERRORS = {**ERRORS, 429: Error}  # quotas answer 429 with Retry-After
PurposeHeader = Header(
    None, alias="X-Purpose", description="用途（UTF-8 百分号编码）；有条件共享资源必填"
)
CaseHeader = Header(None, alias="X-Case-Number", description="关联的办件编号（可选）")


class AccessRequestIn(Schema):
    client_id: DbId
    resource_id: DbId
    field_codes: list[Text] = Field([], max_length=500, description="空表示全部信息项")
    purpose: Text = Field(..., min_length=2, max_length=300)
    legal_basis: Text = Field(..., min_length=2, max_length=500)
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    expected_volume: int = Field(0, ge=0, le=100_000_000)


class AccessRequestOut(Schema):
    id: int
    requester_id: DbId
    client_id: DbId
    resource_id: DbId
    field_codes: list[str]
    purpose: str
    legal_basis: str
    valid_from: datetime.date
    valid_until: datetime.date
    status: RequestStatus
    decision_reason: str
    created_at: datetime.datetime


class DecisionIn(Schema):
    approve: bool
    reason: Text = Field("", max_length=500)
    field_codes: list[Text] | None = Field(
        None, max_length=500, description="批准的信息项（不超出申请范围）"
    )
    clear_fields: list[Text] = Field([], max_length=500, description="可返回明文的个人信息项")


class GrantOut(Schema):
    id: int
    client_id: DbId
    resource_id: DbId
    field_codes: list[str]
    clear_fields: list[str]
    purpose: str
    valid_from: datetime.date
    valid_until: datetime.date
    status: GrantStatus
    status_reason: str
    in_force: bool = Field(
        ..., description="今日网关是否按此授权应答（有效、在期限内、资源仍已发布）"
    )
    state: str = Field(
        ..., description="今日状态：生效中、未到起始日期、已过期、已暂停、已撤销、资源已停用"
    )

    @staticmethod
    def resolve_in_force(obj) -> bool:
        return obj.in_force()

    @staticmethod
    def resolve_state(obj) -> str:
        return obj.state_label()


class GrantStatusIn(Schema):
    status: GrantStatus
    reason: Text = Field("", max_length=300)


class BatchIn(Schema):
    keys: list[Text] = Field(..., min_length=1, max_length=gateway.MAX_BATCH)


class BatchOut(Schema):
    records: dict[str, dict]
    missing: list[str]


class FilterOut(Schema):
    items: list[dict]
    count: int
    page: int
    page_size: int


class VerifyIn(Schema):
    key: Text = Field(..., min_length=1, max_length=255)
    claims: dict[Text, Text] = Field(..., description="信息项代码 → 声称的值")


class VerifyOut(Schema):
    found: bool
    matches: dict[str, bool]


class UsageOut(Schema):
    occurred_at: datetime.datetime
    organisation: str
    client: str
    resource: str
    purpose: str
    fields: list[str]
    operation: ExchangeOperation
    operation_label: str = Field(..., description="操作的中文名称，如“单条查询”“修改记录”")
    case_number: str


@router.get("/resources/{resource_id}/records", response={200: FilterOut, **GATEWAY_ERRORS}, auth=api_key_auth,
            summary="条件查询：按可查询信息项过滤（参数 f.<信息项代码>=值）")  # fmt: skip
@decorate_view(logged_refusals(ExchangeOperation.FILTER))
def filter_listing(request, resource_id: ObjectId, page: int = Query(1, ge=1, le=100_000),
                   page_size: int = Query(20, ge=1, le=gateway.MAX_PAGE_SIZE), purpose: str | None = PurposeHeader,
                   case_number: str | None = CaseHeader):  # fmt: skip
    filters = {k[2:]: v for k, v in request.GET.items() if k.startswith("f.")}
    call = _open(request, resource_id, ExchangeOperation.FILTER, purpose, case_number)
    return gateway.filter_listing(call, filters, page=page, page_size=page_size)


@router.post(
    "/requests", response={201: AccessRequestOut, **ERRORS}, auth=session_auth, summary="申请共享"
)
def create_request(request, payload: AccessRequestIn):
    client = get_object_or_404(
        ApiClient.objects.restrict(request.user, "view"), pk=payload.client_id
    )
    resource = get_object_or_404(
        Resource.objects.restrict(request.user, "view"), pk=payload.resource_id
    )
    data = payload.dict(exclude={"client_id", "resource_id"})
    return Status(
        201, services.request_access(actor=request.user, client=client, resource=resource, **data)
    )


@router.get(
    "/requests", response={200: list[AccessRequestOut], **ERRORS}, auth=AUTH, summary="共享申请"
)
@paginate(Page)
def list_requests(request, status: RequestStatus | None = None):
    qs = AccessRequest.objects.restrict(actor_of(request), "view")
    return qs.filter(status=status) if status else qs


@router.post("/requests/{request_id}/decision", response={200: AccessRequestOut, **ERRORS}, auth=session_auth,
             summary="审核共享申请（资源提供方）")  # fmt: skip
def decide(request, request_id: ObjectId, payload: DecisionIn):
    access = get_object_or_404(AccessRequest.objects.restrict(request.user, "view"), pk=request_id)
    return services.decide_request(actor=request.user, request=access, approve=payload.approve, reason=payload.reason,
                                   field_codes=payload.field_codes, clear_fields=payload.clear_fields)  # fmt: skip


@router.get("/grants", response={200: list[GrantOut], **ERRORS}, auth=AUTH, summary="共享授权")
@paginate(Page)
def list_grants(request):
    return Grant.objects.restrict(actor_of(request), "view").select_related("resource")


@router.post("/grants/{grant_id}/status", response={200: GrantOut, **ERRORS}, auth=session_auth,
             summary="暂停、恢复或撤销授权")  # fmt: skip
def grant_status(request, grant_id: ObjectId, payload: GrantStatusIn):
    grant = get_object_or_404(Grant.objects.restrict(request.user, "view"), pk=grant_id)
    return services.set_grant_status(
        actor=request.user, grant=grant, status=payload.status, reason=payload.reason
    )


# --- the gateway, for department systems -------------------------------------------


def _open(request, resource_id: int, operation: str, purpose: str | None, case_number: str | None,
          read: tuple | None = None):  # fmt: skip
    setattr(request, OPENED, True)  # from here on the gateway logs the call, refused or not
    return gateway.open_call(client=request.auth, resource_id=resource_id, operation=operation,
                             purpose=purpose or "", case_number=case_number or "", read=read)  # fmt: skip


@router.get("/resources/{resource_id}/records/{key}", response={200: dict, **GATEWAY_ERRORS},
            auth=deferred_key_auth, summary="按主键查询一条记录")  # fmt: skip
@decorate_view(logged_refusals(ExchangeOperation.LOOKUP))
def lookup(request, resource_id: ObjectId, key: Text, purpose: str | None = PurposeHeader,
           case_number: str | None = CaseHeader):  # fmt: skip
    # The key is checked in the statement that reads the grant and the record: one round trip.
    client, grant, record = gateway.authenticate_lookup(request.auth.secret, resource_id, key)
    request.auth = client  # None: logged as a refusal without a caller, like any wrong key
    if client is None:
        raise AuthenticationError()
    request.actor = client
    call = _open(request, resource_id, ExchangeOperation.LOOKUP, purpose, case_number,
                 read=(grant, record))  # fmt: skip
    return gateway.lookup(call, key)


@router.post("/resources/{resource_id}/batch", response={200: BatchOut, **GATEWAY_ERRORS}, auth=api_key_auth,
             summary="批量查询（最多 1000 个主键）")  # fmt: skip
@decorate_view(logged_refusals(ExchangeOperation.BATCH))
def batch(request, resource_id: ObjectId, payload: BatchIn, purpose: str | None = PurposeHeader,
          case_number: str | None = CaseHeader):  # fmt: skip
    call = _open(request, resource_id, ExchangeOperation.BATCH, purpose, case_number)
    return gateway.batch(call, payload.keys)


@router.post("/resources/{resource_id}/verify", response={200: VerifyOut, **GATEWAY_ERRORS}, auth=api_key_auth,
             summary="数据核验：只回答一致与否")  # fmt: skip
@decorate_view(logged_refusals(ExchangeOperation.VERIFY))
def verify(request, resource_id: ObjectId, payload: VerifyIn, purpose: str | None = PurposeHeader,
           case_number: str | None = CaseHeader):  # fmt: skip
    call = _open(request, resource_id, ExchangeOperation.VERIFY, purpose, case_number)
    return gateway.verify(call, payload.key, payload.claims)


@router.get("/my-data-usage", response={200: list[UsageOut], **ERRORS}, auth=session_auth,
            summary="我的数据使用记录（本人或所代理企业）")  # fmt: skip
@paginate(Page)
def my_data_usage(request):
    return selectors.usage_for(request.user)
