"""Data API reads — list, read, exists, readValue — as governed gateway calls.

Every call, answered or refused, is in the exchange log before the answer leaves: the gateway's
``open_call`` checks quota, grant and purpose, ``lookup``/``batch`` read, mask and log.
"""

from __future__ import annotations

import copy

from django.db.models import Q

from yiwang.catalog.choices import DataType
from yiwang.exchange import gateway
from yiwang.exchange.choices import ExchangeOperation
from yiwang.exchange.gateway import Call
from yiwang.exchange.govstack.common import (
    GovStackError,
    answer,
    compact,
    conditions,
    content_of,
    json_body,
    key_codes,
    key_of,
    matching,
    named_registry,
)
from yiwang.exchange.inputs import ascii_int

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000
TEXT_TYPES = frozenset(
    {DataType.STRING, DataType.ENUM, DataType.USCC, DataType.RIC, DataType.REGION, DataType.PHONE}
)
ASCENDING, DESCENDING = {"", "asc", "ascending"}, {"desc", "descending"}


def open_read(request, client, registryname: str, versionnumber: str, operation: str) -> Call:
    """The gateway call for a registry read; an unknown registry or version is refused and logged.

    An earlier published version is read through the current records projected onto that
    version's fields: the grant is narrowed to them, so only they are answered and logged.
    """
    try:
        resource = named_registry(registryname, versionnumber, earlier=True)
    except GovStackError as exc:
        Call(client=client, operation=operation).refuse(exc.status, exc.code, exc.message)
    call = gateway.open_call(
        client=client,
        resource_id=resource.pk,
        operation=operation,
        purpose=request.headers.get("X-Purpose", ""),
        case_number=request.headers.get("X-Case-Number", ""),
    )
    call.version_fields = resource.served_fields
    if resource.served_fields is not None:
        narrow_grant(call, [c for c in call.grant.field_codes if c in resource.served_fields])
    return call


def narrow_grant(call: Call, field_codes: list[str]) -> None:
    """Let the call read (and log) only `field_codes` of its grant."""
    call.grant = copy.copy(call.grant)
    call.grant.field_codes = field_codes
    call.plan = None  # the gateway's per-call masking plan, if one was worked out already


def queryable(call: Call) -> set[str]:
    """Fields a reader may query on: the key, and filterable fields its grant covers."""
    granted = set(call.grant.field_codes)
    filterable = {f.code for f in call.resource.fields.all() if f.filterable and f.code in granted}
    return set(key_codes(call.resource)) | filterable


def checked(call: Call, content: dict) -> dict:
    try:
        return conditions(call.resource, content, allowed=queryable(call))
    except GovStackError as exc:
        call.refuse(exc.status, exc.code, exc.message)


def refuse_unless_json(call: Call, request) -> dict:
    try:
        return json_body(request)
    except GovStackError as exc:
        call.refuse(exc.status, exc.code, exc.message)


# --- list ----------------------------------------------------------------------------


def list_records(request, client, registryname: str, versionnumber: str):
    """list: a filtered, paged listing of masked records."""
    call = open_read(request, client, registryname, versionnumber, ExchangeOperation.FILTER)
    params = request.GET
    page, size = (
        _number(call, params, "page", 1),
        _number(call, params, "pageSize", DEFAULT_PAGE_SIZE),
    )
    if size > MAX_PAGE_SIZE:
        call.refuse(400, "govstack.page_size", f"pageSize 最大为 {MAX_PAGE_SIZE}")
    records = _listed(call, params).order_by(*_ordering(call, params.get("ordering", "").strip()))
    count = records.count()
    keys = list(records.values_list("key", flat=True)[(page - 1) * size : page * size])
    if keys:
        found = gateway.batch(call, keys)["records"]
    else:
        call.log(status=200)
        found = {}
    return answer(
        {
            "count": count,
            "next": _page_uri(request, page + 1) if page * size < count else None,
            "previous": _page_uri(request, page - 1) if page > 1 else None,
            "results": [compact(found[k]) for k in keys if k in found],
        }
    )


def _listed(call: Call, params):
    """The records meeting the ``query.<field>`` conditions and the ``search`` text."""
    content = {n.removeprefix("query."): v for n, v in params.items() if n.startswith("query.")}
    search, field = params.get("search", "").strip(), params.get("filter", "").strip()
    if field and not search:
        call.refuse(
            400,
            "govstack.filter_without_search",
            "filter 指明 search 检索的信息项，须与 search 同时使用",
        )
    if not content and not search and any(f.is_personal for f in call.resource.fields.all()):
        call.refuse(
            400,
            "govstack.condition_required",
            "含个人信息的登记簿须带查询条件（query.<信息项> 或 search）",
        )
    records = matching(call.resource, checked(call, content) if content else {})
    return records.filter(_search(call, search, field)) if search else records


