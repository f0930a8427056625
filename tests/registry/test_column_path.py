"""A load checked a column at a time (`registry.columnar`) ends exactly as one checked row by
row: the same records, problems, counts and quality. And a first load's registry quality, taken
from its counts instead of a scan, is what a scan finds."""

import pytest
from django.db import connection

from tests.registry.conftest import company_row, csv_bytes
from tests.registry.test_loads import load_file
from yiwang.registry import loading, quality
from yiwang.registry.columnar import ColumnarValidator
from yiwang.registry.models import Load, QualityReport, Record, ResourceQuality

pytestmark = pytest.mark.django_db(transaction=True)


def dirty_rows() -> list[dict]:
    """Clean rows with every kind of trouble among them, duplicates across batches too."""
    rows = [company_row(i) for i in range(40)]
    rows[1]["legal_representative"] = ""  # empty optional field: still clean
    rows[2]["name"] = "  江澜留白有限公司\u3000"  # spaces the row validator strips
    rows[3]["uscc"] = rows[3]["uscc"][:-1] + ("0" if rows[3]["uscc"][-1] != "0" else "1")
    rows[4]["established"] = "2015/6/1"  # normalised by the row validator
    rows[5]["registered_capital"] = "1e5"  # not a plain number
    rows[6]["representative_id_number"] = rows[6]["representative_id_number"].lower()
    rows[7] = dict(rows[0], name="重复一")  # duplicate of a clean row, same batch
    rows[20] = dict(rows[2], name="重复二")  # duplicate of a normalised row, later batch
    rows[21] = dict(rows[9], legal_representative="")  # duplicate with an empty field
    rows[30]["name"] = ""  # required
    rows[31]["registered_capital"] = "-0.5"
    rows[32]["region_code"] = "990199"  # a test-region code: what the row validator says
    return rows


def load_without_columns(officer, resource, data, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(ColumnarValidator, "for_validator", classmethod(lambda cls, v: None))
        return load_file(officer, resource, data)


def outcome(load: Load) -> dict:
    report = QualityReport.objects.get(load=load)
    registry = ResourceQuality.objects.get(resource_id=load.resource_id)
    return {
        "counts": (load.rows_total, load.rows_valid, load.rows_invalid, load.rows_written),
        "errors": sorted((e.row, e.field, e.code, e.message) for e in load.errors.all()),
        "records": {r.key: r.data for r in Record.objects.filter(resource_id=load.resource_id)},
        "report": (report.completeness, report.validity, report.uniqueness, report.consistency,
                   report.field_completeness, report.error_counts, report.score),
        "registry": (registry.records, registry.completeness, registry.validity,
                     registry.uniqueness, registry.consistency, registry.field_completeness),
    }  # fmt: skip


def test_a_load_checked_by_columns_ends_as_one_checked_row_by_row(officer, published, monkeypatch):
    monkeypatch.setattr(loading, "COLUMN_BATCH", 8)  # several batches in 40 rows
    checked = []
    original = ColumnarValidator.check
    monkeypatch.setattr(
        ColumnarValidator,
        "check",
        lambda self, rows: checked.append(original(self, rows)) or checked[-1],
    )
    data = csv_bytes(dirty_rows())
    by_columns = outcome(load_file(officer, published, data))
    assert sum(sum(c.clean) for c in checked) >= 30  # the column path did the work
    Record.objects.filter(resource=published).delete()
    ResourceQuality.objects.filter(resource=published).delete()
    by_rows = outcome(load_without_columns(officer, published, data, monkeypatch))
    assert by_columns == by_rows
    codes = {code for _row, _field, code, _message in by_rows["errors"]}
    assert {"row.duplicate_key", "identifier.uscc.checksum", "value.required"} <= codes


def test_a_first_load_s_registry_quality_is_what_a_scan_finds(officer, published):
    load = load_file(officer, published, csv_bytes(dirty_rows()))
    stored = ResourceQuality.objects.get(resource=published)
    codes = list(published.fields.values_list("code", flat=True))
    scanned = quality.measure_registry(published.pk, codes)
    assert stored.records == scanned.records == load.rows_written
    assert stored.field_completeness == scanned.field_completeness
    assert stored.field_completeness["legal_representative"] < 1
    assert (stored.validity, stored.uniqueness, stored.consistency) == (
        scanned.validity, scanned.uniqueness, scanned.consistency
    )  # fmt: skip


def test_a_first_load_whose_registry_filled_meanwhile_is_merged_like_any(
    officer, published, monkeypatch
):
    """Another load writes records after a first load chose its path: on SQLite while it reads
    into its file, on PostgreSQL just before it takes its lock. The rows are then staged and
    merged like any load's (upsert: the newer row wins)."""
    first = load_file(officer, published, csv_bytes([company_row(i) for i in range(3)]))
    Record.objects.filter(resource=published).delete()  # empty again, as before a first load

    def someone_else_loads():
        Record.objects.create(resource=published, key=company_row(1)["uscc"], data={"name": "旧"},
                              load=first, updated_at=first.finished_at)  # fmt: skip
        Record.objects.create(resource=published, key="91990100MA0000000X", data={"name": "他人"},
                              load=first, updated_at=first.finished_at)  # fmt: skip

    if connection.vendor == "sqlite":
        read = loading._read

        def read_then(*args, **kwargs):
            counters = read(*args, **kwargs)
            someone_else_loads()
            return counters

        monkeypatch.setattr(loading, "_read", read_then)
    else:
        has_records, calls = loading._has_records, []

        def has_records_then(resource_id):
            answer = has_records(resource_id)
            if not calls:
                calls.append(resource_id)
                someone_else_loads()
            return answer

        monkeypatch.setattr(loading, "_has_records", has_records_then)
    load = load_file(
        officer, published, csv_bytes([company_row(i, name=f"新{i}") for i in range(3)])
    )
    assert load.status == "succeeded" and load.rows_written == 3
    names = dict(Record.objects.filter(resource=published).values_list("key", "data__name"))
    assert names[company_row(1)["uscc"]] == "新1" and names["91990100MA0000000X"] == "他人"
    assert ResourceQuality.objects.get(resource=published).records == 4  # scanned, not counted
