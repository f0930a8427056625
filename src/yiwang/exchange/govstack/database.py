"""Database API: the registries (published catalog resources) and their JSON Schemas.

A registry's structure is its catalog entry, so schema changes go through the catalog's
services, as the owner's own system: ``database/modify`` updates the resource's fields as the
catalog allows for a published resource (keys unchanged, a new version, audited), and
``DELETE database/{id}`` retires the resource (停用, audited; its records and history stay).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from yiwang.catalog import services as catalog
from yiwang.catalog.choices import DataType, ResourceStatus
from yiwang.catalog.models import Field, Resource
from yiwang.exchange.choices import ExchangeOperation as Op
from yiwang.exchange.choices import GrantStatus
from yiwang.exchange.gateway import Call
from yiwang.exchange.govstack.common import (
    Change,
    GovStackError,
    answer,
    json_body,
    logged_call,
    registry_name,
    version_label,
)
from yiwang.exchange.inputs import ascii_int
from yiwang.exchange.models import Grant

JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
USCC_PATTERN = r"^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$"
JSON_TYPES: dict[str, dict] = {
    DataType.STRING: {"type": "string"},
    DataType.INTEGER: {"type": "integer"},
    DataType.DECIMAL: {"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$"},
    DataType.DATE: {"type": "string", "format": "date"},
    DataType.DATETIME: {"type": "string", "format": "date-time"},
    DataType.BOOLEAN: {"type": "boolean"},
    DataType.ENUM: {"type": "string"},
    DataType.USCC: {"type": "string", "pattern": USCC_PATTERN},
    DataType.RIC: {"type": "string", "pattern": r"^\d{17}[0-9X]$"},
    DataType.REGION: {"type": "string", "pattern": r"^\d{6}$"},
    DataType.PHONE: {"type": "string"},
}
READS = ("data-list", "data-read", "data-exists", "data-read-value")
WRITES = (
    "data-create",
    "data-update",
    "data-update-entries",
    "data-update-or-create",
    "data-delete",
)
GROUP = {"id": 1, "groupId": 1, "order": 1, "name": "政务信息资源目录"}
PERSONAL_NOTE = "个人信息：未获明文授权时脱敏返回"


def field_schema(field: Field) -> dict:
    """One 信息项 as a JSON Schema property; personal values are answered masked, so they are
    described by type only."""
    schema = {**JSON_TYPES.get(field.data_type, {"type": "string"}), "title": field.name}
    if field.is_personal:
        schema = {
            "type": schema["type"],
            "title": field.name,
            "x-personal": True,
            "description": PERSONAL_NOTE,
        }
    elif field.data_type == DataType.ENUM:
        schema["enum"] = list(field.enum_values)
    elif field.length and schema["type"] == "string":
        schema["maxLength"] = field.length
    if field.description and not field.is_personal:
        schema["description"] = field.description
    if field.is_key:
        schema.update(primaryKey=True, readOnly=True)
    if field.filterable:
        schema["x-filterable"] = True
    schema["x-dataType"] = field.data_type  # the catalog's type, so database/modify round-trips
    return schema


def json_schema(resource: Resource) -> dict:
    """The registry's records as a JSON Schema: field codes, types, required fields, the key."""
    fields = list(resource.fields.all())
    return {
        "$schema": JSON_SCHEMA,
        "title": resource.name,
        "type": "object",
        "properties": {f.code: field_schema(f) for f in fields},
        "required": [f.code for f in fields if f.required or f.is_key],
        "additionalProperties": False,
    }


