"""The load pipeline (归集): read → validate → stage → merge.

Phase 1 streams the raw file, validates each row and writes valid rows to a staging
table and bad rows to quarantine, in short transactions with progress between them.
Phase 2 merges the staged rows into the registry in ONE transaction with set-based SQL,
so a load killed at any moment leaves the whole batch visible or none of it; a load
killed in phase 1 leaves only invisible staging rows, removed by `recover_stale_loads`.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import gzip
import itertools
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import orjson
import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from yiwang.catalog.choices import ResourceStatus
from yiwang.catalog.models import Resource
from yiwang.core import audit
from yiwang.core.choices import JobStatus
from yiwang.core.jobs import JobProgress, write_progress
from yiwang.core.models import Job
from yiwang.registry import quality, readers
from yiwang.registry.choices import LoadMode, LoadStatus
from yiwang.registry.columnar import Checked, ColumnarValidator
from yiwang.registry.keys import MAX_LENGTH as MAX_KEY_LENGTH
from yiwang.registry.models import Load, LoadError, QualityReport, ResourceQuality, StagedRow
from yiwang.registry.validation import DuplicateTracker, FieldSpec, RowValidator, infer_rules

log = logging.getLogger(__name__)
STAGE_BATCH = 20_000
COLUMN_BATCH = 20_000  # rows checked a column at a time (`registry.columnar`)


RAW_CELLS_KEPT = 60
STALE_AFTER = {
    LoadStatus.VALIDATING: datetime.timedelta(minutes=10),
    LoadStatus.MERGING: datetime.timedelta(hours=2),
}

_MERGE = (
    "INSERT INTO registry_record (resource_id, key, data, load_id, updated_at) "
    "SELECT %s, s.key, s.data, s.load_id, %s FROM registry_stagedrow s WHERE s.load_id = %s "
    "ORDER BY s.key "  # key order: the registry's index grows sequentially, not at random
    "ON CONFLICT (resource_id, key) "
)
MERGE_INSERT = _MERGE + "DO NOTHING"
MERGE_UPSERT = (
    _MERGE
    + "DO UPDATE SET data = excluded.data, load_id = excluded.load_id, updated_at = excluded.updated_at"
)


INTERNAL_ERROR = "load.internal_error"


class LoadFailed(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def field_specs(resource: Resource) -> list[FieldSpec]:
    return [
        FieldSpec(code=f.code, name=f.name, data_type=f.data_type, length=f.length, required=f.required,
                  is_key=f.is_key, enum_values=tuple(f.enum_values or ()))
        for f in resource.fields.all()
    ]  # fmt: skip


def raw_path(load: Load) -> Path:
    return Path(settings.VAR_DIR) / load.file_path


def run_load(load: Load, progress: JobProgress | None = None) -> Load:
    """Run a received load to the end; returns it succeeded or failed, never raises.

    Bad data fails the load with its own code. Anything unexpected (a database error, a
    bug) fails the load and its job at once with ``load.internal_error`` and the error
    logged, instead of leaving the load "validating" until `recover_stale_loads` finds it.
    """
    progress = progress or JobProgress()
    try:
        prepared = _prepare(load, progress)
        if not _load_directly(load, prepared, progress):
            with _sink_for(load, progress) as sink:
                counters = _read(load, prepared, progress, sink)
                _merge(load, counters, sink)
        _index_filterable_fields(load)
    except (LoadFailed, readers.ReadError) as exc:
        _fail(load, exc.code, exc.message)
    except Exception as exc:
        log.exception("load %s of resource %s crashed", load.pk, load.resource_id)
        # The first line only: a database error's context lines quote the row (personal data).
        detail = (str(exc).strip().splitlines() or [""])[0][:200]
        message = (
            f"归集过程中发生内部错误，数据未入库，可稍后重新归集（{type(exc).__name__}：{detail}）"
        )
        _fail(load, INTERNAL_ERROR, message)
        _fail_job(load, message)
    finally:
        StagedRow.objects.filter(load=load).delete()
    load.refresh_from_db()
    return load


def _fail_job(load: Load, message: str) -> None:
    """The load's job ends failed too (a job whose load died must not look running or done)."""
    if load.job_id:
        job = Job.objects.filter(pk=load.job_id).first()
        if job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.FAILED, finished_at=timezone.now(), log=job.log + message + "\n"
            )


