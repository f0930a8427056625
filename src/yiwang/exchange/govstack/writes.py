"""Data API writes — create, update, updateEntries, updateOrCreate, delete — by the owner's systems.

Rows are loaded through the registry's pipeline (validation, quarantine, quality report, audit),
synchronously so that the answer says whether they were stored. Each call, answered or refused,
is also one exchange log row naming whose records it wrote (`common.logged_call`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

from yiwang.catalog.models import Resource
from yiwang.core import audit
from yiwang.core.errors import NotFound
from yiwang.exchange.choices import ExchangeOperation as Op
from yiwang.exchange.gateway import Call, record_subjects, stored_key, subject_hash
from yiwang.exchange.govstack.common import (
    Change,
    GovStackError,
    answer,
    check_known,
    conditions,
    content_of,
    json_body,
    key_codes,
    key_of,
    logged_call,
    matching,
    named_registry,
)
from yiwang.registry import loading
from yiwang.registry import services as registry
from yiwang.registry.choices import LoadMode, LoadStatus
from yiwang.registry.keys import join_key
from yiwang.registry.models import Load, Record
from yiwang.registry.selectors import masked_record

ROW_ERRORS_SHOWN = 20


def owned_resource(call: Call, registryname: str, versionnumber: str) -> Resource:
    resource = named_registry(registryname, versionnumber)
    call.resource = resource  # a refused write is logged against the registry it aimed at
    if resource.owner_id != call.client.organisation_id:
        raise GovStackError(
            403,
            "govstack.not_owner",
            "只有资源提供方本单位的应用系统可以写入该登记簿；"
            "其他部门的数据变更请通过资源提供方办理",
        )
    return resource


def writes_fields(call: Call, content: dict) -> None:
    """The fields a write touches, in the registry's order, for its log row."""
    call.field_codes = tuple(f.code for f in call.resource.fields.all() if f.code in content)


def named_key(resource: Resource, content: dict) -> list[str]:
    """The key `content` names, as the client wrote it (logged hashed, like a read's key)."""
    codes = key_codes(resource)
    if not codes or any(content.get(c) in (None, "") for c in codes):
        return []
    return [join_key([content[c] for c in codes])]


def store(call: Call, change: Change, rows: list[dict], *, mode: str, before=()) -> Load:
    """Load `rows` now, as the call's client; a quarantined row is answered as an error.

    `before` are the records the rows replace, as they were: a write that changes whose record
    it is (a new legal representative) concerns the old subject as much as the new one.
    """
    lines = b"".join(registry.json_line(row) for row in rows)
    upload = ContentFile(lines, name=f"{call.operation.replace('.', '-')}.jsonl")
    load = registry.receive_file(
        actor=call.client, resource=call.resource, upload=upload, mode=mode, background=False
    )
    load = loading.run_load(load)
    note_written(change, call.resource, load, before)
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


def note_written(change: Change, resource: Resource, load: Load, before) -> None:
    """Whose records `load` stored, whether or not the write is then refused: a load commits its
    valid rows, so a write of several rows may have stored some before one was quarantined."""
    written = list(Record.objects.filter(resource=resource, load=load).only("key", "data"))
    keys = {r.key for r in written}
    replaced = [r for r in before if r.key in keys]
    change.count = len(written)
    change.subjects = [s for r in (*written, *replaced) for s in record_subjects(resource, r.data)]


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
        # an emptied key is a changed one (not a "query condition" left empty)
        if any(v in (None, "") for v in key.values()) or (
            key_of(resource, conditions(resource, key)) != record.key
        ):
            raise GovStackError(400, "govstack.key_change", "不能修改记录的主键；请删除后新建")
    return {**record.data, **write}


# --- endpoints: each call is one exchange log row (`logged_call`) ----------------------


@logged_call(Op.GOVSTACK_CREATE)
def create(request, call: Call, change: Change, registryname: str, versionnumber: str):
    """create: a new record; an existing key is refused (409)."""
    resource = owned_resource(call, registryname, versionnumber)
    write = content_of(json_body(request), "write")
    check_known(resource, write)
    writes_fields(call, write)
    change.keys = named_key(resource, write)
    load = store(call, change, [write], mode=LoadMode.INSERT)
    return answer({"content": echo(resource, load, write, write)})


