"""Data API writes — create, update, updateEntries, updateOrCreate, delete — by the owner's systems.

Rows are loaded through the registry's pipeline (validation, quarantine, quality report, audit),
synchronously so that the answer says whether they were stored.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse

from yiwang.catalog.models import Resource
from yiwang.core import audit
from yiwang.core.errors import NotFound
from yiwang.core.models import ApiClient
from yiwang.exchange.gateway import subject_hash
from yiwang.exchange.govstack.common import (
    GovStackError,
    answer,
    check_known,
    conditions,
    content_of,
    json_body,
    key_codes,
    key_of,
    matching,
    named_registry,
)
from yiwang.registry import loading
from yiwang.registry import services as registry
from yiwang.registry.choices import LoadMode, LoadStatus
from yiwang.registry.models import Load, Record
from yiwang.registry.selectors import masked_record

ROW_ERRORS_SHOWN = 20


def owned_resource(client: ApiClient, registryname: str, versionnumber: str) -> Resource:
    resource = named_registry(registryname, versionnumber)
    if resource.owner_id != client.organisation_id:
        raise GovStackError(
            403,
            "govstack.not_owner",
            "只有资源提供方本单位的应用系统可以写入该登记簿；"
            "其他部门的数据变更请通过资源提供方办理",
        )
    return resource


def store(
    client: ApiClient, resource: Resource, rows: list[dict], *, mode: str, operation: str
) -> Load:
    """Load `rows` now, as the client; a quarantined row is answered as an error."""
    lines = b"".join(
        json.dumps(row, ensure_ascii=False, default=str).encode() + b"\n" for row in rows
    )
    upload = ContentFile(lines, name=f"govstack-{operation}.jsonl")
    load = registry.receive_file(
        actor=client, resource=resource, upload=upload, mode=mode, background=False
    )
    load = loading.run_load(load)
    problems = list(load.errors.order_by("row", "id")[:ROW_ERRORS_SHOWN])
    if problems or load.status != LoadStatus.SUCCEEDED:
        code = problems[0].code if problems else load.error_code
        message = problems[0].message if problems else load.error_message
        raise GovStackError(
            409 if code == "row.key_exists" else 400,
            code,
            message,
            load=str(load.pk),
            written=load.rows_written,
            errors=[
                {"row": p.row, "field": p.field, "code": p.code, "message": p.message}
                for p in problems
            ],
        )
    return load


def echo(resource: Resource, load: Load, row: dict, written: dict) -> dict:
    """The stored values of the fields the client wrote, and of the key: the record the load
    wrote for `row`, found by its key."""
    codes = key_codes(resource)
    key = key_of(resource, conditions(resource, {c: row[c] for c in codes if c in row}))
    record = (Record.objects.filter(resource=resource, key=key, load=load).only("data").first()
              if key is not None else None)  # fmt: skip
    data = record.data if record else {}
    return {
        f.code: data.get(f.code)
        for f in resource.fields.all()
        if (f.is_key or f.code in written) and data.get(f.code) is not None
    }


def target(resource: Resource, query: dict, write: dict) -> Record | None:
    """The one record a write is about: by the query, else by the key in the written content."""
    if not query:
        key_part = {c: write[c] for c in key_codes(resource) if c in write}
        if len(key_part) != len(key_codes(resource)):
            raise GovStackError(
                400, "govstack.query_missing", "请给出 query.content，或在 write.content 中包含主键"
            )
        query = key_part
    records = list(matching(resource, conditions(resource, query)).only("key", "data")[:2])
    if len(records) > 1:
        raise GovStackError(409, "govstack.ambiguous", "查询条件匹配多条记录，请按主键指定")
    return records[0] if records else None


def merged(resource: Resource, record: Record, write: dict) -> dict:
    """The record with the written fields replaced; its key may not change."""
    codes = key_codes(resource)
    if any(c in write for c in codes):
        key = {c: write[c] if c in write else record.data.get(c) for c in codes}
        if key_of(resource, conditions(resource, key)) != record.key:
            raise GovStackError(400, "govstack.key_change", "不能修改记录的主键；请删除后新建")
    return {**record.data, **write}


# --- endpoints -----------------------------------------------------------------------


def create(request, client, registryname: str, versionnumber: str):
    """create: a new record; an existing key is refused (409)."""
    resource = owned_resource(client, registryname, versionnumber)
    write = content_of(json_body(request), "write")
    check_known(resource, write)
    load = store(client, resource, [write], mode=LoadMode.INSERT, operation="create")
    return answer({"content": echo(resource, load, write, write)})


def update(request, client, registryname: str, versionnumber: str):
    """update: the written fields of the one record meeting the query."""
    resource = owned_resource(client, registryname, versionnumber)
    body = json_body(request)
    write, query = content_of(body, "write"), content_of(body, "query", required=False)
    check_known(resource, write)
    record = target(resource, query, write)
    if record is None:
        raise GovStackError(404, "govstack.no_record", "未找到要更新的记录")
    row = merged(resource, record, write)
    load = store(client, resource, [row], mode=LoadMode.UPSERT, operation="update")
    return answer({"content": echo(resource, load, row, write)})


def update_entries(request, client, registryname: str, versionnumber: str):
    """updateEntries: the written fields of every record meeting the query (key fields excluded)."""
    resource = owned_resource(client, registryname, versionnumber)
    body = json_body(request)
    write, query = content_of(body, "write"), content_of(body, "query")
    check_known(resource, write)
    if any(c in write for c in key_codes(resource)):
        raise GovStackError(400, "govstack.key_change", "updateEntries 不能修改主键")
    limit = settings.REGISTRY_API_BATCH_ROWS
    records = list(
        matching(resource, conditions(resource, query))
        .order_by("key")
        .only("key", "data")[: limit + 1]
    )
    if len(records) > limit:
        raise GovStackError(400, "batch.too_large", f"一次最多更新 {limit} 条记录，请缩小查询条件")
    if not records:
        return answer({"count": 0})
    load = store(
        client,
        resource,
        [{**r.data, **write} for r in records],
        mode=LoadMode.UPSERT,
        operation="update-entries",
    )
    return answer({"count": load.rows_written})


def update_or_create(request, client, registryname: str, versionnumber: str):
    """updateOrCreate: update the one record meeting the query, or create it from query + write."""
    resource = owned_resource(client, registryname, versionnumber)
    body = json_body(request)
    write, query = content_of(body, "write"), content_of(body, "query", required=False)
    check_known(resource, {**query, **write})
    identified = query or all(c in write for c in key_codes(resource))
    record = target(resource, query, write) if identified else None
    row = merged(resource, record, write) if record else {**query, **write}
    load = store(client, resource, [row], mode=LoadMode.UPSERT, operation="update-or-create")
    return answer({"content": echo(resource, load, row, write)})


def delete(request, client, registryname: str, versionnumber: str, key: str):
    """delete: remove the record with this key (204)."""
    resource = owned_resource(client, registryname, versionnumber)
    if not delete_records(actor=client, resource=resource, keys=[key]):
        raise GovStackError(404, "govstack.no_record", "未找到要删除的记录")
    return HttpResponse(status=204)


@transaction.atomic
def delete_records(*, actor, resource: Resource, keys: list[str]) -> int:
    """注销记录: remove records of a resource by key, one audit event per record.

    The event names the record by a keyed hash of its key and keeps its values masked, like
    every log; the raw load files still hold what was delivered.
    """
    if not Resource.objects.restrict(actor, "load").filter(pk=resource.pk).exists():
        raise NotFound("信息资源")
    fields = list(resource.fields.all())
    records = list(Record.objects.select_for_update().filter(resource=resource, key__in=keys))
    for record in records:
        audit.record(
            actor=actor,
            action="record.delete",
            target=resource,
            before={
                "record": record.pk,
                "key_hash": subject_hash(record.key)[:32],
                "load": record.load_id,
                "data": masked_record(None, resource, record.data, fields),
            },
        )
    Record.objects.filter(pk__in=[r.pk for r in records]).delete()
    return len(records)