def database_info(resource: Resource, *, granted: bool, owner: bool) -> dict:
    fields = list(resource.fields.all())
    keys = [f.code for f in fields if f.is_key]
    services = [(name, granted) for name in READS] + [(name, owner) for name in WRITES]
    return {
        "id": resource.pk,
        "version": version_label(resource),
        "name": registry_name(resource),
        "description": resource.name + (f"：{resource.summary}" if resource.summary else ""),
        "institution": resource.owner.name,
        "numberFormat": "|".join(f"{{{code}}}" for code in keys),
        "schema": json_schema(resource),
        "schemaTags": [
            {"name": f.name, "path": f"/{f.code}", "isFulltext": not f.is_personal}
            for f in fields
            if f.filterable
        ],
        "schemaFlags": [
            {"name": flag, "path": f"/{f.code}"}
            for f in fields
            for flag, on in (
                ("primaryKey", f.is_key),
                ("mandatory", f.required or f.is_key),
                ("personal", f.is_personal),
                ("filterable", f.filterable),
            )
            if on
        ],
        "fieldsUniques": [keys] if keys else [],
        "isDraft": resource.status == ResourceStatus.DRAFT,
        "isDisabled": resource.status == ResourceStatus.RETIRED,
        "isArchived": False,
        "modifiedAt": resource.updated_at.isoformat(),
        "genericServices": [
            {"serviceId": i, "name": name, "isVisible": visible}
            for i, (name, visible) in enumerate(services, start=1)
        ],
        "hasLogo": False,
    }


def _granted_ids(client) -> set[int]:
    today = timezone.localdate()
    return set(
        Grant.objects.filter(
            client=client, status=GrantStatus.ACTIVE, valid_from__lte=today, valid_until__gte=today
        ).values_list("resource_id", flat=True)
    )


def _visible(client):
    return (
        Resource.objects.restrict(client, "view")
        .filter(status=ResourceStatus.PUBLISHED)
        .select_related("owner")
        .prefetch_related("fields")
    )


@logged_call(Op.SCHEMA)
def list_databases(request, call: Call, change: Change):
    """databases: the catalog as one group of every registry the client may see; logged with
    the number of registries listed."""
    client = call.client
    granted = _granted_ids(client)
    databases = [
        database_info(r, granted=r.pk in granted, owner=r.owner_id == client.organisation_id)
        for r in _visible(client).order_by("code")
    ]
    change.count = len(databases)
    return answer({**GROUP, "code": settings.GOVSTACK_INSTANCE, "databases": databases})


def _database(client, database_id: str) -> Resource:
    pk = ascii_int(database_id, high=2**63 - 1)
    resource = _visible(client).filter(pk=pk).first() if pk is not None else None
    if resource is None:
        raise GovStackError(404, "govstack.no_database", "登记簿不存在或未发布")
    return resource


@logged_call(Op.SCHEMA)
def read_database(request, call: Call, change: Change, database_id: str):
    """database/{id}: one registry's information and schema; the id is the resource id."""
    resource = call.resource = _database(call.client, database_id)
    change.count = 1
    return answer(
        database_info(
            resource,
            granted=resource.pk in _granted_ids(call.client),
            owner=resource.owner_id == call.client.organisation_id,
        )
    )


def _owned(call: Call, resource: Resource) -> Resource:
    call.resource = resource  # a refused change is logged against the registry it aimed at
    if resource.owner_id != call.client.organisation_id:
        raise GovStackError(
            403,
            "govstack.not_owner",
            "只有资源提供方本单位的应用系统可以修改或停用该登记簿",
        )
    return resource


@logged_call(Op.GOVSTACK_DATABASE_DELETE)
def delete_database(request, call: Call, change: Change, database_id: str):
    """DELETE database/{id}: retire (停用) the registry's resource in the catalog, audited."""
    resource = _owned(call, _database(call.client, database_id))
    catalog.retire_resource(actor=call.client, resource=resource,
                            reason=f"GovStack DELETE database/{resource.pk}（{call.client.identity}）")  # fmt: skip
    return answer("Success")