def _index_filterable_fields(load: Load) -> None:
    """Index the filterable fields (an optimisation: a failure is logged, the next load retries)."""
    from django.db import DatabaseError

    from yiwang.registry.filtering import ensure_filter_indexes

    try:
        with transaction.atomic():
            ensure_filter_indexes(Resource.objects.get(pk=load.resource_id))
    except DatabaseError:
        log.warning(
            "could not index the filterable fields of resource %s now",
            load.resource_id,
            exc_info=True,
        )


def _mark(load: Load, **fields) -> None:

    for name, value in fields.items():
        setattr(load, name, value)
    Load.objects.filter(pk=load.pk).update(**fields)


def _fail(load: Load, code: str, message: str) -> None:
    _mark(
        load,
        status=LoadStatus.FAILED,
        error_code=code,
        error_message=message[:500],
        finished_at=timezone.now(),
    )
    audit.record(
        actor=None, action="load.failed", target=load, after={"code": code, "message": message}
    )


@dataclass
class _Prepared:
    resource: Resource
    validator: RowValidator
    table: readers.Table


def _prepare(load: Load, progress: JobProgress) -> _Prepared:
    """Open the file and check its header against the resource (problems are kept at once)."""
    resource = Resource.objects.prefetch_related("fields").get(pk=load.resource_id)
    if resource.status != ResourceStatus.PUBLISHED:
        raise LoadFailed("load.resource_not_published", "资源未发布或已停用，不能归集")
    specs = field_specs(resource)
    _mark(load, status=LoadStatus.VALIDATING, started_at=timezone.now(), heartbeat_at=timezone.now(),
          resource_version=resource.version)  # fmt: skip
    validator = RowValidator(
        specs, infer_rules(specs), allow_test_region=settings.ALLOW_TEST_REGION
    )
    table = readers.open_table(raw_path(load), load.source if load.source != "api" else "jsonl",
                               max_bytes=settings.REGISTRY_MAX_UPLOAD_BYTES)  # fmt: skip
    if table.header is not None:
        problems = validator.check_header(table.header)
        if problems:
            LoadError.objects.bulk_create(
                LoadError(load=load, row=p.row, field=p.field, code=p.code, message=p.message[:500])
                for p in problems
            )
            raise LoadFailed(problems[0].code, f"表头有误：{problems[0].message}")
    progress.start(estimate_rows(raw_path(load), load.source))
    return _Prepared(resource, validator, table)


def _read(load: Load, prepared: _Prepared, progress: JobProgress, sink) -> quality.LoadCounters:
    """Validate every row; valid ones go to `sink` in batches with the problems found."""
    counters = quality.LoadCounters()
    tracker = DuplicateTracker()
    staged: list[tuple] = []
    errors: list[LoadError] = []
    try:
        with _cycle_collector_paused():
            _validate_rows(load, prepared, sink, counters, tracker, staged, errors)
    finally:
        tracker.close()  # its keys may be in a temporary file
    progress.total = counters.rows  # the estimate gives way to the count: done reaches total
    sink.flush(staged, errors, counters)
    if counters.rows == 0:
        raise LoadFailed("file.empty", "文件中没有数据行")
    counters.ignored_columns = prepared.validator.ignored_columns
    return counters


