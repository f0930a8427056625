"""Database API: the registries (published catalog resources) and their JSON Schemas.

Schema changes are refused: a registry's structure is its catalog entry.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from yiwang.catalog.choices import DataType, ResourceStatus
from yiwang.catalog.models import Field, Resource
from yiwang.exchange.choices import GrantStatus
from yiwang.exchange.govstack.common import GovStackError, answer, registry_name, version_label
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


def field_schema(field: Field) -> dict:
    """One 信息项 as a JSON Schema property; personal values are answered masked, so they are
    described by type only."""
    schema = {**JSON_TYPES.get(field.data_type, {"type": "string"}), "title": field.name}
    if field.is_personal:
        schema = {
            "type": schema["type"],
            "title": field.name,
            "x-personal": True,
            "description": "个人信息：未获明文授权时脱敏返回",
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


def list_databases(request, client):
    """databases: the catalog as one group of every registry the client may see."""
    granted = _granted_ids(client)
    databases = [
        database_info(r, granted=r.pk in granted, owner=r.owner_id == client.organisation_id)
        for r in _visible(client).order_by("code")
    ]
    return answer({**GROUP, "code": settings.GOVSTACK_INSTANCE, "databases": databases})


def read_database(request, client, database_id: str):
    """database/{id}: one registry's information and schema; the id is the resource id."""
    resource = (
        _visible(client).filter(pk=int(database_id)).first()
        if database_id.isdigit() and len(database_id) < 10
        else None
    )
    if resource is None:
        raise GovStackError(404, "govstack.no_database", "登记簿不存在或未发布")
    return answer(
        database_info(
            resource,
            granted=resource.pk in _granted_ids(client),
            owner=resource.owner_id == client.organisation_id,
        )
    )


def refuse_schema_change(request, client, database_id: str | None = None):
    """database/modify and DELETE database/{id}: a registry's structure changes in the catalog only."""
    raise GovStackError(
        501,
        "govstack.schema_in_catalog",
        "登记簿结构即政务信息资源目录中的资源及其信息项，只能由资源提供方的数据管理员在目录中修改"
        "并发布新版本（审核、留痕）；本接口不提供修改或删除",
    )
