"""Writes of the registries: receiving loads (files and API batches) and re-running them."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction

from yiwang.catalog.choices import ResourceStatus
from yiwang.catalog.models import Resource
from yiwang.core import audit
from yiwang.core.errors import NotFound, ServiceError
from yiwang.core.jobs import start_job
from yiwang.core.permissions import is_client
from yiwang.registry.choices import LoadMode, LoadSource
from yiwang.registry.models import Load

EXTENSIONS = {".csv": LoadSource.CSV, ".gz": LoadSource.CSV, ".xlsx": LoadSource.XLSX, ".jsonl": LoadSource.JSONL,
              ".ndjson": LoadSource.JSONL}  # fmt: skip
CHUNK = 1 << 20


def _loadable(actor, resource: Resource) -> None:
    if not Resource.objects.restrict(actor, "load").filter(pk=resource.pk).exists():
        raise NotFound("信息资源")
    if resource.status != ResourceStatus.PUBLISHED:
        raise ServiceError("load.resource_not_published", "只有已发布的资源可以归集数据")


def _source_of(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if file_name.lower().endswith(".csv.gz"):
        return LoadSource.CSV
    if suffix not in EXTENSIONS or suffix == ".gz":
        raise ServiceError("file.format", "只接受 CSV（UTF-8 或 GB18030）、XLSX 和 JSON Lines 文件")
    return EXTENSIONS[suffix]


def _store(chunks, *, resource: Resource, suffix: str) -> tuple[str, int, str]:
    """Write the upload as received under VAR_DIR/loads/; returns (relative path, size, sha256)."""
    relative = Path("loads") / str(resource.pk) / f"{uuid.uuid4().hex}{suffix}"
    target = Path(settings.VAR_DIR) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with open(target, "wb") as handle:
        for chunk in chunks:
            size += len(chunk)
            if size > settings.REGISTRY_MAX_UPLOAD_BYTES:
                handle.close()
                target.unlink()
                raise ServiceError(
                    "file.too_large",
                    f"文件超过上限 {settings.REGISTRY_MAX_UPLOAD_BYTES // 1048576} MB",
                )
            digest.update(chunk)
            handle.write(chunk)
    if size == 0:
        target.unlink()
        raise ServiceError("file.empty", "文件是空的")
    return str(relative), size, digest.hexdigest()


def _create(
    actor, resource, *, mode, source, file_name, stored, rerun_of=None, background=True
) -> Load:
    if mode not in LoadMode.values:
        raise ServiceError("validation_failed", "归集方式只能是 insert、upsert 或 replace")
    path, size, sha256 = stored
    load = Load.objects.create(
        resource=resource, resource_version=resource.version, organisation=resource.owner, mode=mode, source=source,
        file_name=file_name[:255], file_path=path, size=size, sha256=sha256, rerun_of=rerun_of,
        created_by=None if is_client(actor) else actor, client=actor if is_client(actor) else None,
    )  # fmt: skip
    audit.record(actor=actor, action="load.receive", target=load,
                 after={"resource": resource.code, "mode": mode, "file": file_name, "size": size, "sha256": sha256})  # fmt: skip
    if not background:
        return load  # the caller runs it now (the demo generator and the benchmark do, with their own progress)
    from yiwang.registry.tasks import run_load_job

    job = start_job(actor=actor, kind="registry.load", title=f"归集：{resource.name}", job_task=run_load_job,
                    load_id=str(load.pk))  # fmt: skip
    Load.objects.filter(pk=load.pk).update(job=job)
    load.job = job
    return load


@transaction.atomic
def receive_file(
    *, actor, resource: Resource, upload, mode: str = LoadMode.UPSERT, background: bool = True
) -> Load:
    """A data officer (or the owner's system) hands over a file; it is kept as received and loaded in the background."""
    _loadable(actor, resource)
    source = _source_of(upload.name)
    suffix = (
        ".csv.gz" if upload.name.lower().endswith(".csv.gz") else Path(upload.name).suffix.lower()
    )
    stored = _store(upload.chunks(CHUNK), resource=resource, suffix=suffix)
    return _create(actor, resource, mode=mode, source=source, file_name=upload.name, stored=stored,
                   background=background)  # fmt: skip


def json_line(row: dict) -> bytes:
    """A row as a line of JSON Lines: readable UTF-8, or escaped ASCII for a row holding a lone
    surrogate (JSON lets a \\ud800 through), which the load then quarantines."""
    try:
        return json.dumps(row, ensure_ascii=False, default=str).encode() + b"\n"
    except UnicodeEncodeError:
        return json.dumps(row, default=str).encode() + b"\n"


@transaction.atomic
def receive_batch(
    *, actor, resource: Resource, rows: list[dict], mode: str = LoadMode.UPSERT
) -> Load:
    """A department system POSTs a batch of rows (field code → value); kept as JSON Lines."""
    _loadable(actor, resource)
    if not rows:
        raise ServiceError("file.empty", "批次中没有数据行")
    if len(rows) > settings.REGISTRY_API_BATCH_ROWS:
        raise ServiceError("batch.too_large", f"一个批次最多 {settings.REGISTRY_API_BATCH_ROWS} 行")
    stored = _store((json_line(row) for row in rows), resource=resource, suffix=".jsonl")
    return _create(
        actor,
        resource,
        mode=mode,
        source=LoadSource.API,
        file_name="api-batch.jsonl",
        stored=stored,
    )


@transaction.atomic
def rerun_load(*, actor, load: Load, mode: str | None = None) -> Load:
    """重新归集: run the same raw input again (after the catalog or the rules were fixed)."""
    _loadable(actor, load.resource)
    if not load.is_finished:
        raise ServiceError("load.running", "该批次仍在处理中")
    source_path = Path(settings.VAR_DIR) / load.file_path
    if not source_path.exists():
        raise ServiceError("load.raw_missing", "原始文件已不存在，无法重新归集")
    suffix = ".csv.gz" if load.file_path.endswith(".csv.gz") else source_path.suffix

    def chunks():
        with open(source_path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    stored = _store(chunks(), resource=load.resource, suffix=suffix)
    return _create(actor, load.resource, mode=mode or load.mode, source=load.source, file_name=load.file_name,
                   stored=stored, rerun_of=load)  # fmt: skip
