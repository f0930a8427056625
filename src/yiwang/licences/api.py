"""E-licence endpoints: issuance and status changes (issuing departments' systems by API key,
or their staff), public verification, the key set and status lists, and the holder's wallet."""

import datetime
import json
from typing import Annotated

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from yiwang.api import ERRORS
from yiwang.core.api import ObjectId, Page
from yiwang.core.auth import AUTH, actor_of, session_auth
from yiwang.core.errors import NotFound, ServiceError
from yiwang.core.identifiers import IdentifierError, validate_licence_id
from yiwang.core.models import Organisation
from yiwang.licences import documents, publication, selectors, services
from yiwang.licences.choices import HolderCodeType, LicenceStatus, StatusPurpose, VerificationState
from yiwang.licences.models import Licence, LicenceType
from yiwang.licences.verification import verify_document, verify_licence

router = Router(tags=["电子证照"])
Identifier = Annotated[str, Path(..., min_length=20, max_length=120, description="电子证照标识")]
DataValue = str | int | bool


class LicenceTypeOut(Schema):
    code: str
    name: str
    defining_org: str = Field(..., alias="defining_org.name")
    holder_code_types: list[str]
    fields: list[dict]
    validity_years: int | None


class IssueIn(Schema):
    licence_type_code: str = Field(..., pattern=r"^[0-9A-Z]{21}$", description="证照类型代码")
    holder_name: str = Field(..., min_length=2, max_length=200)
    holder_code: str = Field(..., min_length=18, max_length=18)
    holder_code_type: HolderCodeType
    data: dict[str, DataValue] = Field(default_factory=dict, description="证照类型的信息项")
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = Field(
        None, description="空：按证照类型的有效期规则（或长期）"
    )
    case_number: str | None = Field(None, max_length=64)
    issuer_uscc: str | None = Field(
        None, max_length=18, description="颁发机构；应用系统默认为其所属单位"
    )
    number: str | None = Field(
        None, min_length=1, max_length=64, description="证照编号；空则自动编号"
    )


class LicenceOut(Schema):
    identifier: str
    name: str = Field(..., alias="licence_type.name")
    type_code: str = Field(..., alias="licence_type.code")
    number: str
    issuer: str = Field(..., alias="issuer.name")
    issuer_code: str = Field(..., alias="issuer.uscc")
    holder_name: str
    holder_code: str
    holder_code_type: HolderCodeType
    region_code: str
    issued_on: datetime.date
    valid_from: datetime.date
    valid_until: datetime.date | None
    version: int
    status: LicenceStatus
    status_reason: str
    case_number: str
    data: dict
    verification_url: str
    signed: dict = Field(..., description="签名 JSON：{licence, proof}")

    @staticmethod
    def resolve_data(obj):
        return obj.content["data"]

    @staticmethod
    def resolve_verification_url(obj):
        return documents.verification_url(obj.identifier)

    @staticmethod
    def resolve_signed(obj):
        return documents.wrapped(obj)


class StatusIn(Schema):
    status: LicenceStatus = Field(
        ..., description="valid（恢复）、suspended、revoked（吊销）或 cancelled（注销）"
    )
    reason: str = Field(..., min_length=2, max_length=300)


class ChangeIn(Schema):
    reason: str = Field(..., min_length=2, max_length=300)
    data: dict[str, DataValue] = Field(default_factory=dict, description="变更的信息项")
    holder_name: str | None = Field(None, min_length=2, max_length=200)
    valid_until: datetime.date | None = None
    case_number: str | None = Field(None, max_length=64)


class UseIn(Schema):
    identifier: str = Field(..., min_length=20, max_length=120)
    applicant_code: str = Field(
        ..., min_length=18, max_length=18, description="申请人身份号码或统一社会信用代码"
    )
    purpose: str = Field(..., min_length=2, max_length=300)
    case_number: str = Field(
        "",
        max_length=64,
        description="办件编号；工作人员登记时必填，须为本部门办理的该持证人的办件",
    )
    consent: bool = Field(..., description="持证人是否同意用证")


class UseOut(Schema):
    identifier: str = Field(..., alias="licence.identifier")
    used_at: datetime.datetime
    used_by: str
    purpose: str
    case_number: str
    consent: bool
    verification: str


class PublicLicence(Schema):
    name: str
    number: str
    issuer: str
    type_code: str
    issued_on: str | None
    valid_from: str | None
    valid_until: str | None
    version: int | None
    holder_name: str
    holder_code: str
    holder_code_type: str


class VerificationOut(Schema):
    state: VerificationState
    label: str
    valid: bool
    message: str
    identifier: str
    signature_valid: bool
    reason: str
    licence: PublicLicence | None


class DocumentIn(Schema):
    document: dict = Field(..., description="持证人出示的签名 JSON：{licence, proof}")


class WalletItemOut(Schema):
    id: int
    identifier: str
    name: str = Field(..., alias="licence_type.name")
    number: str
    issuer: str = Field(..., alias="issuer.name")
    holder_name: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    version: int
    status: LicenceStatus


def _answer(result) -> dict:
    data = result.as_dict()
    return {**data, "licence": data["licence"] or None}


def _licence_type(code: str) -> LicenceType:
    found = LicenceType.objects.filter(code=code, is_active=True).first()
    if found is None:
        raise ServiceError("licence.type_unknown", "没有这个证照类型代码", status=404)
    return found