@contextlib.contextmanager
def _cycle_collector_paused():
    """Python's cyclic garbage collector paused while the rows are read.

    The loop holds a batch of rows (tens of thousands of lists and tuples) and makes no
    reference cycles: reference counting frees everything it makes. The collector, run every
    700 new containers, walked those batches again and again: 40 % of the reading time of a
    1 M-row load. It runs again as usual afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _validate_rows(load, prepared, sink, counters, tracker, staged, errors) -> None:
    columnar = None
    if prepared.table.header is not None:
        columnar = ColumnarValidator.for_validator(prepared.validator)
    if columnar is None:
        _validate_each_row(load, prepared, sink, counters, tracker, staged, errors)
        return
    rows = prepared.table.rows()
    while batch := list(itertools.islice(rows, COLUMN_BATCH)):
        _validate_batch(columnar, batch, load, prepared, sink, counters, tracker, staged, errors)


def _validate_batch(
    columnar, batch, load, prepared, sink, counters, tracker, staged, errors
) -> None:
    """A batch of rows: the clean ones checked and encoded a column at a time, the others
    (and any the columns cannot vouch for) by the row validator, all in the file's order."""
    width = len(prepared.table.header)
    regular = [cells for _n, cells in batch if cells.__class__ is list and len(cells) == width]
    try:
        checked = columnar.check(regular)
    except (pl.exceptions.PolarsError, UnicodeError):
        log.warning(
            "load %s: a batch went through the row validator instead", load.pk, exc_info=True
        )
        checked = Checked([False] * len(regular), [], [], {})
    counters.count_columns(len(checked.keys), checked.empty)
    firsts = None
    if len(checked.keys) == len(batch):  # every row clean, the usual batch
        if not tracker.all_new(checked.keys):
            firsts = [not tracker.seen(key) for key in checked.keys]
        if firsts is None or all(firsts):
            counters.rows += len(batch)
            counters.valid += len(batch)
            counters.count_stored_columns(len(batch), checked.empty)
            staged.extend(zip([n for n, _cells in batch], checked.keys, checked.data, strict=True))
            if len(staged) >= sink.batch:
                sink.flush(staged, errors, counters)
            return
    _validate_in_order(
        batch, checked, firsts, load, prepared, sink, counters, tracker, staged, errors
    )


def _validate_in_order(
    batch, checked, firsts, load, prepared, sink, counters, tracker, staged, errors
) -> None:
    """The rows of a batch one by one in the file's order: a clean row is kept unless its key
    came before (`firsts` says so when known already), the others go to the row validator."""
    width = len(prepared.table.header)
    clean, keys, datas = iter(checked.clean), iter(checked.keys), iter(checked.data)
    first_of = iter(firsts) if firsts is not None else None
    seen, header = tracker.seen, prepared.table.header
    duplicates, duplicate_empty = 0, dict.fromkeys(checked.empty, 0)
    for row_number, cells in batch:
        counters.rows += 1
        if cells.__class__ is list and len(cells) == width and next(clean):
            key, data = next(keys), next(datas)
            if next(first_of) if first_of is not None else not seen(key):
                counters.valid += 1
                staged.append((row_number, key, data))
            else:
                _duplicate(load, row_number, key, cells, header, counters, errors)
                duplicates += 1
                for code, value in orjson.loads(data).items():
                    duplicate_empty[code] += value is None
        elif isinstance(cells, readers.BadRow):
            _bad_row(load, row_number, cells, counters, errors)
        else:
            _check_row(
                prepared.validator,
                load,
                row_number,
                cells,
                header,
                counters,
                tracker,
                staged,
                errors,
            )
        if len(staged) >= sink.batch or len(errors) >= sink.batch:
            sink.flush(staged, errors, counters)
    counters.count_stored_columns(
        len(checked.keys) - duplicates,
        {code: n - duplicate_empty[code] for code, n in checked.empty.items()},
    )


def _validate_each_row(load, prepared, sink, counters, tracker, staged, errors) -> None:
    validator, header = prepared.validator, prepared.table.header
    validate, key_of, seen, dumps = validator.validate, validator.key_of, tracker.seen, orjson.dumps
    for row_number, cells in prepared.table.rows():
        counters.rows += 1
        if cells.__class__ is list:  # the common row, inline; anything else takes _check_row
            values, row_errors = validate(row_number, cells)
            if not row_errors:
                key = key_of(values)
                if len(key) <= MAX_KEY_LENGTH and not seen(key):
                    counters.count_filled(values, stored=True)
                    counters.valid += 1
                    staged.append((row_number, key, dumps(values)))
                    if len(staged) >= sink.batch:
                        sink.flush(staged, errors, counters)
                    continue
        if isinstance(cells, readers.BadRow):
            _bad_row(load, row_number, cells, counters, errors)
        else:
            _check_row(
                validator, load, row_number, cells, header, counters, tracker, staged, errors
            )
        if len(staged) >= sink.batch or len(errors) >= sink.batch:
            sink.flush(staged, errors, counters)