def _number(call: Call, params, name: str, default: int) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    number = ascii_int(raw, high=MAX_PAGE)
    if number is None:
        call.refuse(400, "govstack.paging", f"{name} 应为不超过 {MAX_PAGE} 的正整数")
    return number


def _search(call: Call, text: str, field: str) -> Q:
    fields = {f.code: f for f in call.resource.fields.all()}
    allowed = {
        code
        for code in queryable(call)
        if fields[code].data_type in TEXT_TYPES and not fields[code].is_personal
    }
    if field and field not in allowed:
        call.refuse(
            400,
            "govstack.not_searchable",
            f"信息项 {field} 不可检索：只能检索可查询、非个人的文本信息项",
        )
    targets = [field] if field else sorted(allowed)
    if not targets:
        call.refuse(400, "govstack.not_searchable", "该登记簿没有可检索的信息项")
    query = Q()
    for code in targets:
        query |= Q(**{f"data__{code}__icontains": text})
    return query


def _ordering(call: Call, ordering: str) -> list[str]:
    if ordering.lower() in ASCENDING:
        return ["key"]
    if ordering.lower() in DESCENDING:
        return ["-key"]
    descending, code = ordering.startswith("-"), ordering.lstrip("-")
    if code not in queryable(call):
        call.refuse(
            400,
            "govstack.ordering",
            "ordering 应为 ascending、descending 或可查询的信息项代码（前加 - 为降序）",
        )
    sign = "-" if descending else ""
    if code in key_codes(call.resource):
        return [f"{sign}key"]
    return [f"{sign}data__{code}", "key"]


def _page_uri(request, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


# --- read, exists, readValue -----------------------------------------------------------


def read_record(request, client, registryname: str, versionnumber: str):
    """read: the one record meeting the query, masked."""
    call = open_read(request, client, registryname, versionnumber, ExchangeOperation.LOOKUP)
    body = refuse_unless_json(call, request)
    values = checked(call, _query(call, body))
    key = key_of(call.resource, values)
    if key is None or len(values) > len(key_codes(call.resource)):  # the other conditions count
        keys = list(
            matching(call.resource, values).order_by("key").values_list("key", flat=True)[:2]
        )
        if not keys:
            call.refuse(404, "exchange.not_found", "未找到该记录", keys=[key] if key else [])
        if len(keys) > 1:
            call.refuse(
                409,
                "govstack.ambiguous",
                "查询条件匹配多条记录：请按主键查询，或使用 list 接口",
                keys=keys,
            )
        key = keys[0]
    return answer({"content": compact(gateway.lookup(call, key))})


def exists(request, client, registryname: str, versionnumber: str):
    """exists: whether a record meets the query, without any of its values; logged as using the
    queried fields only."""
    call = open_read(request, client, registryname, versionnumber, ExchangeOperation.VERIFY)
    values = checked(call, _query(call, refuse_unless_json(call, request)))
    record = matching(call.resource, values).order_by("key").only("key", "data").first()
    if record is None:
        key = key_of(call.resource, values)
        call.log(status=200, keys=[key] if key else [], fields=list(values))
        return answer({"answer": {"status": False, "message": "未找到符合条件的记录"}})
    call.log(status=200, keys=[record.key], subjects=gateway._subjects(call, record.data), count=1,
             fields=list(values))  # fmt: skip
    return answer({"answer": {"status": True, "message": "存在符合条件的记录"}})


def _query(call: Call, body: dict) -> dict:
    try:
        return content_of(body, "query")
    except GovStackError as exc:
        call.refuse(exc.status, exc.code, exc.message)


def read_value(request, client, registryname: str, versionnumber: str, key: str, field: str):
    """readValue: one field of one record (by key), masked like any read; ``{field}.json``."""
    call = open_read(request, client, registryname, versionnumber, ExchangeOperation.LOOKUP)
    name, dot, ext = field.rpartition(".")
    if not dot or ext.lower() != "json":
        call.refuse(
            400,
            "govstack.value_format",
            "只提供 JSON 格式：路径应以 {信息项}.json 结尾",
            keys=[key],
        )
    served = call.version_fields
    spec = next((f for f in call.resource.fields.all()
                 if name in (f.code, f.name) and (served is None or f.code in served)), None)  # fmt: skip
    if spec is None:
        call.refuse(404, "govstack.unknown_field", f"登记簿没有信息项 {name}", keys=[key])
    if spec.code not in call.grant.field_codes:
        call.refuse(
            403, "exchange.field_not_granted", f"信息项 {spec.name} 不在授权范围内", keys=[key]
        )
    narrow_grant(call, [spec.code])  # the call reads (and logs) this one field only
    value = gateway.lookup(call, key).get(spec.code)
    return answer({"message": f"{spec.name}没有值"} if value in (None, "") else {"value": value})