def _valid_identifier(identifier: str) -> str:
    """The identifier checked (format and check character) before any query; else "not found"."""
    try:
        return validate_licence_id(identifier)
    except IdentifierError as exc:
        raise NotFound("电子证照") from exc


def _changeable(request, identifier: str) -> Licence:
    licence = (
        Licence.objects.restrict(actor_of(request), "change")
        .filter(identifier=_valid_identifier(identifier))
        .first()
    )
    if licence is None:
        raise NotFound("电子证照")
    return licence


@router.get("/types", response={200: list[LicenceTypeOut], **ERRORS}, auth=None, summary="证照类型")
@paginate(Page)
def list_types(request):
    return LicenceType.objects.filter(is_active=True).select_related("defining_org")


@router.post("/licences", response={201: LicenceOut, **ERRORS}, auth=AUTH,
             summary="签发证照（颁发机构的应用系统或工作人员）")  # fmt: skip
def issue(request, payload: IssueIn):
    issuer = None
    if payload.issuer_uscc:
        issuer = Organisation.objects.filter(uscc=payload.issuer_uscc.upper()).first()
        if issuer is None:
            raise ServiceError("licence.issuer_unknown", "没有这个颁发机构", status=404)
    licence = services.issue_licence(actor=actor_of(request), licence_type=_licence_type(payload.licence_type_code),
                                     issuer=issuer, **payload.dict(exclude={"licence_type_code", "issuer_uscc"}))  # fmt: skip
    return Status(201, licence)


@router.get("/licences/{identifier}", response={200: LicenceOut, **ERRORS}, auth=AUTH,
            summary="证照详情（颁发机构、持证人本人、监察人员）")  # fmt: skip
def detail(request, identifier: Identifier):
    qs = Licence.objects.restrict(actor_of(request), "view").select_related(
        "licence_type", "issuer", "seal"
    )
    return get_object_or_404(qs, identifier=_valid_identifier(identifier))


@router.post("/licences/{identifier}/status", response={200: LicenceOut, **ERRORS}, auth=AUTH,
             summary="暂停、恢复、吊销或注销证照")  # fmt: skip
def change_status(request, identifier: Identifier, payload: StatusIn):
    licence = _changeable(request, identifier)
    return services.set_licence_status(actor=actor_of(request), licence=licence, status=payload.status,
                                       reason=payload.reason)  # fmt: skip


@router.post("/licences/{identifier}/versions", response={201: LicenceOut, **ERRORS}, auth=AUTH,
             summary="变更：签发新版本，旧版本失效")  # fmt: skip
def change(request, identifier: Identifier, payload: ChangeIn):
    licence = _changeable(request, identifier)
    return Status(
        201, services.change_licence(actor=actor_of(request), licence=licence, **payload.dict())
    )


@router.post("/uses", response={201: UseOut, **ERRORS}, auth=AUTH,
             summary="登记用证（部门应用系统，或办理该持证人办件的部门工作人员；须持证人同意）")  # fmt: skip
def record_use(request, payload: UseIn):
    licence = Licence.objects.filter(identifier=_valid_identifier(payload.identifier)).first()
    if licence is None:
        raise NotFound("电子证照")
    use = services.record_licence_use(
        actor=actor_of(request), licence=licence, **payload.dict(exclude={"identifier"})
    )
    return Status(201, use)


@router.get("/verify", response={200: VerificationOut, **ERRORS}, auth=None,
            summary="核验证照：电子证照标识或二维码内容")  # fmt: skip
def verify(
    request, q: str = Query(..., min_length=1, max_length=500, description="电子证照标识或核验链接")
):
    # The hot path: the answer is already plain JSON-safe data shaped like VerificationOut (the
    # OpenAPI tests check it), so it skips the response model's validation.
    return HttpResponse(json.dumps(_answer(verify_licence(q))), content_type="application/json")


@router.post("/verify", response={200: VerificationOut, **ERRORS}, auth=None,
             summary="核验持证人出示的签名 JSON")  # fmt: skip
def verify_signed(request, payload: DocumentIn):
    return _answer(verify_document(payload.document))


@router.get("/keys", response={200: dict, **ERRORS}, auth=None, summary="印章公钥集（JSON 密钥集）")
def key_set(request):
    return publication.key_set()


@router.get("/status-lists/{purpose}", response={200: dict, **ERRORS}, auth=None,
            summary="证照状态列表（W3C Bitstring Status List，平台 SM2 签名）")  # fmt: skip
def status_list(request, purpose: StatusPurpose):
    return publication.status_list(purpose)


@router.get(
    "/wallet", response={200: list[WalletItemOut], **ERRORS}, auth=session_auth, summary="我的证照"
)
@paginate(Page)
def wallet(request):
    return selectors.current_wallet_for(request.user)


@router.get("/wallet/{licence_id}/document", response={200: dict, **ERRORS}, auth=session_auth,
            summary="下载签名 JSON（本人证照）")  # fmt: skip
def wallet_document(request, licence_id: ObjectId):
    return publication.bundle(selectors.held_licence(request.user, licence_id))


@router.get("/wallet/{licence_id}/uses", response={200: list[UseOut], **ERRORS}, auth=session_auth,
            summary="用证记录（本人证照）")  # fmt: skip
@paginate(Page)
def wallet_uses(request, licence_id: ObjectId):
    return selectors.uses_of(selectors.held_licence(request.user, licence_id))