@logged_call(Op.GOVSTACK_DATABASE_MODIFY)
def modify_database(request, call: Call, change: Change):
    """database/modify: the registry's fields from a JSON Schema, through the catalog.

    ``code`` names the registry (``B0101-000001`` or the resource code); ``schema.properties``
    are its fields, in order, with the extensions this API answers (``x-dataType``,
    ``x-personal``, ``x-filterable``, ``primaryKey``) — a schema read from ``database/{id}`` and
    edited round-trips. The catalog keeps the keys of a published resource and records a new
    version; the answer is the new schema. Creating a registry is the catalog's, not this API's.
    """
    body = json_body(request)
    code, schema = body.get("code"), body.get("schema")
    if not isinstance(code, str) or not code.strip():
        raise GovStackError(
            400, "govstack.code_missing", "请在 code 中给出登记簿名称，如 B0101-000001"
        )
    if (
        not isinstance(schema, dict)
        or not isinstance(schema.get("properties"), dict)
        or not schema["properties"]
    ):
        raise GovStackError(
            400, "govstack.schema_missing", "请在 schema.properties 中给出登记簿的信息项"
        )
    client = call.client
    resource = _visible(client).filter(code=code.strip().replace("-", "/").upper()[:40]).first()
    if resource is None:
        raise GovStackError(404, "govstack.no_database", "登记簿不存在或未发布")
    _owned(call, resource)
    fields = fields_from_schema(resource, schema)
    call.field_codes = tuple(f["code"] for f in fields)
    catalog.update_resource(actor=client, resource=resource, fields=fields,
                            note=f"GovStack database/modify（{client.identity}）")  # fmt: skip
    resource = _visible(client).get(pk=resource.pk)
    return answer(json_schema(resource))


def fields_from_schema(resource: Resource, schema: dict) -> list[dict]:
    """The catalog's field specs for a JSON Schema's properties; what a property leaves out
    keeps the field's current value."""
    current = {f.code: f for f in resource.fields.all()}
    required = schema.get("required") or []
    if not isinstance(required, list):
        raise GovStackError(400, "govstack.schema_invalid", "schema.required 应为信息项代码的数组")
    return [
        _field_spec(str(code), prop, current.get(code), str(code) in required)
        for code, prop in schema["properties"].items()
    ]


# The JSON type each keyword read from a property must have: anything else would be stored
# coerced (a maxLength of 10.5 as 10, an enum "abc" as the values a, b and c).
KEYWORD_TYPES = {
    "title": (str, "字符串"),
    "description": (str, "字符串"),
    "maxLength": (int, "整数"),
    "enum": (list, "数组"),
}


def _field_spec(code: str, prop, old: Field | None, required: bool) -> dict:
    if not isinstance(prop, dict):
        raise GovStackError(400, "govstack.schema_invalid", f"信息项 {code} 的定义应为 JSON 对象")
    for keyword, (kind, label) in KEYWORD_TYPES.items():
        value = prop.get(keyword)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            raise GovStackError(
                400, "govstack.schema_invalid", f"信息项 {code} 的 {keyword} 应为{label}"
            )
    description = prop.get("description")
    if description in (None, PERSONAL_NOTE):
        description = old.description if old else ""
    data_type = _data_type(prop, old)
    enum = prop.get("enum", old.enum_values if old else [])
    return {
        "code": code,
        "name": str(prop.get("title") or (old.name if old else code)),
        "data_type": data_type,
        "length": prop.get("maxLength", old.length if old else None),
        "required": required,
        "is_key": prop.get("primaryKey") is True,
        "is_personal": prop.get("x-personal") is True,
        "filterable": prop.get("x-filterable") is True,
        "enum_values": enum if data_type == DataType.ENUM else [],
        "description": str(description),
    }


def _data_type(prop: dict, old: Field | None) -> str:
    """``x-dataType`` if given; else the field's type if the JSON type still fits; else inferred."""
    given = prop.get("x-dataType")
    if given is not None:
        if given not in DataType.values:
            raise GovStackError(400, "govstack.schema_invalid",
                                f"x-dataType 应为 {'、'.join(DataType.values)} 之一")  # fmt: skip
        return given
    if old is not None and JSON_TYPES.get(old.data_type, {}).get("type") == prop.get(
        "type", "string"
    ):
        return old.data_type
    if "enum" in prop:
        return DataType.ENUM
    for data_type, shape in JSON_TYPES.items():  # a plain string is a string, not an enum or phone
        if shape != {"type": "string"} and shape == {k: prop.get(k) for k in shape}:
            return data_type
    return DataType.STRING