@logged_call(Op.GOVSTACK_UPDATE)
def update(request, call: Call, change: Change, registryname: str, versionnumber: str):
    """update: the written fields of the one record meeting the query."""
    resource = owned_resource(call, registryname, versionnumber)
    body = json_body(request)
    write, query = content_of(body, "write"), content_of(body, "query", required=False)
    check_known(resource, write)
    writes_fields(call, write)
    record = target(resource, query, write)
    if record is None:
        raise GovStackError(404, "govstack.no_record", "未找到要更新的记录")
    change.keys = [record.key]
    row = merged(resource, record, write)
    load = store(call, change, [row], mode=LoadMode.UPSERT, before=[record])
    return answer({"content": echo(resource, load, row, write)})


@logged_call(Op.GOVSTACK_UPDATE_ENTRIES)
def update_entries(request, call: Call, change: Change, registryname: str, versionnumber: str):
    """updateEntries: the written fields of every record meeting the query (key fields excluded)."""
    resource = owned_resource(call, registryname, versionnumber)
    body = json_body(request)
    write, query = content_of(body, "write"), content_of(body, "query")
    check_known(resource, write)
    writes_fields(call, write)
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
    change.keys = [r.key for r in records]
    rows = [{**r.data, **write} for r in records]
    load = store(call, change, rows, mode=LoadMode.UPSERT, before=records)
    return answer({"count": load.rows_written})


@logged_call(Op.GOVSTACK_UPDATE_OR_CREATE)
def update_or_create(request, call: Call, change: Change, registryname: str, versionnumber: str):
    """updateOrCreate: update the one record meeting the query, or create it from query + write."""
    resource = owned_resource(call, registryname, versionnumber)
    body = json_body(request)
    write, query = content_of(body, "write"), content_of(body, "query", required=False)
    check_known(resource, {**query, **write})
    identified = query or all(c in write for c in key_codes(resource))
    record = target(resource, query, write) if identified else None
    row = merged(resource, record, write) if record else {**query, **write}
    writes_fields(call, write if record else row)
    change.keys = [record.key] if record else named_key(resource, row)
    load = store(call, change, [row], mode=LoadMode.UPSERT, before=[record] if record else ())
    return answer({"content": echo(resource, load, row, write)})


@logged_call(Op.GOVSTACK_DELETE)
def delete(request, call: Call, change: Change, registryname: str, versionnumber: str, key: str):
    """delete: remove the record with this key (204)."""
    resource = owned_resource(call, registryname, versionnumber)
    call.field_codes = tuple(f.code for f in resource.fields.all())  # the whole record goes
    key = stored_key(resource, key)  # as people write it: a lowercase x in a 身份号码
    change.keys = [key]
    removed = delete_records(actor=call.client, resource=resource, keys=[key])
    if not removed:
        raise GovStackError(404, "govstack.no_record", "未找到要删除的记录")
    change.count = len(removed)
    change.subjects = [s for r in removed for s in record_subjects(resource, r.data)]
    return HttpResponse(status=204)


@transaction.atomic
def delete_records(*, actor, resource: Resource, keys: list[str]) -> list[Record]:
    """注销记录: remove records of a resource by key, one audit event per record; returns the
    removed records as they were (whose they were is logged with the call).

    The event names the record by a keyed hash of its key and keeps its values masked, like
    every log; the raw load files still hold what was delivered. The registry's quality figures
    then follow the deletion under the same rule as a load's (`refresh_registry_quality`).
    """
    if not Resource.objects.restrict(actor, "load").filter(pk=resource.pk).exists():
        raise NotFound("信息资源")
    # The resource's row is locked before its records, as a load's merge locks them: the quality
    # figures are then measured one change after another, and the two cannot deadlock.
    Resource.objects.select_for_update().get(pk=resource.pk)
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
    if records:
        loading.refresh_registry_quality(resource, changed=len(records), now=timezone.now(),
                                         field_codes=[f.code for f in fields])  # fmt: skip
    return records
