"""What every GovStack endpoint shares: answers, errors, the caller's identity, the registry
named in the path, and query conditions."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from yiwang.catalog.choices import ResourceStatus
from yiwang.catalog.models import Resource
from yiwang.core.errors import ServiceError
from yiwang.core.models import ApiClient
from yiwang.core.nul import LONE_SURROGATE, has_nul, nul_error
from yiwang.core.services import authenticate_api_key
from yiwang.exchange import case_numbers
from yiwang.exchange.gateway import Call, GatewayError
from yiwang.exchange.inputs import header_encoding_error, header_text
from yiwang.exchange.refusals import existing_resource_id, record_refusal
from yiwang.registry.filtering import filter_records
from yiwang.registry.keys import join_key
from yiwang.registry.models import Record
from yiwang.registry.validation import FieldSpec, RowValidator

CLIENT_HEADER = "Information-Mediator-Client"
MEMBER_CLASS = "GOV"
NO_RECORD = "no record found"  # the spec's `detail` of a missing record
NOT_FOUND_CODES = frozenset({"exchange.not_found", "govstack.no_record"})
VERSION = re.compile(r"^(\d{1,6})(?:\.0{1,3})?$", re.ASCII)


class GovStackError(ServiceError):
    """A refused GovStack call; `extra` is added to the error body (row errors, load id)."""

    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(code, message, status=status, detail=extra)


def answer(body, status: int = 200) -> JsonResponse:
    return JsonResponse(
        body,
        status=status,
        safe=False,
        json_dumps_params={"ensure_ascii": False},
        content_type="application/json; charset=utf-8",
    )


def error_answer(exc: ServiceError) -> JsonResponse:
    """``{"detail", "code", "message"}`` and what the error adds (row errors, load id)."""
    detail = NO_RECORD if exc.code in NOT_FOUND_CODES else exc.message
    response = answer(
        {**exc.detail, "detail": detail, "code": exc.code, "message": exc.message},
        status=exc.status,
    )
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="yiwang"'
    return response


def endpoint(operation: str, **handlers: Callable) -> Callable:
    """A view answering the given methods (``get=…``, ``post=…``) for an identified client.

    Every refusal is in the exchange log before it is answered: the gateway logs the data reads
    it takes and `logged_call` the other calls (a `GatewayError` was logged), and the refusals
    before them — identity, NUL in the path — are logged here as the handler's own operation if
    it has one (a `logged_call`'s), else as `operation`.
    """

    @csrf_exempt
    def view(request: HttpRequest, **kwargs):
        started, client = time.perf_counter(), None
        handler = handlers.get(request.method.lower())
        try:
            if handler is None:
                raise GovStackError(405, "method_not_allowed", f"不支持 {request.method} 方法")
            client = identify(request)
            if has_nul(list(kwargs.values())):
                raise nul_error()
            return handler(request, client, **kwargs)
        except ServiceError as exc:
            if not isinstance(exc, GatewayError):
                client = getattr(exc, "client", client)
                refused = getattr(handler, "operation", operation)
                _log_refusal(request, client, refused, exc, kwargs, started)
            response = error_answer(exc)
            if exc.status == 405:
                response["Allow"] = ", ".join(m.upper() for m in handlers)
            return response

    return view


def _log_refusal(request, client, operation: str, exc: ServiceError, kwargs: dict, started: float):
    key = kwargs.get("key")
    record_refusal(
        client=client, operation=operation, status=exc.status, code=exc.code,
        resource_id=path_resource_id(kwargs), keys=[key] if key else (),
        purpose=request.headers.get("X-Purpose", ""),
        case_number=request.headers.get("X-Case-Number", ""),
        latency_ms=(time.perf_counter() - started) * 1000,
    )  # fmt: skip


def path_resource_id(kwargs: dict) -> int | None:
    """The resource a path names (a registry name or a database id), whatever its status, so
    that its owner sees refused attempts on it too."""
    if "registryname" in kwargs:
        return existing_resource_id(code=kwargs["registryname"])
    return existing_resource_id(pk=kwargs.get("database_id"))


@dataclass
class Change:
    """What a call touched, for its exchange log row: the keys it named, whose data it concerned
    (subject hashes: the records a write wrote, before and after it; the person whose usage was
    looked up) and how many records it wrote or answered."""

    keys: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    count: int = 0


def logged_call(operation: str) -> Callable:
    """A handler of a call the gateway does not take — a write, a schema read, a usage lookup —
    whose every call is one exchange log row, as the gateway logs a data read: answered or
    refused, committed before the answer leaves, naming whose data it concerned — so that the
    owner, the statistics and the people concerned (我的数据使用记录) see these calls too.

    The handler is called as ``handler(request, call, change, **kwargs)``. It puts the resource
    (``call.resource``) and the fields it writes (``call.field_codes``) on the call, and what it
    touched on `change`, as soon as it knows them: a refusal logs what was known by then, and a
    write refused after rows were stored still names them. The audit of a write itself is the
    registry's or the catalog's, unchanged.
    """

    def decorate(handler: Callable) -> Callable:
        @wraps(handler)
        def logged(request: HttpRequest, client: ApiClient, **kwargs):
            call, change = Call(client=client, operation=operation), Change()
            try:
                call.purpose = _header_text(request, "X-Purpose")
                call.case_number = _header_text(request, "X-Case-Number")
                if call.case_number and not case_numbers.is_case_number(call.case_number):
                    raise GovStackError(400, case_numbers.CODE, case_numbers.MESSAGE)  # as a read
                response = handler(request, call, change, **kwargs)
            except ServiceError as exc:
                if call.resource is None:
                    call.resource = Resource.objects.filter(pk=path_resource_id(kwargs)).first()
                call.log(status=exc.status, keys=change.keys, subjects=change.subjects,
                         count=change.count, error_code=exc.code)  # fmt: skip
                raise GatewayError(
                    exc.code, exc.message, status=exc.status, detail=exc.detail
                ) from exc
            call.log(status=response.status_code, keys=change.keys, subjects=change.subjects,
                     count=change.count)  # fmt: skip
            return response

        logged.operation = operation  # what `endpoint` logs a refusal before the handler as
        return logged

    return decorate


def _header_text(request: HttpRequest, name: str) -> str:
    """A percent-encoded header (X-Purpose, X-Case-Number) as logged: decoded, without NUL; a
    header that is not UTF-8 percent-encoded is refused."""
    text = header_text(request.headers.get(name))
    if text is None:
        raise header_encoding_error(name)
    return text.replace("\x00", "")


def identify(request: HttpRequest) -> ApiClient:
    """The API client named by the Information-Mediator-Client header and proven by its key."""
    header = request.headers.get(CLIENT_HEADER, "").strip()
    if not header:
        raise GovStackError(
            400,
            "govstack.client_missing",
            f"缺少 {CLIENT_HEADER} 请求头（INSTANCE/CLASS/MEMBER/SUBSYSTEM）",
        )
    parts = header.split("/")
    if len(parts) != 4 or not all(p.strip() for p in parts):
        raise GovStackError(
            400,
            "govstack.client_malformed",
            f"{CLIENT_HEADER} 请求头格式应为 INSTANCE/CLASS/MEMBER/SUBSYSTEM",
        )
    authorization = request.headers.get("Authorization", "")
    scheme, _, secret = authorization.partition(" ")
    client = authenticate_api_key(secret.strip()) if scheme.lower() == "bearer" else None
    if client is None:
        raise GovStackError(
            401,
            "unauthenticated",
            "需要认证：请在 Authorization 请求头中提供有效的 API 密钥（Bearer）",
        )
    instance, member_class, member, subsystem = (p.strip() for p in parts)
    expected = (
        settings.GOVSTACK_INSTANCE,
        MEMBER_CLASS,
        client.organisation.uscc,
        client.subsystem_code,
    )
    if (instance, member_class, member.upper(), subsystem) != expected:
        error = GovStackError(
            403,
            "govstack.client_mismatch",
            f"{CLIENT_HEADER} 与 API 密钥所属应用系统（{'/'.join(expected)}）不一致",
        )
        error.client = client  # the key is valid: its system is logged as the caller
        raise error
    return client


def json_body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"null")
    except RequestDataTooBig:
        raise GovStackError(413, "request.too_large", "请求体过大") from None
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise GovStackError(400, "govstack.bad_json", "请求体不是有效的 JSON") from None
    if not isinstance(body, dict):
        raise GovStackError(400, "govstack.bad_json", "请求体应为 JSON 对象")
    if has_nul(body):
        raise nul_error()
    if _has_lone_surrogate(body):
        raise GovStackError(
            400,
            "govstack.bad_json",
            "请求体含有无效的 Unicode 字符（不成对的 \\uD800–\\uDFFF 转义）",
        )
    return body


def _has_lone_surrogate(value) -> bool:
    """Whether a string in a JSON value (keys too) holds a lone surrogate (JSON lets a \\ud800
    escape through): it has no UTF-8 form, so a query, a key's hash in the log or an answer
    echoing it would fail (a 500)."""
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if LONE_SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def content_of(body: dict, part: str, *, required: bool = True) -> dict:
    """``body[part]["content"]`` (part is "query" or "write"), a non-empty object."""
    content = (body.get(part) or {}).get("content") if isinstance(body.get(part), dict) else None
    if content is None and not required:
        return {}
    if not isinstance(content, dict) or not content:
        raise GovStackError(
            400, "govstack.content_missing", f"请求体须包含非空的 {part}.content 对象"
        )
    return content


# --- registries ------------------------------------------------------------------------


def registry_name(resource: Resource) -> str:
    return resource.code.replace("/", "-")


def version_label(resource: Resource) -> str:
    return f"{resource.version}.0"


def named_registry(registryname: str, versionnumber: str, *, earlier: bool = False) -> Resource:
    """The published resource a registry name and version stand for, or a 404.

    Each publication of a resource's fields is a version of its API (the spec: "a new API
    service version is generated after each schema publish"). With `earlier`, a version published
    before the current one is served: `served_fields` is then that version's field codes, from
    the catalog's snapshot (None for the current version). Writes follow the current fields
    only, so for them an earlier version is refused with 409 ``govstack.version_superseded``.
    """
    code = registryname.strip().replace("-", "/").upper()
    resource = (
        Resource.objects.filter(code=code, status=ResourceStatus.PUBLISHED)
        .select_related("owner")
        .prefetch_related("fields")
        .first()
    )
    if resource is None:
        raise GovStackError(404, "govstack.no_registry", f"登记簿 {registryname} 不存在或未发布")
    match = VERSION.match(versionnumber.strip())
    number = int(match[1]) if match else None
    resource.served_fields = None
    if number == resource.version:
        return resource
    snapshot = None
    if number is not None and number < resource.version:
        snapshot = (
            resource.versions.filter(version=number).values_list("snapshot", flat=True).first()
        )
    if snapshot is None:
        raise GovStackError(
            404,
            "govstack.no_version",
            f"登记簿 {registryname} 当前发布版本为 "
            f"{version_label(resource)}，不提供版本 {versionnumber}",
        )
    if not earlier:
        raise GovStackError(
            409,
            "govstack.version_superseded",
            f"登记簿 {registryname} 的版本 {number}.0 已被 {version_label(resource)} 取代，"
            f"只能读取；写入请使用当前版本 {version_label(resource)}",
        )
    resource.served_fields = [f["code"] for f in snapshot.get("fields", [])]
    return resource


def key_codes(resource: Resource) -> list[str]:
    return [f.code for f in resource.fields.all() if f.is_key]


def check_known(resource: Resource, content: dict) -> None:
    known = {f.code for f in resource.fields.all()}
    unknown = [str(c) for c in content if c not in known]
    if unknown:
        raise GovStackError(
            400, "govstack.unknown_field", f"登记簿没有这些信息项：{'、'.join(unknown)}"
        )


def conditions(resource: Resource, content: dict, *, allowed: set[str] | None = None) -> dict:
    """Query content checked and normalised like a loaded value: ``{field code: value}``.

    `allowed` limits the fields a query may name (None: any field of the resource).
    """
    check_known(resource, content)
    if allowed is not None and (refused := [c for c in content if c not in allowed]):
        raise GovStackError(
            400,
            "govstack.not_filterable",
            "只能按主键，或资源提供方设为可查询且已授权的信息项"
            f"查询：{'、'.join(refused)} 不可作为查询条件",
        )
    specs = [
        FieldSpec(
            code=f.code,
            name=f.name,
            data_type=f.data_type,
            length=f.length,
            enum_values=tuple(f.enum_values or ()),
        )
        for f in resource.fields.all()
        if f.code in content
    ]
    values, errors = RowValidator(specs).validate_mapping(1, content)
    if errors:
        raise GovStackError(400, errors[0].code, errors[0].message)
    if empty := [c for c, v in values.items() if v is None]:
        raise GovStackError(
            400, "govstack.query_empty", f"查询条件的值不能为空：{'、'.join(empty)}"
        )
    return values


def key_of(resource: Resource, values: dict) -> str | None:
    """The record key when the conditions give every key field, else None."""
    codes = key_codes(resource)
    if not codes or any(c not in values for c in codes):
        return None
    return join_key([values[c] for c in codes])


def matching(resource: Resource, values: dict):
    """The resource's records that meet every condition.

    Field conditions compare text like the registry's filter indexes (so a filterable field is
    an index lookup); booleans, whose text differs per database, compare as JSON.
    """
    records = Record.objects.filter(resource=resource)
    key = key_of(resource, values)
    if key is not None:
        records = records.filter(key=key)
    rest = {c: v for c, v in values.items() if key is None or c not in key_codes(resource)}
    records = filter_records(records, {c: v for c, v in rest.items() if not isinstance(v, bool)})
    return records.filter(**{f"data__{c}": v for c, v in rest.items() if isinstance(v, bool)})


def compact(record: dict) -> dict:
    """A record as answered: empty values left out."""
    return {code: value for code, value in record.items() if value is not None}