def _check_row(
    validator, load, row_number, cells, header, counters, tracker, staged, errors
) -> None:
    if isinstance(cells, dict):
        values, row_errors = validator.validate_mapping(row_number, cells)
    else:
        values, row_errors = validator.validate(row_number, cells)
    if row_errors:
        raw = _raw(cells, header)
        counters.count_filled(validator.raw_values(cells))
        if any(e.code.startswith("rule.") for e in row_errors):
            counters.rule_failures += 1
        for e in row_errors:
            counters.count_error(e.code)
            errors.append(LoadError(load=load, row=row_number, field=e.field, code=e.code, message=e.message[:500],
                                    raw=raw))  # fmt: skip
        return
    counters.count_filled(values)
    key = validator.key_of(values)
    if len(key) > MAX_KEY_LENGTH:
        counters.count_error("key.too_long")
        errors.append(LoadError(load=load, row=row_number, field="", code="key.too_long",
                                message=f"主键「{key[:50]}…」长 {len(key)} 个字符，超过 {MAX_KEY_LENGTH} 个字符的上限，无法入库",
                                raw=_raw(cells, header)))  # fmt: skip
        return
    if tracker.seen(key):
        _duplicate(load, row_number, key, cells, header, counters, errors)
        return
    counters.valid += 1
    counters.count_stored(values)
    staged.append((row_number, key, orjson.dumps(values)))


def _bad_row(load, row_number, bad: readers.BadRow, counters, errors) -> None:
    """A row the reader could not parse: quarantined with the reader's code."""
    counters.count_error(bad.code)
    errors.append(LoadError(load=load, row=row_number, code=bad.code, message=bad.message[:500]))


def _duplicate(load, row_number, key, cells, header, counters, errors) -> None:
    counters.duplicates += 1
    counters.count_error("row.duplicate_key")
    errors.append(LoadError(load=load, row=row_number, field="", code="row.duplicate_key",
                            message=f"主键「{key[:100]}」在本批次中重复，已采用先出现的一行",
                            raw=_raw(cells, header)))  # fmt: skip


def _raw(cells, header) -> list[list]:
    """What the user sent for a quarantined row, as [name, value] pairs in the file's order
    (a JSON object would not keep it on PostgreSQL); capped, the raw file keeps everything."""
    if isinstance(cells, dict):
        items = list(cells.items())[:RAW_CELLS_KEPT]
    else:
        names = header or []
        items = [
            (names[i] if i < len(names) else f"列{i + 1}", v)
            for i, v in enumerate(cells[:RAW_CELLS_KEPT])
        ]
    return [[str(k)[:100], str(v)[:500] if v is not None else None] for k, v in items]


class _StagingSink:
    """Valid rows to the staging table and problems to quarantine, a short transaction per batch;
    the heartbeat and progress are committed with them."""

    batch = STAGE_BATCH
    first = False  # whether the merge wrote into an empty registry

    def __init__(self, load: Load, progress: JobProgress):
        self.load, self.progress, self.stage = load, progress, _stager(load)

    def flush(self, staged: list, errors: list, counters: quality.LoadCounters) -> None:
        with transaction.atomic():
            if staged:
                self.stage(staged)
            if errors:
                LoadError.objects.bulk_create(errors, batch_size=1000)
        staged.clear()
        errors.clear()
        _mark(self.load, heartbeat_at=timezone.now(), rows_total=counters.rows,
              rows_valid=counters.valid, rows_invalid=counters.rows - counters.valid)  # fmt: skip
        self.progress.done = counters.rows
        self.progress.advance(0)

    def merge(self, counters: quality.LoadCounters, now) -> tuple[int, int]:
        """In the merge's transaction: the staged rows into the registry; (written, deleted)."""
        return _merge_sql(self.load, counters, now)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        pass


def _sink_for(load: Load, progress: JobProgress) -> _StagingSink:
    if connection.vendor == "sqlite" and not _has_records(load.resource_id):
        return _SpoolSink(load, progress)
    return _StagingSink(load, progress)


