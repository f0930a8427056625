"""Validated load (归集) of legal-person rows against a raw bulk load of the same file."""

import csv
import sys
import tempfile
import time
from pathlib import Path

from django.core.files import File
from django.db import connection, transaction

sys.path.insert(0, str(Path(__file__).parent))
from _harness import line

from yiwang.catalog import services as catalog
from yiwang.catalog.models import Resource
from yiwang.core.models import Organisation, User
from yiwang.demo import generator
from yiwang.registry import loading
from yiwang.registry import services as registry

FIELDS = [
    {"code": "uscc", "name": "统一社会信用代码", "data_type": "uscc", "is_key": True},
    {"code": "name", "name": "企业名称", "data_type": "string", "length": 200, "required": True},
    {"code": "legal_representative", "name": "法定代表人", "data_type": "string", "length": 50},
    {"code": "representative_id_number", "name": "法定代表人身份号码", "data_type": "ric"},
    {"code": "region_code", "name": "住所行政区划", "data_type": "region"},
    {"code": "registered_capital", "name": "注册资本", "data_type": "decimal"},
    {"code": "established", "name": "成立日期", "data_type": "date"},
]
COLUMNS = [f["code"] for f in FIELDS]
RAW_INSERT = "INSERT INTO bench_raw_companies VALUES (%s, %s, %s, %s, %s, %s, %s)"


def write_file(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(rows):
            c = generator.company(7, i, people=rows * 2)
            writer.writerow([c.uscc, c.name, c.legal_representative, c.representative_id_number, c.region_code,
                             c.registered_capital, c.established.isoformat()])  # fmt: skip


def _copy_file(cursor, sql: str, path: Path) -> None:
    """PostgreSQL: COPY a file as it is, in 1 MiB chunks."""
    with open(path, "rb") as handle, cursor.cursor.copy(sql) as copy:
        while chunk := handle.read(1 << 20):
            copy.write(chunk)


def raw_load(path: Path) -> float:
    """The baseline: PostgreSQL COPY (SQLite: executemany in one transaction) into a keyed table."""
    columns = ", ".join(f"{c} text" for c in COLUMNS[1:])
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_companies")
        cursor.execute(f"CREATE TABLE bench_raw_companies (uscc text PRIMARY KEY, {columns})")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy_file(
                cursor, "COPY bench_raw_companies FROM STDIN WITH (FORMAT csv, HEADER true)", path
            )
        else:
            with open(path, encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                next(reader)
                cursor.executemany(RAW_INSERT, reader)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_companies")
    return elapsed


def storage_load(path: Path) -> float:
    """A second baseline: the same rows as records (key + JSON object), prepared beforehand in a
    file of their own and bulk-loaded from it with no validation (COPY / executemany) into a
    table shaped like the registry's: JSON column, unique (resource, key) index. It times what
    the storage itself costs."""
    import orjson

    from yiwang.registry.loading import copy_text

    prepared = path.with_suffix(".records")
    with (
        open(path, encoding="utf-8", newline="") as source,
        open(prepared, "w", encoding="utf-8") as out,
    ):
        reader = csv.reader(source)
        header = next(reader)
        for n, cells in enumerate(reader):
            data = orjson.dumps(dict(zip(header, cells, strict=True))).decode()
            out.write(f"{n}\t1\t{copy_text(cells[0])}\t{copy_text(data)}\t1\t2026-01-01 00:00:00\n")
    json_type = "jsonb" if connection.vendor == "postgresql" else "text"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_records")
        cursor.execute(
            "CREATE TABLE bench_raw_records (id integer PRIMARY KEY, resource_id integer NOT NULL, "
            f"key varchar(255) NOT NULL, data {json_type} NOT NULL, load_id integer, "
            "updated_at timestamp NOT NULL)"
        )
        cursor.execute(
            "CREATE UNIQUE INDEX bench_raw_records_key ON bench_raw_records (resource_id, key)"
        )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy_file(cursor, "COPY bench_raw_records (id, resource_id, key, data, load_id, updated_at) FROM STDIN",
                       prepared)  # fmt: skip
        else:
            with open(prepared, encoding="utf-8") as handle:
                rows = (line[:-1].split("\t") for line in handle)  # no escapes in these rows
                cursor.executemany(
                    "INSERT INTO bench_raw_records VALUES (%s, %s, %s, %s, %s, %s)", rows
                )
    elapsed = time.perf_counter() - started
    prepared.unlink()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_records")
    return elapsed


def validated_load(path: Path, officer, resource) -> tuple[float, object]:
    started = time.perf_counter()
    with open(path, "rb") as handle:
        load = registry.receive_file(actor=officer, resource=resource, upload=File(handle, name="companies.csv"),
                                     mode="upsert", background=False)  # fmt: skip
    load = loading.run_load(load)
    return time.perf_counter() - started, load


BENCH_USCC = generator.organisation_uscc(9_999_990, region="990100", kind="department")


@transaction.atomic
def setup():
    leftover = Organisation.objects.filter(uscc=BENCH_USCC).first()  # from an interrupted run
    if leftover:
        teardown(leftover)
    User.objects.filter(username="bench-ingest").delete()  # a run stopped between the two
    org = Organisation.objects.create(name="基准测试局", uscc=BENCH_USCC, region_code="990100",
                                      kind="department", level="city")  # fmt: skip
    officer = User.objects.create(username="bench-ingest", is_superuser=True, is_active=True)
    resource = catalog.create_resource(actor=officer, owner=org, code="Z9901/999999", name="基准法人",
                                       category="department", update_cycle="daily", share_type="unconditional",
                                       fields=FIELDS)  # fmt: skip
    return org, officer, catalog.publish_resource(actor=officer, resource=resource)


def teardown(org):
    from yiwang.registry.models import Load, Record

    for resource in Resource.objects.filter(owner=org):
        Record.objects.filter(resource=resource).delete()
        for load in Load.objects.filter(resource=resource):
            loading.raw_path(load).unlink(missing_ok=True)
        Load.objects.filter(resource=resource).delete()

        resource.delete()
    org.delete()
    User.objects.filter(username="bench-ingest").delete()


def run(*, quick: bool = False):
    rows = 20_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "companies.csv"
        write_file(path, rows)
        org, officer, resource = setup()
        try:
            raw_seconds = raw_load(path)
            storage_seconds = storage_load(path)
            ours_seconds, load = validated_load(path, officer, resource)
            again_seconds, again = validated_load(
                path, officer, resource
            )  # every row an update now
        finally:
            teardown(org)
    yield f"# {connection.vendor}, {rows:,} rows, {path.name}; first load {load.status}, {load.rows_written:,} written"
    yield f"# upsert of the same file again (all updates): {rows / again_seconds:,.0f} rows/s ({again.status})"
    yield line(
        "ingest",
        rows / ours_seconds,
        "rows/s validated+upserted",
        rows / raw_seconds,
        "rows/s raw bulk load",
    )
    yield line(
        "ingest-storage",
        rows / ours_seconds,
        "rows/s validated+upserted",
        rows / storage_seconds,
        "rows/s raw bulk load of the same records into a registry-shaped table",
    )