class _SpoolSink(_StagingSink):
    """A first load on SQLite: its valid rows wait in a temporary file instead of the staging
    table, and the merge inserts them straight into the empty registry — each row written
    once, with no sort, while the problems, heartbeat and progress go as with staging.

    The file is unlinked as it is made, so a load killed mid-way leaves nothing behind. Should
    another load have written records meanwhile, the merge stages the rows after all and
    merges them like any load.
    """

    def __init__(self, load: Load, progress: JobProgress):
        super().__init__(load, progress)
        self.file = tempfile.TemporaryFile(prefix="yiwang-load-")
        self.stage = self._spool

    def _spool(self, rows: list) -> None:
        dumps = orjson.dumps  # a JSON string holds no tab or newline: one line per row
        self.file.write(
            b"".join(b"%d\t%s\t%s\n" % (row, dumps(key), data) for row, key, data in rows)
        )

    def _rows(self):
        self.file.seek(0)
        loads = orjson.loads
        for line in self.file:
            row, key, data = line[:-1].split(b"\t", 2)
            yield int(row), loads(key), data.decode()

    def merge(self, counters: quality.LoadCounters, now) -> tuple[int, int]:
        load_id = Load._meta.pk.get_db_prep_value(self.load.pk, connection)
        with connection.cursor() as cursor:
            if _has_records(self.load.resource_id):
                cursor.executemany(
                    "INSERT INTO registry_stagedrow (load_id, row, key, data) VALUES (%s, %s, %s, %s)",
                    ((load_id, row, key, data) for row, key, data in self._rows()),
                )
                return _merge_sql(self.load, counters, now)
            self.first = True
            stamp = connection.ops.adapt_datetimefield_value(now)
            resource_id = self.load.resource_id
            cursor.executemany(
                "INSERT INTO registry_record (resource_id, key, data, load_id, updated_at)"
                " VALUES (%s, %s, %s, %s, %s)",
                ((resource_id, key, data, load_id, stamp) for _row, key, data in self._rows()),
            )
        return counters.valid, 0

    def __exit__(self, *exc_info) -> None:
        self.file.close()


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str) -> str:
    """A value as a field of PostgreSQL's COPY text format (backslash escapes)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def _stager(load: Load):
    """A function writing (row, key, JSON bytes) tuples to the staging table as fast as the
    backend allows."""
    load_id = Load._meta.pk.get_db_prep_value(load.pk, connection)

    if connection.vendor == "postgresql":
        prefix = f"{load_id}\t"

        def stage(rows):
            # One COPY of text built here: psycopg's per-row formatting cost more than the rest.
            text = "".join(
                f"{prefix}{row}\t{copy_text(key)}\t{copy_text(data.decode())}\n"
                for row, key, data in rows
            )
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(
                    "COPY registry_stagedrow (load_id, row, key, data) FROM STDIN"
                ) as copy,
            ):
                copy.write(text.encode())

        return stage

    sql = "INSERT INTO registry_stagedrow (load_id, row, key, data) VALUES (%s, %s, %s, %s)"

    def stage(rows):
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(load_id, row, key, data.decode()) for row, key, data in rows])

    return stage


NO_VALID_ROWS = ("load.no_valid_rows", "没有一行通过校验，未入库；请下载问题数据修正后重新归集")


def _merge(load: Load, counters: quality.LoadCounters, sink: _StagingSink) -> None:
    """Phase 2: the whole batch becomes visible in one transaction, or nothing does."""
    if counters.valid == 0:
        raise LoadFailed(*NO_VALID_ROWS)
    _mark(load, status=LoadStatus.MERGING, heartbeat_at=timezone.now())
    now = timezone.now()
    with transaction.atomic():
        resource = _resource_unchanged(load)
        written, deleted = sink.merge(counters, now)
        _conclude(
            load, resource, counters, written=written, deleted=deleted, now=now, first=sink.first
        )


def _resource_unchanged(load: Load) -> Resource:
    resource = Resource.objects.select_for_update().get(pk=load.resource_id)
    if resource.version != load.resource_version or resource.status != ResourceStatus.PUBLISHED:
        raise LoadFailed("load.resource_changed",
                         f"资源在归集期间被修改（版本 {load.resource_version} → {resource.version}）或已停用，"
                         "请重新归集")  # fmt: skip
    return resource


def _conclude(load: Load, resource: Resource, counters, *, written: int, deleted: int, now,
              first: bool = False) -> None:  # fmt: skip
    """In the transaction that makes the batch visible: its quality report, the resource's last
    load, the load's outcome, the registry's quality as it now stands and the audit row.

    After a `first` load (into an empty registry) the registry is that load's kept rows, and
    its quality is taken from what the load counted instead of a scan."""
    field_codes = list(resource.fields.values_list("code", flat=True))
    dims = quality.load_dimensions(counters, field_codes)
    dims_all = {**dims, "timeliness": 1.0}
    QualityReport.objects.create(
        resource=resource, load=load, rows=counters.rows, completeness=dims["completeness"],
        validity=dims["validity"], uniqueness=dims["uniqueness"], consistency=dims["consistency"],
        field_completeness=dims["field_completeness"], error_counts=counters.errors,
        score=quality.score(dims_all),
    )  # fmt: skip
    from yiwang.catalog.services import note_resource_loaded

    note_resource_loaded(resource=resource, at=now)
    _mark(load, status=LoadStatus.SUCCEEDED, finished_at=timezone.now(), rows_written=written,
          rows_deleted=deleted, rows_total=counters.rows, rows_valid=counters.valid,
          rows_invalid=counters.rows - counters.valid, stats=counters.summary())  # fmt: skip
    figures = None
    if first and counters.stored == written:
        figures = quality.first_load_figures(counters, field_codes, dims)
    refresh_registry_quality(resource, changed=counters.rows + deleted, field_codes=field_codes,
                             now=now, load=load, figures=figures)  # fmt: skip
    audit.record(actor=None, action="load.succeeded", target=load,
                 after={"written": written, "deleted": deleted, "invalid": counters.rows - counters.valid,
                        "sha256": load.sha256})  # fmt: skip


# A load that changed less than this share of the registry, within this time of the last
# measurement, leaves the figures as they are: a department system pushing a few rows every few
# seconds would otherwise scan a registry of millions each time, holding the resource's lock.
SMALL_SHARE = 0.001
REMEASURE_AFTER = datetime.timedelta(minutes=10)


def refresh_registry_quality(
    resource: Resource, *, changed: int, field_codes: list[str], now, load: Load | None = None,
    figures: quality.RegistryFigures | None = None,
) -> None:  # fmt: skip
    """The registry's quality after `changed` records were written or removed — by `load`, or
    outside any load (a record deleted through the GovStack API) — unless the change is too
    small and too soon to re-scan the registry for (`_worth_measuring`). `figures` are the
    registry's as known without a scan (`quality.first_load_figures`).

    Called in the transaction that changed the records, holding the resource's row lock, so
    that two measurements do not overwrite each other's figures out of order.
    """
    if figures is not None or _worth_measuring(resource, changed, now):
        _measure_registry(resource, load, field_codes, now, figures)


def _worth_measuring(resource: Resource, rows: int, now) -> bool:
    """Whether a load of `rows` rows (and deletions) should re-measure the registry (`SMALL_SHARE`,
    `REMEASURE_AFTER`); the loads it skips are taken in by the next load that measures."""
    last = (
        ResourceQuality.objects.filter(resource=resource)
        .values_list("records", "measured_at")
        .first()
    )
    if last is None:
        return True
    records, measured_at = last
    return rows >= SMALL_SHARE * records or now - measured_at >= REMEASURE_AFTER


def _measure_registry(
    resource: Resource, load: Load | None, field_codes: list[str], now, figures=None
) -> None:
    """The resource's quality as it now stands: one scan of its registry, kept for the pages.
    A change outside a load (`load` None) keeps the last load the figures name."""
    figures = figures or quality.measure_registry(resource.pk, field_codes)
    defaults = {"records": figures.records, "loads": figures.loads, "rows": figures.rows,
                "completeness": figures.completeness, "validity": figures.validity,
                "uniqueness": figures.uniqueness, "consistency": figures.consistency,
                "field_completeness": figures.field_completeness, "measured_at": now}  # fmt: skip
    if load is not None:
        defaults["last_load"] = load
    ResourceQuality.objects.update_or_create(resource=resource, defaults=defaults)


def _merge_sql(load: Load, counters: quality.LoadCounters, now) -> tuple[int, int]:
    load_id = Load._meta.pk.get_db_prep_value(load.pk, connection)
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if load.mode == LoadMode.INSERT:
            cursor.execute(
                "SELECT s.row, s.key FROM registry_stagedrow s JOIN registry_record r "
                "ON r.resource_id = %s AND r.key = s.key WHERE s.load_id = %s",
                [load.resource_id, load_id],
            )
            existing = cursor.fetchall()
            LoadError.objects.bulk_create(
                (LoadError(load=load, row=row, code="row.key_exists", message=f"主键「{key[:100]}」已存在（仅新增方式不覆盖）")
                 for row, key in existing), batch_size=1000,
            )  # fmt: skip
            counters.valid -= len(existing)
            for _ in existing:
                counters.count_error("row.key_exists")
        merge = MERGE_INSERT if load.mode == LoadMode.INSERT else MERGE_UPSERT
        cursor.execute(merge, [load.resource_id, stamp, load_id])

        written = cursor.rowcount
        deleted = 0
        if load.mode == LoadMode.REPLACE and counters.valid + counters.duplicates < counters.rows:
            # A snapshot with bad rows is not a whole snapshot: deleting what it lacks would drop
            # records only because their new row was quarantined. Keep them and say so. A
            # duplicate key is no such row: its first row was written, so the key is present.
            counters.replace_skipped = True
        elif load.mode == LoadMode.REPLACE:
            cursor.execute(
                "DELETE FROM registry_record WHERE resource_id = %s AND (load_id IS NULL OR load_id <> %s)",
                [load.resource_id, load_id],
            )
            deleted = cursor.rowcount
    return written, deleted


# --- the direct path: a first load on PostgreSQL ------------------------------------
#
# A registry's first load is its biggest: the whole 基础库 at once. When the resource holds no
# record yet, there is nothing to merge with, so the valid rows go straight into the registry
# with COPY, in ONE transaction that also writes the problems and the outcome: the batch is
# visible whole or not at all, as with staging, without writing every row twice (ADR 0009).
# Meanwhile the heartbeat and the progress go through a second connection, so that the load
# page and `recover_stale_loads` see them. SQLite allows no second writer: there a first load
# keeps its rows in a temporary file instead of staging them (`_SpoolSink`).

ANALYZE_AFTER_ROWS = 100_000
_DIRECT_LOCK = 0x59574C44  # "YWLD": one direct load per resource at a time


class _NotEmpty(Exception):
    """Another load wrote records first: take the staging path."""


def _load_directly(load: Load, prepared: _Prepared, progress: JobProgress) -> bool:
    """Load into an empty resource in one transaction; False when not possible."""
    if connection.vendor != "postgresql" or _has_records(load.resource_id):
        return False
    side = _SideChannel.open() if not connection.in_atomic_block else None
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [_DIRECT_LOCK, load.resource_id]
                )
            if _has_records(load.resource_id):
                raise _NotEmpty
            now = timezone.now()
            sink = _DirectSink(load, progress, side, now)
            try:
                counters = _read(load, prepared, progress, sink)
            except BaseException as exc:
                sink.close(exc)
                raise
            sink.close()
            if counters.valid:
                resource = _resource_unchanged(load)
                _conclude(
                    load, resource, counters, written=counters.valid, deleted=0, now=now, first=True
                )
        if not counters.valid:  # the problems are kept (committed above), nothing was written
            raise LoadFailed(*NO_VALID_ROWS)
        if counters.valid >= ANALYZE_AFTER_ROWS and not connection.in_atomic_block:
            with connection.cursor() as cursor:  # the planner would not know the rows until
                cursor.execute("ANALYZE registry_record")  # autovacuum comes round
        return True
    except _NotEmpty:
        return False
    finally:
        progress.writer = write_progress
        if side is not None:
            side.close()


def _has_records(resource_id: int) -> bool:
    from yiwang.registry.models import Record

    return Record.objects.filter(resource_id=resource_id).exists()


class _DirectSink:
    """Valid rows straight into the registry, problems to quarantine — all in the load's
    transaction; the heartbeat through the side channel.

    The rows travel in ONE COPY kept open while the file is read, written from a queue by a
    psycopg thread, so that PostgreSQL stores rows while Python validates the next ones (a COPY
    per batch waited for the server each time). Problems are written between COPY segments.
    """

    batch = 5_000
    ERRORS_HELD = 5_000  # problems kept in memory before the COPY pauses to write them

    def __init__(self, load: Load, progress: JobProgress, side: _SideChannel | None, now):
        self.load, self.progress, self.side = load, progress, side
        self.tail = f"\t{load.pk}\t{now.isoformat()}\n".encode()
        self.head = f"{load.resource_id}\t".encode()
        self.errors: list[LoadError] = []
        self._cursor = self._copy_context = self._copy = None
        # Nothing may use the load's own connection while its COPY is open: progress goes
        # through the side channel, or — inside a caller's transaction, where no one else
        # would see it anyway — nowhere until the end.
        progress.writer = side.job_progress if side is not None else _no_progress

    def _start_copy(self) -> None:
        from psycopg.copy import QueuedLibpqWriter

        self._cursor = connection.cursor()
        raw = self._cursor.cursor
        self._copy_context = raw.copy(
            "COPY registry_record (resource_id, key, data, load_id, updated_at) FROM STDIN",
            writer=QueuedLibpqWriter(raw),
        )
        self._copy = self._copy_context.__enter__()

    def _end_copy(self, exc: BaseException | None = None) -> None:
        if self._copy_context is not None:
            context, self._copy_context, self._copy = self._copy_context, None, None
            context.__exit__(type(exc) if exc else None, exc, None)
            self._cursor.close()

    def flush(self, staged: list, errors: list, counters: quality.LoadCounters) -> None:
        if staged:
            if self._copy is None:
                self._start_copy()
            self._copy.write(b"".join(self._lines(staged)))
            staged.clear()
        self.errors += errors
        errors.clear()
        if len(self.errors) >= self.ERRORS_HELD:
            self._write_errors()
        if self.side is not None:
            self.side.heartbeat(self.load, counters)
        self.progress.done = counters.rows
        self.progress.advance(0)

    def _lines(self, staged: list):
        """COPY text lines, as bytes: the JSON (orjson's or polars') holds no tab or newline (it
        escapes them), only its own backslashes need doubling; a key gets the full escaping."""
        head, tail = self.head, self.tail
        for _row, key, data in staged:
            if b"\\" in data:
                data = data.replace(b"\\", b"\\\\")
            yield head + copy_text(key).encode() + b"\t" + data + tail

    def _write_errors(self) -> None:
        self._end_copy()
        LoadError.objects.bulk_create(self.errors, batch_size=1000)
        self.errors.clear()

    def close(self, exc: BaseException | None = None) -> None:
        """End the COPY (waiting for the server to store the rows) and write what is held."""
        self._end_copy(exc)
        if exc is None and self.errors:
            self._write_errors()


def _no_progress(job, done: int, total: int) -> None:
    return None


class _SideChannel:
    """A second database connection in autocommit, for what others must see while the load's
    own transaction is open. It never touches a row that transaction has written."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    @classmethod
    def open(cls) -> _SideChannel:
        from django.db import connections

        return cls(connections.create_connection("default"))

    def _execute(self, sql: str, params: list) -> None:
        with self.wrapper.cursor() as cursor:
            cursor.execute(sql, params)

    def heartbeat(self, load: Load, counters: quality.LoadCounters) -> None:
        self._execute(
            "UPDATE registry_load SET status = %s, heartbeat_at = %s, rows_total = %s,"
            " rows_valid = %s, rows_invalid = %s WHERE id = %s",
            [LoadStatus.MERGING, timezone.now(), counters.rows, counters.valid,
             counters.rows - counters.valid, load.pk],
        )  # fmt: skip

    def job_progress(self, job, done: int, total: int) -> None:
        self._execute(
            "UPDATE core_job SET done = %s, total = %s WHERE id = %s", [done, total, job.pk]
        )

    def close(self) -> None:
        self.wrapper.close()


def estimate_rows(path: Path, source: str) -> int:
    """Rows in the file, for the progress bar: newlines for text files, the sheet size for XLSX."""
    try:
        if source == "xlsx":
            from openpyxl import load_workbook

            sheet = load_workbook(path, read_only=True).worksheets[0]
            return max((sheet.max_row or 1) - 1, 0)
        opener = gzip.open if path.suffix == ".gz" else open
        lines = 0
        with opener(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                lines += chunk.count(b"\n")
        return max(lines - (0 if source in ("jsonl", "api") else 1), 0)
    except Exception:
        return 0


def recover_stale_loads() -> int:
    """Fail loads whose process died (no heartbeat for a while); their staged rows are dropped."""
    from django.db.models import Q

    now = timezone.now()
    dead = Q()
    for status, silence in STALE_AFTER.items():
        dead |= Q(status=status, heartbeat_at__lt=now - silence)
    count = 0
    for load in Load.objects.filter(dead):
        StagedRow.objects.filter(load=load).delete()
        _fail(load, "load.interrupted", "归集进程中断（如服务器重启），数据未入库，可重新归集")
        _fail_job(load, "进程中断")
        count += 1
    return count
